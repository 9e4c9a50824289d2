"""Named queries for the daily operations pages: load history, rejects, missing reports, the
call center's callback list. Each takes an open connection and returns a DataFrame."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from etl.metrics.definitions import RATE_BY_NAME


def load_history(con, limit: int = 500) -> pd.DataFrame:
    return con.execute(
        "SELECT load_id, file_name, kind, status, rows_read, rows_loaded, rows_rejected, message, warnings, notes, "
        "started_at, finished_at, archived_as, sha256 FROM load_log ORDER BY load_id DESC LIMIT ?", [limit]).df()


def rejects(con, file_name: str | None = None, reason_contains: str | None = None) -> pd.DataFrame:
    """Rejected rows, newest load first; filter by file and by words of the reason."""
    where, params = ["true"], []
    if file_name:
        where.append("file_name = ?")
        params.append(file_name)
    if reason_contains:
        where.append("reason ILIKE ?")
        params.append(f"%{reason_contains}%")
    return con.execute(
        f"SELECT load_id, file_name, kind, sheet, row_no, reason, raw_values FROM rejects WHERE {' AND '.join(where)} "
        "ORDER BY load_id DESC, row_no", params).df()


def reject_reason_kinds(con) -> pd.DataFrame:
    """Reasons grouped by their wording without the values (`unknown dealer JX999` -> `unknown dealer`)."""
    return con.execute("""
        SELECT regexp_replace(reason, '("[^"]*"|\\s\\S*\\d\\S*)', '', 'g') AS reason_kind, count(*) AS rows
        FROM rejects GROUP BY ALL ORDER BY rows DESC""").df()


def report_status(con, as_of: dt.date) -> pd.DataFrame:
    """Every dealer-month under contract whose report deadline has passed by `as_of`, from the
    first month with any data: submitted (first submission), days late, or missing and days overdue."""
    return con.execute("""
        WITH span AS (
            SELECT min(month) AS first_month FROM dealer_month_keys
        ), months AS (
            SELECT CAST(m AS DATE) AS month
            FROM span, generate_series(span.first_month, CAST(? AS DATE), INTERVAL 1 MONTH) AS g(m)
            WHERE span.first_month IS NOT NULL
        ), due AS (
            SELECT d.dealer_id, d.dealer_name, d.region, d.province, d.area_type, m.month,
                   report_deadline(m.month) AS report_due_on
            FROM dealers d CROSS JOIN months m
            WHERE (d.joined_on IS NULL OR d.joined_on <= last_day(m.month))
              AND (d.left_on IS NULL OR d.left_on >= m.month)
              AND report_deadline(m.month) <= CAST(? AS DATE)
        )
        SELECT due.*, s.first_submitted_on AS report_submitted_on, s.submissions,
               CASE WHEN s.first_submitted_on IS NULL THEN 'missing'
                    WHEN s.first_submitted_on <= due.report_due_on THEN 'on_time' ELSE 'late' END AS status,
               CASE WHEN s.first_submitted_on IS NULL THEN date_diff('day', due.report_due_on, CAST(? AS DATE)) END
                   AS days_overdue,
               CASE WHEN s.first_submitted_on > due.report_due_on
                    THEN date_diff('day', due.report_due_on, s.first_submitted_on) END AS days_late
        FROM due LEFT JOIN report_submissions s
             ON s.dealer_id = due.dealer_id AND s.report_month = due.month
        ORDER BY due.month DESC, status, due.dealer_id""", [as_of, as_of, as_of]).df()


def callback_list(con, report_month: dt.date, as_of: dt.date, share: float, no_repeat_days: int,
                  seed: int = 1) -> pd.DataFrame:
    """The call center's list: a reproducible random `share` of each dealer's records of the month
    (rounded up, so every dealer with records is called), stratified by dealer; records without a
    phone, customers HQ called in the `no_repeat_days` before `as_of`, and a second record of the
    same customer are left out. The draw is md5(seed, dealer, record): the same inputs give the
    same list. Personal data is NOT masked: this list is for calling customers."""
    return con.execute("""
        WITH month_records AS (
            SELECT r.*, md5(CAST(? AS VARCHAR) || '|' || r.dealer_id || '|' || r.record_no) AS draw
            FROM latest_repairs r WHERE r.report_month = ?
        ), quota AS (
            SELECT dealer_id, count(*) AS records, CAST(ceil(count(*) * ?) AS BIGINT) AS quota
            FROM month_records GROUP BY dealer_id
        ), recently_called AS (
            SELECT DISTINCT r.customer_phone FROM callbacks c
            JOIN latest_repairs r USING (dealer_id, record_no)
            WHERE r.customer_phone IS NOT NULL
              AND c.called_at >= CAST(? AS DATE) - to_days(CAST(? AS INTEGER)) AND c.called_at <= CAST(? AS DATE) + 1
        ), eligible AS (
            SELECT * FROM month_records
            WHERE customer_phone IS NOT NULL AND customer_phone NOT IN (SELECT customer_phone FROM recently_called)
            QUALIFY row_number() OVER (PARTITION BY customer_phone ORDER BY draw) = 1
        ), drawn AS (
            SELECT e.*, q.records, q.quota,
                   row_number() OVER (PARTITION BY e.dealer_id ORDER BY e.draw) AS nth
            FROM eligible e JOIN quota q USING (dealer_id)
            QUALIFY nth <= q.quota
        )
        SELECT 'CB' || strftime(d.report_month, '%Y%m') || '-' || d.dealer_id || '-' || lpad(CAST(d.nth AS VARCHAR), 3, '0')
                   AS callback_id,
               d.record_no, d.dealer_id, k.dealer_name, d.customer_name, d.customer_phone, d.address,
               d.product_model, d.service_type, d.requested_at, d.completed_at, d.records AS dealer_records,
               d.quota AS dealer_quota
        FROM drawn d JOIN dealers k USING (dealer_id)
        ORDER BY d.dealer_id, d.nth""",
        [seed, report_month, share, as_of, no_repeat_days, as_of]).df()


# The callback form's questions, left empty on the call list: the filled-in list loads back
# as a callbacks file (spec 2.4).
CALLBACK_FORM_QUESTIONS = ["called_at", "reached", "service_confirmed", "resolved", "on_time", "satisfaction",
                           "complaint", "conduct_issue", "comment"]


# --- the Callbacks page: answers, dissatisfaction, conduct issues, fake and unreached (issue 5) ---------

CALLBACK_QUESTIONS = ("reached", "service_confirmed", "resolved", "on_time", "satisfaction", "complaint")


def _callback_where(first_month: dt.date | None, last_month: dt.date | None,
                    dealers: dict[str, list[str]] | None) -> tuple[str, list]:
    """Callbacks of the months (by call date) of dealers matching the filters ({"region": [...], ...})."""
    where, params = ["true"], []
    if first_month:
        where.append("f.month >= ?")
        params.append(first_month)
    if last_month:
        where.append("f.month <= ?")
        params.append(last_month)
    for column, values in (dealers or {}).items():
        if values:
            where.append(f"d.{column} IN ({', '.join('?' for _ in values)})")
            params += list(values)
    return " AND ".join(where), params


def answer_distribution(con, first_month=None, last_month=None, dealers=None) -> pd.DataFrame:
    """How the callbacks answered each question of the form: question, answer, callbacks, share.

    Answers are yes / no / blank for the yes-no questions and 1..5 / blank for satisfaction;
    the share is of all callbacks of the question."""
    where, params = _callback_where(first_month, last_month, dealers)
    parts = []
    for question in CALLBACK_QUESTIONS:
        if question == "satisfaction":
            answer = "CASE WHEN f.satisfaction IS NULL THEN 'blank' ELSE CAST(f.satisfaction AS VARCHAR) END"
        else:
            answer = f"CASE WHEN f.{question} IS NULL THEN 'blank' WHEN f.{question} THEN 'yes' ELSE 'no' END"
        parts.append(f"SELECT '{question}' AS question, {answer} AS answer, {len(parts)} AS position "
                     f"FROM callback_facts f JOIN dealers d USING (dealer_id) WHERE {where}")
    return con.execute(f"""
        SELECT question, answer, count(*) AS callbacks,
               count(*) / sum(count(*)) OVER (PARTITION BY question) AS share
        FROM ({' UNION ALL '.join(parts)}) GROUP BY question, answer, position
        ORDER BY min(position), answer""", params * len(parts)).df()


def callback_issues_by_dealer(con, first_month=None, last_month=None, dealers=None) -> pd.DataFrame:
    """Per dealer with callbacks: callbacks, reached, unreached, answered, dissatisfied (and the rate of
    the answered), fake records, callbacks with any conduct issue; worst dissatisfaction first."""
    where, params = _callback_where(first_month, last_month, dealers)
    return con.execute(f"""
        SELECT f.dealer_id, d.dealer_name, d.region, d.province, d.area_type,
               count(*) AS callbacks,
               count(*) FILTER (WHERE f.is_reached) AS callbacks_reached,
               count(*) FILTER (WHERE NOT f.is_reached) AS unreached,
               count(*) FILTER (WHERE f.is_answered) AS callbacks_answered,
               count(*) FILTER (WHERE f.is_dissatisfied) AS dissatisfied,
               {RATE_BY_NAME["dissatisfaction_rate"].sql("dissatisfied", "callbacks_answered")}
                   AS dissatisfaction_rate,
               count(*) FILTER (WHERE f.is_fake) AS fake_records,
               count(*) FILTER (WHERE nullif(trim(f.conduct_issue), '') IS NOT NULL) AS conduct_issues
        FROM callback_facts f JOIN dealers d USING (dealer_id)
        WHERE {where}
        GROUP BY ALL
        ORDER BY dissatisfaction_rate DESC NULLS LAST, dissatisfied DESC, f.dealer_id""", params).df()


def conduct_issues(con, first_month=None, last_month=None, dealers=None) -> pd.DataFrame:
    """Conduct issues reported at callbacks (收礼, 吸烟, 未穿鞋套 ...) counted per dealer and issue; an answer
    naming several issues (separated by 、 , ， ; ；/) counts once for each."""
    where, params = _callback_where(first_month, last_month, dealers)
    return con.execute(f"""
        SELECT f.dealer_id, d.dealer_name, trim(issue) AS conduct_issue, count(*) AS callbacks
        FROM callback_facts f JOIN dealers d USING (dealer_id),
             unnest(regexp_split_to_array(f.conduct_issue, '[、,，;；/]')) AS u(issue)
        WHERE {where} AND nullif(trim(issue), '') IS NOT NULL
        GROUP BY ALL ORDER BY f.dealer_id, callbacks DESC, conduct_issue""", params).df()


def _callback_people(con, condition: str, first_month, last_month, dealers) -> pd.DataFrame:
    from etl.metrics.drilldown import masked_name, masked_phone
    where, params = _callback_where(first_month, last_month, dealers)
    return con.execute(f"""
        SELECT f.callback_id, f.called_at, f.dealer_id, d.dealer_name, f.record_no, r.report_month,
               r.service_type, {masked_name('r.customer_name')} AS customer_name,
               {masked_phone('r.customer_phone')} AS customer_phone, f.comment
        FROM callback_facts f JOIN dealers d USING (dealer_id)
        LEFT JOIN latest_repairs r ON r.dealer_id = f.dealer_id AND r.record_no = f.record_no
        WHERE {where} AND {condition}
        ORDER BY f.dealer_id, f.called_at, f.callback_id""", params).df()


def fake_callbacks(con, first_month=None, last_month=None, dealers=None) -> pd.DataFrame:
    """Callbacks that found a fake record (reached, the customer says the service did not happen); masked."""
    return _callback_people(con, "f.is_fake", first_month, last_month, dealers)


def unreached_callbacks(con, first_month=None, last_month=None, dealers=None) -> pd.DataFrame:
    """Callbacks that did not reach the customer; personal data masked."""
    return _callback_people(con, "NOT f.is_reached", first_month, last_month, dealers)


def repair_months(con) -> list[dt.date]:
    """Report months with repair records, newest first: what a callback list can be drawn from."""
    rows = con.execute("SELECT DISTINCT report_month FROM latest_repairs ORDER BY 1 DESC").fetchall()
    return [row[0].date() if isinstance(row[0], dt.datetime) else row[0] for row in rows]


def masked_call_list(con, call_list: pd.DataFrame) -> pd.DataFrame:
    """The call list as the screen shows it: names and phones masked, addresses left out."""
    from etl.metrics.drilldown import masked_name, masked_phone
    con.register("_call_list", call_list)
    try:
        return con.execute(
            f"SELECT * REPLACE ({masked_name('customer_name')} AS customer_name, "
            f"{masked_phone('customer_phone')} AS customer_phone, NULL AS address) FROM _call_list").df()
    finally:
        con.unregister("_call_list")
