"""Named queries the dashboard needs beyond queries.py: scopes, rankings, thresholds and the records behind a number.

Every function takes an open connection (etl.db.reader) and returns a DataFrame or plain values.
Rates come only from queries.rollup / the metric views; this module picks rows, sums nothing
into a rate, and judges rates against the rules' thresholds the way the views do: by exact
comparison of numerator and denominator. Personal data leaves the database masked (spec 4),
through masked_phone() and masked_name(), the one definition of each mask.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal

import pandas as pd

from etl.metrics import queries
from etl.metrics.definitions import COUNTS, RATE_BY_NAME, RATES, Rate

DEALER_COLUMNS = ["dealer_id", "dealer_name", "region", "province", "area_type"]
CONTROL_RATES = ("complaint_rate", "miss_rate", "dissatisfaction_rate")
# The rates of the Overview tiles, in the order HQ reads them.
TILE_RATES = ("complaints_per_1000_sales", "complaint_rate", "miss_rate", "satisfaction_rate",
              "dissatisfaction_rate", "on_time_rate", "fake_rate", "dealer_callback_rate", "hq_callback_coverage")
# A rate judged against a range: its upper bound's rules key.
UPPER_BOUNDS = {"hq_callback_coverage": "controls.hq_callback_coverage_max"}


def masked_phone(expression: str) -> str:
    """SQL for a phone shown as 138****5678: the first three and last four digits of a mobile number.

    Shorter numbers keep only their last four characters; four or fewer are hidden whole.
    """
    text = f"trim(CAST({expression} AS VARCHAR))"
    return (f"CASE WHEN {expression} IS NULL THEN NULL "
            f"WHEN length({text}) >= 11 THEN left({text}, 3) || '****' || right({text}, 4) "
            f"WHEN length({text}) > 4 THEN repeat('*', length({text}) - 4) || right({text}, 4) "
            f"ELSE repeat('*', length({text})) END")


def masked_name(expression: str) -> str:
    """SQL for a name shortened to its first character and a star: 张三丰 -> 张*."""
    text = f"trim(CAST({expression} AS VARCHAR))"
    return f"CASE WHEN {expression} IS NULL OR {text} = '' THEN NULL ELSE left({text}, 1) || '*' END"


@dataclass(frozen=True)
class Scope:
    """The dealers and months a page looks at: the dashboard's filters (empty = all)."""

    first_month: dt.date | None = None
    last_month: dt.date | None = None
    regions: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    area_types: tuple[str, ...] = ()
    dealer_ids: tuple[str, ...] = field(default=())

    @property
    def months(self) -> tuple[dt.date, dt.date] | None:
        return (self.first_month, self.last_month) if self.first_month and self.last_month else None

    def dealer_filters(self) -> dict[str, list[str]]:
        """The dealers filter of queries.rollup."""
        return {"region": list(self.regions), "province": list(self.provinces),
                "area_type": list(self.area_types), "dealer_id": list(self.dealer_ids)}

    def previous(self) -> "Scope | None":
        """The same number of months right before this span: what 'against the previous period' compares with."""
        if not self.months:
            return None
        length = month_index(self.last_month) - month_index(self.first_month) + 1
        return replace(self, first_month=add_months(self.first_month, -length),
                       last_month=add_months(self.first_month, -1))

    def for_dealer(self, dealer_id: str) -> "Scope":
        return replace(self, dealer_ids=(dealer_id,))


def month_index(month: dt.date) -> int:
    return month.year * 12 + month.month - 1


def add_months(month: dt.date, count: int) -> dt.date:
    index = month_index(month) + count
    return dt.date(index // 12, index % 12 + 1, 1)


def _dealer_where(scope: Scope, alias: str = "d") -> tuple[str, list]:
    where, params = ["true"], []
    for column, values in scope.dealer_filters().items():
        if values:
            where.append(f"{alias}.{column} IN ({', '.join('?' for _ in values)})")
            params += values
    return " AND ".join(where), params


def _month_where(scope: Scope, column: str) -> tuple[str, list]:
    if not scope.months:
        return "true", []
    return f"{column} BETWEEN ? AND ?", list(scope.months)


# --- what there is to choose from -------------------------------------------------------------

def dealer_roster(con) -> pd.DataFrame:
    """Every dealer with the columns the filters choose by."""
    return con.execute(f"SELECT {', '.join(DEALER_COLUMNS)}, city FROM dealers ORDER BY dealer_id").df()


def months_available(con) -> list[dt.date]:
    """Months with any repair record, callback, hotline ticket or sales row, oldest first."""
    rows = con.execute("SELECT DISTINCT month FROM dealer_month_keys ORDER BY month").fetchall()
    return [_as_date(row[0]) for row in rows]


def last_load(con) -> dt.datetime | None:
    """When the newest file that loaded finished: the 'data as of' a page shows."""
    return con.execute("SELECT max(finished_at) FROM load_log WHERE status = 'loaded'").fetchone()[0]


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


# --- thresholds --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Threshold:
    """A rate's limit from the rules (as the views read it) and which side of it is good."""

    rate: str
    limit: Decimal
    good_when: str                 # "below" or "at_least"
    upper: Decimal | None = None   # for a range (HQ callback coverage 10-20 %)

    def passes(self, numerator, denominator) -> bool | None:
        """Exact comparison on the counts, as the award view does; None when the rate is empty."""
        if denominator is None or pd.isna(denominator) or int(denominator) == 0:
            return None
        scaled = Decimal(int(numerator)) * RATE_BY_NAME[self.rate].scale
        base = Decimal(int(denominator))
        ok = scaled < self.limit * base if self.good_when == "below" else scaled >= self.limit * base
        if self.upper is not None:
            ok = ok and scaled <= self.upper * base
        return ok


def _variable(con, rules_key: str) -> Decimal:
    """A threshold exactly as the views read it (the connection's rules or what-if, else the stored rules)."""
    value = con.execute(f"SELECT rule('rule_{rules_key.replace('.', '_')}')").fetchone()[0]
    return Decimal(str(value))


def thresholds(con) -> dict[str, Threshold]:
    """Every rate that has a threshold in the rules, with the values this connection's rules hold."""
    found = {}
    for rate in RATES:
        if rate.threshold:
            upper = UPPER_BOUNDS.get(rate.name)
            found[rate.name] = Threshold(rate.name, _variable(con, rate.threshold), rate.good_when,
                                         _variable(con, upper) if upper else None)
    return found


def judge(frame: pd.DataFrame, limits: dict[str, Threshold]) -> pd.DataFrame:
    """Add `<rate>_ok` (True / False / empty) for every rate with a threshold, from the frame's counts."""
    judged = frame.copy()
    for name, limit in limits.items():
        rate: Rate = RATE_BY_NAME[name]
        judged[f"{name}_ok"] = pd.array(
            [limit.passes(num, den) for num, den in zip(frame[rate.numerator], frame[rate.denominator])],
            dtype="boolean")
    return judged


# --- overview and ranking ----------------------------------------------------------------------

def metric_rows(con, scope: Scope):
    """The rows of dealer_month_metrics a page's roll-ups need: the scope's months and the period before,
    or the control charts' baseline months before the scope when they reach further back (issue 6),
    every dealer (so scopes that differ only in dealers share them), as an Arrow table."""
    where, params = "true", []
    if scope.months:
        baseline = int(con.execute("SELECT rule('rule_statistics_baseline_months')").fetchall()[0][0])
        first = min(scope.previous().first_month, add_months(scope.first_month, -baseline))
        where, params = "month BETWEEN ? AND ?", [first, scope.last_month]
    return con.sql(f"SELECT * FROM dealer_month_metrics WHERE {where}", params=params).to_arrow_table()


def use_metric_rows(con, rows) -> None:
    """Make this connection's roll-ups read `rows` (from metric_rows) instead of recomputing the views.

    The views recompute every figure from the loaded rows on each query (a fifth of a second on
    the demo data) and a page asks for several roll-ups. A temporary table named
    dealer_month_metrics shadows the view for this connection only, so queries.rollup reads the
    stored rows: same figures, computed once. Connections are short-lived, so the copy never
    outlives the page's query.
    """
    con.register("metric_rows_in", rows)
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE dealer_month_metrics AS SELECT * FROM metric_rows_in")
    finally:
        con.unregister("metric_rows_in")


def scope_totals(con, scope: Scope) -> pd.DataFrame:
    """One row: every count and rate over the scope's dealers and months."""
    return queries.rollup(con, [], scope.months, scope.dealer_filters())


def monthly_trend(con, scope: Scope) -> pd.DataFrame:
    """One row per month of the scope: every count and rate over its dealers."""
    return queries.rollup(con, ["month"], scope.months, scope.dealer_filters())


def dealer_ranking(con, scope: Scope) -> pd.DataFrame:
    """Every dealer of the scope with every count and rate over its months; dealers without activity show 0s."""
    where, params = _dealer_where(scope)
    roster = con.execute(f"SELECT {', '.join(DEALER_COLUMNS)} FROM dealers d WHERE {where} ORDER BY dealer_id",
                         params).df()
    measured = queries.rollup(con, ["dealer_id"], scope.months, scope.dealer_filters())
    ranking = roster.merge(measured, on="dealer_id", how="left")
    counts = [c for c in COUNTS if c != "sales_amount"]
    ranking[counts] = ranking[counts].fillna(0).astype("int64")
    ranking["sales_amount"] = ranking["sales_amount"].fillna(0.0)
    return ranking


def tiles(current: pd.DataFrame, previous: pd.DataFrame | None, limits: dict[str, Threshold]) -> pd.DataFrame:
    """One row per Overview tile: the rate now, in the previous period, the change, its threshold and verdict."""
    rows = []
    now = current.iloc[0] if len(current) else None
    before = previous.iloc[0] if previous is not None and len(previous) else None
    for name in TILE_RATES:
        rate = RATE_BY_NAME[name]
        value = _value(now, name)
        earlier = _value(before, name)
        limit = limits.get(name)
        rows.append({
            "rate": name, "value": value, "previous": earlier,
            "change": value - earlier if value is not None and earlier is not None else None,
            "numerator": _count(now, rate.numerator), "denominator": _count(now, rate.denominator),
            "low": _value(now, f"{name}_low"), "high": _value(now, f"{name}_high"),   # Wilson interval (issue 6)
            "good_when": rate.good_when, "limit": float(limit.limit) if limit else None,
            "upper": float(limit.upper) if limit and limit.upper is not None else None,
            "ok": limit.passes(_count(now, rate.numerator), _count(now, rate.denominator)) if limit else None,
        })
    return pd.DataFrame(rows)


def _value(row, name: str) -> float | None:
    if row is None or pd.isna(row[name]):
        return None
    return float(row[name])


def _count(row, name: str) -> int:
    return 0 if row is None or pd.isna(row[name]) else int(row[name])


def dealer_months(con, scope: Scope) -> pd.DataFrame:
    """The rows of dealer_month_metrics for the scope's dealers and months (each dealer-month as the view has it)."""
    dealers, dealer_params = _dealer_where(scope)
    months, month_params = _month_where(scope, "m.month")
    return con.execute(f"SELECT m.* FROM dealer_month_metrics m JOIN dealers d USING (dealer_id) "
                       f"WHERE {dealers} AND {months} ORDER BY m.dealer_id, m.month", dealer_params + month_params).df()


def _failing(judged: pd.DataFrame, rates) -> pd.Series:
    failed = pd.Series(False, index=judged.index)
    for name in rates:
        failed |= judged[f"{name}_ok"].eq(False).fillna(False).astype(bool)
    return failed


def control_breaches(ranking: pd.DataFrame, months: pd.DataFrame, limits: dict[str, Threshold]) -> pd.DataFrame:
    """Dealers of a ranking failing any of the three 10 % controls over the span, worst first.

    `<rate>_ok` flags the control(s) failed; `breach_months` counts the dealer's months of the
    span (rows of dealer_months) that failed a control on their own.
    """
    controls = {name: limits[name] for name in CONTROL_RATES if name in limits}
    judged = judge(ranking, controls)
    monthly = judge(months, controls)
    breach_months = monthly[_failing(monthly, controls)].groupby("dealer_id").size()
    flags = [f"{name}_ok" for name in controls]
    columns = DEALER_COLUMNS + [c for name in controls for c in (RATE_BY_NAME[name].numerator,
                                                                  RATE_BY_NAME[name].denominator, name)] + flags
    breaches = judged.loc[_failing(judged, controls), list(dict.fromkeys(columns))]
    breaches["controls_failed"] = (~breaches[flags].fillna(True).astype(bool)).sum(axis=1)
    breaches["breach_months"] = breaches["dealer_id"].map(breach_months).fillna(0).astype("int64")
    return breaches.sort_values(["controls_failed", "breach_months", "dealer_id"],
                                ascending=[False, False, True]).reset_index(drop=True)


# --- one dealer --------------------------------------------------------------------------------

def report_timeliness(con, dealer_id: str, scope: Scope, today: dt.date) -> pd.DataFrame:
    """Each month of the scope for one dealer: deadline, first and latest submission, days late and a status.

    status: on_time, late, missing (deadline passed, no report), not_due (deadline still ahead)
    or no_contract (the dealer was not under contract that month and sent nothing).
    """
    if not scope.months:
        return pd.DataFrame(columns=["month", "report_due_on", "first_submitted_on", "last_submitted_on",
                                     "submissions", "days_late", "status"])
    first, last = scope.months
    years = range(first.year, last.year + 1)
    months = " UNION ALL ".join(f"SELECT * FROM dealer_year_months({int(year)})" for year in years)
    return con.execute(f"""
        SELECT m.month, m.report_due_on, s.first_submitted_on, s.last_submitted_on,
               coalesce(s.submissions, 0) AS submissions,
               CAST(s.first_submitted_on - m.report_due_on AS INTEGER) AS days_late,
               CASE WHEN m.report_on_time THEN 'on_time'
                    WHEN s.first_submitted_on IS NOT NULL THEN 'late'
                    WHEN m.report_due_on > CAST(? AS DATE) THEN 'not_due'
                    WHEN NOT m.under_contract THEN 'no_contract'
                    ELSE 'missing' END AS status
        FROM ({months}) m
        LEFT JOIN report_submissions s ON s.dealer_id = m.dealer_id AND s.report_month = m.month
        WHERE m.dealer_id = ? AND m.month BETWEEN ? AND ?
        ORDER BY m.month""", [today, dealer_id, first, last]).df()


def _records(con, sql: str, params: list) -> pd.DataFrame:
    return con.execute(sql, params).df()


def _repair_people(alias: str = "r") -> str:
    """The masked customer columns of a repair record."""
    return (f"{masked_name(f'{alias}.customer_name')} AS customer_name, "
            f"{masked_phone(f'{alias}.customer_phone')} AS customer_phone")


def _open_records(con, dealer_id: str, scope: Scope) -> pd.DataFrame:
    """Repair records still open (status open), by the month they were reported in."""
    months, params = _month_where(scope, "r.report_month")
    return _records(con, f"""
        SELECT r.record_no, r.report_month, r.requested_at, r.service_type, r.product_model, r.fault_category,
               r.technician, r.hq_ticket_id, {_repair_people()}
        FROM repair_facts r WHERE r.dealer_id = ? AND r.is_open AND {months}
        ORDER BY r.requested_at, r.record_no""", [dealer_id] + params)


def _missed_requests(con, dealer_id: str, scope: Scope) -> pd.DataFrame:
    """Missed requests: open records, records an HQ callback found unresolved, unanswered hotline requests."""
    months, params = _month_where(scope, "q.month")
    return _records(con, f"""
        SELECT q.month, q.request_source, q.request_id, q.requested_at,
               coalesce(r.is_open, false) AS is_open, coalesce(r.found_unresolved, false) AS found_unresolved,
               r.service_type, r.product_model,
               {masked_name('r.customer_name')} AS customer_name,
               {masked_phone('coalesce(r.customer_phone, h.customer_phone)')} AS customer_phone
        FROM requests q
        LEFT JOIN repair_facts r
               ON q.request_source = 'repair_record' AND r.dealer_id = q.dealer_id AND r.record_no = q.request_id
        LEFT JOIN hotline h ON q.request_source = 'hotline_ticket' AND h.ticket_id = q.request_id
        WHERE q.dealer_id = ? AND q.missed AND {months}
        ORDER BY q.requested_at, q.request_id""", [dealer_id] + params)


def _complaint_records(con, dealer_id: str, scope: Scope) -> pd.DataFrame:
    """Distinct complaints with the events merged into each, in the month of the earliest event."""
    months, params = _month_where(scope, "c.month")
    return _records(con, f"""
        WITH events AS (
            SELECT dealer_id, record_no,
                   CASE WHEN record_no IS NULL THEN source || ' ' || event_id END AS lone_event,
                   bool_or(source = 'hq_callback') AS via_callback,
                   bool_or(source = 'hotline_ticket') AS via_hotline,
                   string_agg(event_id, ', ' ORDER BY event_at, event_id) AS event_ids
            FROM complaint_events WHERE dealer_id = ?
            GROUP BY dealer_id, record_no, lone_event
        )
        SELECT c.month, c.first_event_at, c.record_no, c.events, e.via_callback, e.via_hotline, e.event_ids,
               r.product_model, {_repair_people()}
        FROM complaints c
        JOIN events e ON e.dealer_id = c.dealer_id AND e.record_no IS NOT DISTINCT FROM c.record_no
                     AND (c.record_no IS NOT NULL OR c.evidence = e.lone_event)
        LEFT JOIN latest_repairs r ON r.dealer_id = c.dealer_id AND r.record_no = c.record_no
        WHERE c.dealer_id = ? AND {months}
        ORDER BY c.first_event_at, e.event_ids""", [dealer_id, dealer_id] + params)


def _fake_records(con, dealer_id: str, scope: Scope) -> pd.DataFrame:
    """Reached HQ callbacks whose customer says the service never happened, in the callback's month."""
    months, params = _month_where(scope, "c.month")
    return _records(con, f"""
        SELECT c.month, c.called_at, c.callback_id, c.record_no, r.report_month, r.service_type,
               r.labor_fee, r.parts_fee, c.comment, {_repair_people()}
        FROM callback_facts c
        LEFT JOIN latest_repairs r ON r.dealer_id = c.dealer_id AND r.record_no = c.record_no
        WHERE c.dealer_id = ? AND c.is_fake AND {months}
        ORDER BY c.called_at, c.callback_id""", [dealer_id] + params)


def _late_arrivals(con, dealer_id: str, scope: Scope) -> pd.DataFrame:
    """Records in the on-time base that did not arrive within the SLA hours (open records without arrival too)."""
    months, params = _month_where(scope, "r.report_month")
    return _records(con, f"""
        SELECT r.record_no, r.report_month, r.requested_at, r.arrived_at,
               round((epoch(r.arrived_at) - epoch(r.requested_at)) / 3600, 1) AS hours_to_arrive,
               r.sla_hours, r.status, r.technician, {_repair_people()}
        FROM repair_facts r
        WHERE r.dealer_id = ? AND r.in_on_time_base AND NOT coalesce(r.arrived_on_time, false) AND {months}
        ORDER BY r.requested_at, r.record_no""", [dealer_id] + params)


def _repeat_repairs(con, dealer_id: str, scope: Scope) -> pd.DataFrame:
    """Repairs of a serial number repaired shortly before (any dealer), with that earlier repair."""
    months, params = _month_where(scope, "r.report_month")
    return _records(con, f"""
        SELECT r.record_no, r.report_month, r.requested_at, r.serial_no, r.product_model, r.fault_category,
               p.dealer_id AS earlier_dealer_id, p.record_no AS earlier_record_no,
               p.requested_at AS earlier_requested_at, {_repair_people()}
        FROM repair_facts r
        LEFT JOIN LATERAL (
            SELECT e.dealer_id, e.record_no, e.requested_at FROM repairs e
            WHERE e.service_type = 'repair' AND e.serial_no = r.serial_no AND e.requested_at < r.requested_at
            ORDER BY e.requested_at DESC, e.dealer_id, e.record_no LIMIT 1) p ON true
        WHERE r.dealer_id = ? AND r.is_repeat AND {months}
        ORDER BY r.requested_at, r.record_no""", [dealer_id] + params)


RECORD_LISTS = {  # list name -> query
    "open_records": _open_records, "misses": _missed_requests, "complaints": _complaint_records,
    "fake_records": _fake_records, "late_arrivals": _late_arrivals, "repeat_repairs": _repeat_repairs,
}
# How many rows each list has, from the counts of dealer_month_metrics: (counted, minus) columns.
RECORD_COUNTS = {
    "open_records": ("open_records", None), "misses": ("misses", None), "complaints": ("complaints", None),
    "fake_records": ("fake_records", None), "late_arrivals": ("on_time_base", "on_time"),
    "repeat_repairs": ("repeat_repairs", None),
}


def record_list(con, name: str, dealer_id: str, scope: Scope) -> pd.DataFrame:
    """One list of the records behind a dealer's numbers (RECORD_LISTS), in the scope's months."""
    return RECORD_LISTS[name](con, dealer_id, scope)


def record_counts(totals: pd.DataFrame) -> dict[str, int]:
    """The length of each record list, read off a roll-up row: the lists hold exactly what those counts count."""
    row = totals.iloc[0] if len(totals) else None
    return {name: _count(row, counted) - (_count(row, minus) if minus else 0)
            for name, (counted, minus) in RECORD_COUNTS.items()}


# --- award and settlement ----------------------------------------------------------------------

def years_available(con) -> list[int]:
    """Calendar years with any activity, oldest first."""
    return [row[0] for row in con.execute(
        "SELECT DISTINCT year(month) FROM dealer_month_keys ORDER BY 1").fetchall()]


AWARD_CRITERIA = ("complaints", "satisfaction", "evidence", "reports", "network", "notices")


def award_ranked(con, year: int, as_of: dt.date) -> pd.DataFrame:
    """queries.award with the eligible dealers on top, then the fewest failed criteria."""
    frame = queries.award(con, year, as_of)
    frame["criteria_failed"] = sum((~frame[f"pass_{c}"].astype(bool)).astype(int) for c in AWARD_CRITERIA)
    return frame.sort_values(["eligible", "criteria_failed", "dealer_id"],
                             ascending=[False, True, True]).reset_index(drop=True)
