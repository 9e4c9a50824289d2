"""The Overview's and the Dealers page's figures: what there is to choose from, the metric rows a page
shares, roll-ups over the scope, the ranking, the tiles and the control breaches.

Every function takes an open connection (etl.db.reader) and returns a DataFrame or plain values.
Rates come only from queries.rollup / the metric views (etl/metrics/definitions.py); verdicts from
etl.metrics.thresholds; this module picks rows and sums nothing into a rate.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from etl.metrics import named, queries
from etl.metrics.definitions import CONTROL_RATES, COUNTS, RATE_BY_NAME
from etl.metrics.queries import METRIC_VIEW, STORED_ROWS
from etl.metrics.scope import Scope, add_months, month_index, where
from etl.metrics.thresholds import Threshold, judge

DEALER_COLUMNS = ["dealer_id", "dealer_name", "region", "province", "area_type"]
# The rates of the Overview tiles, in the order HQ reads them.
TILE_RATES = (
    "complaints_per_1000_sales",
    "complaint_rate",
    "miss_rate",
    "satisfaction_rate",
    "dissatisfaction_rate",
    "on_time_rate",
    "fake_rate",
    "dealer_callback_rate",
    "hq_callback_coverage",
)


# --- what there is to choose from -------------------------------------------------------------


def dealer_roster(con) -> pd.DataFrame:
    """Every dealer with the columns the filters choose by."""
    return named.run(con, "dealer_roster")


def months_available(con) -> list[dt.date]:
    """Months with any repair record, callback, hotline ticket or sales row, oldest first."""
    return [_as_date(row[0]) for row in named.rows(con, "months_available")]


def last_load(con) -> dt.datetime | None:
    """When the newest file that loaded finished: the 'data as of' a page shows."""
    return named.value(con, "last_load")


def years_available(con) -> list[int]:
    """Calendar years with any activity, oldest first."""
    return [row[0] for row in named.rows(con, "years_available")]


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


# --- the metric rows a page shares ---------------------------------------------------------------


def metric_rows(con, scope: Scope):
    """The rows of dealer_month_metrics a page's roll-ups need: the scope's months and the period before,
    or the control charts' baseline months before the scope when they reach further back (issue 6),
    every dealer (so scopes that differ only in dealers share them), as an Arrow table."""
    months = Scope()
    if scope.months:
        first, last = scope.months
        baseline = int(named.value(con, "rule_value", {"name": "rule_statistics_baseline_months"}))
        length = month_index(last) - month_index(first) + 1  # the previous period's
        months = Scope(min(add_months(first, -length), add_months(first, -baseline)), last)
    return named.arrow(con, "metric_rows", months=where(months, month="m.month", dealers=None))


def use_metric_rows(con, rows) -> str:
    """Keep `rows` (from metric_rows) on this connection as the temporary table STORED_ROWS, and return
    its name: the roll-ups given it as `source` read the stored rows instead of recomputing the views.

    The views recompute every figure from the loaded rows on each query and a page asks for several
    roll-ups: same figures, computed once. The table has a name of its own (it does not shadow the
    view), connections are short-lived, and app/connections.py drops it after each read.
    """
    con.register("metric_rows_in", rows)
    try:
        named.execute(con, "store_metric_rows")
    finally:
        con.unregister("metric_rows_in")
    return STORED_ROWS


# --- roll-ups over the scope ---------------------------------------------------------------------


def scope_totals(con, scope: Scope, source: str = METRIC_VIEW) -> pd.DataFrame:
    """One row: every count and rate over the scope's dealers and months."""
    return queries.rollup(con, [], scope.months, scope.dealer_filters(), source)


def monthly_trend(con, scope: Scope, source: str = METRIC_VIEW) -> pd.DataFrame:
    """One row per month of the scope: every count and rate over its dealers."""
    return queries.rollup(con, ["month"], scope.months, scope.dealer_filters(), source)


def dealer_ranking(con, scope: Scope, source: str = METRIC_VIEW) -> pd.DataFrame:
    """Every dealer of the scope with every count and rate over its months; dealers without activity show 0s."""
    roster = named.run(con, "dealers_in_scope", scope=where(scope.dealers_only(), dealers="d"))
    measured = queries.rollup(con, ["dealer_id"], scope.months, scope.dealer_filters(), source)
    ranking = roster.merge(measured, on="dealer_id", how="left")
    counts = [c for c in COUNTS if c != "sales_amount"]
    ranking[counts] = ranking[counts].fillna(0).astype("int64")
    ranking["sales_amount"] = ranking["sales_amount"].fillna(0.0)
    return ranking


def dealer_months(con, scope: Scope, source: str = METRIC_VIEW) -> pd.DataFrame:
    """The rows of dealer_month_metrics for the scope's dealers and months (each dealer-month as the view has it)."""
    if source not in queries.SOURCES:
        raise ValueError(f"dealer months are read from one of {queries.SOURCES}, not {source!r}")
    return named.run(con, "dealer_months", source=source, scope=where(scope, month="m.month", dealers="d"))


# --- tiles and breaches ----------------------------------------------------------------------------


def tiles(current: pd.DataFrame, previous: pd.DataFrame | None, limits: dict[str, Threshold]) -> pd.DataFrame:
    """One row per Overview tile: the rate now, in the previous period, the change, its threshold and verdict.

    `current` may hold `<rate>_ok` columns already (thresholds.judge of many rows at once, as a burst of
    scorecards judges every dealer): the verdicts are read from them instead of judged again."""
    rows = []
    now = current.iloc[0] if len(current) else None
    before = previous.iloc[0] if previous is not None and len(previous) else None
    for name in TILE_RATES:
        rate = RATE_BY_NAME[name]
        value = _value(now, name)
        earlier = _value(before, name)
        limit = limits.get(name)
        rows.append(
            {
                "rate": name,
                "value": value,
                "previous": earlier,
                "change": value - earlier if value is not None and earlier is not None else None,
                "numerator": _count(now, rate.numerator),
                "denominator": _count(now, rate.denominator),
                "low": _value(now, f"{name}_low"),
                "high": _value(now, f"{name}_high"),  # Wilson interval (issue 6)
                "good_when": rate.good_when,
                "limit": float(limit.limit) if limit else None,
                "upper": float(limit.upper) if limit and limit.upper is not None else None,
                "ok": (
                    _judged(now, name)
                    if now is not None and f"{name}_ok" in now.index
                    else limit.passes(_count(now, rate.numerator), _count(now, rate.denominator))
                )
                if limit
                else None,
            }
        )
    return pd.DataFrame(rows)


def with_all_dealers(tiles_frame: pd.DataFrame, every_dealer: pd.DataFrame) -> pd.DataFrame:
    """The tiles with `all_dealers`: each rate over every dealer (a scope_totals row of an unlimited scope), the
    comparison a user limited to some dealers is shown, named "all dealers" and naming none of them (issue 15)."""
    row = every_dealer.iloc[0] if len(every_dealer) else None
    return tiles_frame.assign(all_dealers=[_value(row, name) for name in tiles_frame["rate"]])


def _value(row, name: str) -> float | None:
    if row is None or pd.isna(row[name]):
        return None
    return float(row[name])


def _judged(row, name: str) -> bool | None:
    verdict = row[f"{name}_ok"]
    return None if pd.isna(verdict) else bool(verdict)


def _count(row, name: str) -> int:
    return 0 if row is None or pd.isna(row[name]) else int(row[name])


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
    columns = (
        DEALER_COLUMNS
        + [c for name in controls for c in (RATE_BY_NAME[name].numerator, RATE_BY_NAME[name].denominator, name)]
        + flags
    )
    breaches = judged.loc[_failing(judged, controls), list(dict.fromkeys(columns))]
    breaches["controls_failed"] = (~breaches[flags].fillna(True).astype(bool)).sum(axis=1)
    breaches["breach_months"] = breaches["dealer_id"].map(breach_months).fillna(0).astype("int64")
    return breaches.sort_values(
        ["controls_failed", "breach_months", "dealer_id"], ascending=[False, False, True]
    ).reset_index(drop=True)
