"""Named queries for the daily operations pages: load history, rejects, missing reports, the
call center's callback list. Each takes an open connection and returns a DataFrame."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from etl.metrics.definitions import RATE_BY_NAME
from etl.schema import KIND_BY_NAME, KINDS, header_map, normalise_header


def load_history(con, limit: int = 500) -> pd.DataFrame:
    return con.execute(
        "SELECT load_id, file_name, kind, status, rows_read, rows_loaded, rows_rejected, message, warnings, notes, "
        "started_at, finished_at, archived_as, sha256 FROM load_log ORDER BY load_id DESC LIMIT ?", [limit]).df()


REJECT_COLUMNS = ["load_id", "file_name", "kind", "sheet", "row_no", "reason", "raw_values"]


def rejects(con, file_name: str | None = None) -> pd.DataFrame:
    """Rejected rows, newest load first, personal data masked (masked_rejects): REJECT_COLUMNS with the
    stored English reason, and `problems` (the reasons as data: codes, columns, values) from which
    etl.wording.rejects_in_words words them in a page's language."""
    where, params = ["true"], []
    if file_name:
        where.append("r.file_name = ?")
        params.append(file_name)
    found = masked_rejects(con, con.execute(
        "SELECT r.load_id, r.file_name, r.kind, r.sheet, r.row_no, r.reason, r.raw_values, r.problems, l.details "
        f"FROM rejects r LEFT JOIN load_log l USING (load_id) WHERE {' AND '.join(where)} "
        "ORDER BY r.load_id DESC, r.row_no", params).df())
    return found[REJECT_COLUMNS + ["problems"]]


# --- personal data in rejected rows (issue 11) ---------------------------------------------------
# A rejected row keeps its cells as written (raw_values: header as written -> value). The dashboard
# shows them with the cells under a personal column's header masked as every other page masks
# them; the dealer's correction sheet (etl/corrections.py) is the one place they stay whole.

PERSONAL = {c.name for kind in KINDS for c in kind.columns if c.personal}
HIDDEN = "***"   # personal columns without a mask of their own (the address): not shown, as on every page


def _personal_spellings(kind_name: str | None) -> dict[str, str]:
    """Normalised header spelling -> personal column, the aliases file's spellings included."""
    from etl.aliases import AliasesError, header_maps
    spellings: dict[str, str] = {}
    for kind in [KIND_BY_NAME[kind_name]] if kind_name in KIND_BY_NAME else KINDS:
        try:
            columns = header_maps(kind).columns
        except AliasesError:   # a broken aliases file stops loads, not the list of what they rejected
            columns = header_map(kind)
        spellings |= {spelling: column for spelling, column in columns.items() if column in PERSONAL}
    return spellings


def _personal_headers(kind_name: str | None, details, headers) -> dict[str, str]:
    """Header as written -> personal column: the load's own header mapping, headers kept aside that
    resemble a personal column, and any header whose spelling names one."""
    details = json.loads(details) if isinstance(details, str) else (details or {})
    found = {header: column for header, column in details.get("mapping", []) + details.get("resembles", [])
             if column in PERSONAL}
    spellings = _personal_spellings(kind_name)
    for header in headers:
        column = spellings.get(normalise_header(header))
        if column and header not in found:
            found[header] = column
    return found


def _masks(con, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(column, value) -> the value masked by drilldown's masked_phone / masked_name, the dashboard's
    one definition of each; other personal columns are hidden whole."""
    from etl.metrics.drilldown import masked_name, masked_phone
    if not pairs:
        return {}
    con.register("_personal_values", pd.DataFrame(sorted(pairs), columns=["personal_column", "value"]))
    try:
        rows = con.execute(f"""
            SELECT personal_column, value,
                   CASE personal_column WHEN 'customer_phone' THEN {masked_phone('value')}
                                        WHEN 'customer_name' THEN {masked_name('value')}
                                        ELSE '{HIDDEN}' END
            FROM _personal_values""").fetchall()
    finally:
        con.unregister("_personal_values")
    return {(column, value): masked for column, value, masked in rows}


def _overflow_cells(value: str) -> list[tuple[str, str]]:
    """The cells beyond the header (too_many_values, tab-joined): no header says what they hold, so
    each is masked, as a phone when it has a digit, else as a name."""
    return [("customer_phone" if any(c.isdigit() for c in cell) else "customer_name", cell)
            for cell in value.split("\t")]


def _swapped(text, swaps: list[tuple[str, str]]):
    """Text with each quoted personal value replaced by its mask; `swaps` come longest first, so a
    name inside a longer quoted value is not masked half-way."""
    if not isinstance(text, str):
        return text
    for value, masked in swaps:
        text = text.replace(value, masked)
    return text


def masked_rejects(con, rows: pd.DataFrame) -> pd.DataFrame:
    """Rejected rows (kind, reason, raw_values; problems and the load's details when at hand) with
    names, phones and addresses masked: in raw_values under the headers of personal columns, and
    wherever the problems or the reason quote one of those values or the cells beyond the header."""
    out = rows.copy()
    if out.empty:
        return out
    cells = [json.loads(v) if isinstance(v, str) else (v or {}) for v in out["raw_values"]]
    problems = [json.loads(v) if isinstance(v, str) else (v or []) for v in out["problems"]] \
        if "problems" in out else [[] for _ in cells]
    details = out["details"] if "details" in out else [None] * len(cells)
    headers_of: dict[tuple, dict[str, str]] = {}
    found, pairs = [], set()
    for kind, values, listed, detail in zip(out["kind"], cells, problems, details):
        key = (kind, detail if isinstance(detail, str) else None, tuple(values))
        if key not in headers_of:
            headers_of[key] = _personal_headers(kind, detail, values)
        personal = {h: (column, str(values[h]).strip()) for h, column in headers_of[key].items()
                    if values.get(h) is not None and str(values[h]).strip()}
        quoted = [[(p["col"], str(p["value"]))] for p in listed if p.get("col") in PERSONAL and p.get("value")]
        quoted += [_overflow_cells(str(p["value"])) for p in listed
                   if p.get("code") == "too_many_values" and p.get("value")]
        found.append((personal, quoted))
        pairs |= set(personal.values()) | {pair for group in quoted for pair in group}
    masks = _masks(con, pairs)

    def masked(pair: tuple[str, str]) -> str:
        return masks.get(pair) or pair[1]

    raw_out, reasons, problems_out = [], [], []
    stored = out["problems"] if "problems" in out else [None] * len(cells)
    for (personal, quoted), values, listed, reason, raw, kept in zip(found, cells, problems, out["reason"],
                                                                      out["raw_values"], stored):
        if personal:
            raw = json.dumps({h: masked(personal[h]) if h in personal else v for h, v in values.items()},
                             ensure_ascii=False, separators=(",", ":"))
        swaps = {value: masked((column, value)) for column, value in personal.values() if len(value) > 1}
        swaps |= {"\t".join(value for _, value in group): "\t".join(masked(pair) for pair in group)
                  for group in quoted}
        swaps = sorted(swaps.items(), key=lambda swap: -len(swap[0]))
        if swaps:
            reason = _swapped(reason, swaps)
            if listed:
                kept = json.dumps([{field: _swapped(text, swaps) if field in ("value", "detail", "detail_zh")
                                    else text for field, text in p.items()} for p in listed], ensure_ascii=False)
        raw_out.append(raw)
        reasons.append(reason)
        problems_out.append(kept)
    out["raw_values"], out["reason"] = raw_out, reasons
    if "problems" in out:
        out["problems"] = problems_out
    return out


# Problems whose detail names no value (the choices, another column, the date order): grouped by it too.
_DETAIL_KEPT = ("not_choice", "before", "date_order")


def reject_reason_kinds(con) -> pd.DataFrame:
    """Each kind of problem with how many rows have it: kind, code, col, detail, detail_zh (only where
    the detail names no value), reason, rows; etl.wording.reason_kinds_in_words words them with the
    values left out (`unknown dealer …`): the cells beyond the header (too_many_values) are values too,
    and may be anyone's name or address. Rows loaded before problems were kept as data have no code:
    `reason` is their English wording with its quoted values and numbers taken out."""
    kinds = con.execute(f"""
        WITH p AS (
            SELECT kind, unnest(from_json(problems, '[{{"code": "VARCHAR", "col": "VARCHAR", "detail": "VARCHAR",
                                                        "detail_zh": "VARCHAR"}}]')) AS p
            FROM rejects WHERE problems IS NOT NULL)
        SELECT kind, p.code, p.col,
               CASE WHEN p.code IN {_DETAIL_KEPT} THEN p.detail END AS detail,
               CASE WHEN p.code IN {_DETAIL_KEPT} THEN p.detail_zh END AS detail_zh,
               CAST(NULL AS VARCHAR) AS reason, count(*) AS rows
        FROM p GROUP BY ALL
        UNION ALL
        SELECT NULL, NULL, NULL, NULL, NULL,
               regexp_replace(regexp_replace(reason, 'has columns: [^;]*', 'has columns', 'g'),
                              '("[^"]*"|\\s\\S*\\d\\S*)', '', 'g'), count(*)
        FROM rejects WHERE problems IS NULL GROUP BY ALL""").df()
    return kinds


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
