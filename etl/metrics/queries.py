"""Named queries over the metric views: the only SQL the pages, the command line and exports run.

Each function takes an open connection (etl.db.reader or writer) and returns a DataFrame.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from etl.metrics.definitions import rollup_select

MONTHLY_COLUMNS = [
    "dealer_id", "month", "services", "complaints", "units_sold", "complaints_per_1000_sales",
    "complaint_rate", "requests", "misses", "miss_rate", "callbacks", "callbacks_reached",
    "callbacks_answered", "satisfied", "satisfaction_rate", "dissatisfied", "dissatisfaction_rate",
    "fake_records", "fake_rate", "on_time", "on_time_base", "on_time_rate", "dealer_callbacks",
    "dealer_callback_rate", "repeat_repairs", "repeat_base", "repeat_repair_rate",
    "report_submitted_on", "report_on_time",
]
# Spec 5 `award`, with issue 6's Wilson interval of the satisfaction rate right after it.
AWARD_COLUMNS = [
    "dealer_id", "dealer_name", "year", "complaints", "units_sold", "complaints_per_1000_sales",
    "pass_complaints", "callbacks_answered", "satisfied", "satisfaction_rate", "satisfaction_low",
    "satisfaction_high", "pass_satisfaction", "pass_evidence", "months_due", "reports_on_time", "report_rate",
    "pass_reports", "technicians", "has_service_center", "pass_network", "notices", "pass_notices", "eligible",
    "reasons",
]
SETTLEMENT_COLUMNS = [
    "dealer_id", "dealer_name", "year", "sales_amount", "fee_base", "max_consecutive_missing",
    "missing_deduction", "fake_records", "fake_penalty", "complaints", "complaint_deduction", "net_fee",
]
MONEY_COLUMNS = ["sales_amount", "fee_base", "missing_deduction", "fake_penalty", "complaint_deduction", "net_fee"]


def monthly(con, year: int | None = None) -> pd.DataFrame:
    """Spec 5 `monthly`: one row per dealer-month with activity, ordered by dealer and month."""
    where = "WHERE year(month) = ?" if year else ""
    frame = con.execute(
        f"SELECT * FROM dealer_month_metrics {where} ORDER BY dealer_id, month", [year] if year else []).df()
    return frame


def award(con, year: int, as_of: dt.date) -> pd.DataFrame:
    """Spec 3.1: every dealer under contract in the year, each criterion and its status, in codes and
    numbers; etl.wording.award_in_words adds the reasons and cautions in words."""
    frame = con.execute("SELECT * FROM award_result(?, ?) ORDER BY dealer_id", [year, as_of]).df()
    frame["require_service_center"] = bool(
        con.execute("SELECT rule('rule_award_require_service_center') = 1").fetchone()[0])
    return frame


def settlement(con, year: int, as_of: dt.date) -> pd.DataFrame:
    """Spec 3.2: fee base, deductions and net fee; money rounded to 2 decimals, net from unrounded."""
    rounded = ", ".join(f"round({c}, 2) AS {c}" for c in MONEY_COLUMNS)
    return con.execute(
        f"SELECT * REPLACE ({rounded}) FROM settlement_evaluation(?, ?) ORDER BY dealer_id", [year, as_of]).df()


def rollup(con, group_by: list[str], months: tuple[dt.date, dt.date] | None = None,
           dealers: dict[str, list[str]] | None = None, source: str = "dealer_month_metrics") -> pd.DataFrame:
    """Sum numerators and denominators over any dealers and months, then take the rates and intervals.

    group_by: columns of dealer_month_metrics or dealers (region, province, area_type, month ...).
    dealers: filters such as {"region": ["华东"], "area_type": ["urban"]}.
    source: "main.dealer_month_metrics" reads the view even where a page shadows it with a
    temporary table of fewer months (drilldown.snapshot_metrics), as control-chart baselines need.
    """
    where, params = ["true"], []
    if months:
        where.append("m.month BETWEEN ? AND ?")
        params += list(months)
    for column, values in (dealers or {}).items():
        if values:
            table = "m" if column == "dealer_id" else "d"   # on m, DuckDB pushes the filter into the views
            where.append(f"{table}.{column} IN ({', '.join('?' for _ in values)})")
            params += list(values)
    qualified = [f"d.{g}" if g in ("region", "province", "city", "area_type", "dealer_name") else f"m.{g}"
                 for g in group_by]
    z = con.execute("SELECT interval_z()").fetchone()[0]
    select = rollup_select([f"{q} AS {g}" for q, g in zip(qualified, group_by)], z)
    group = f"GROUP BY {', '.join(qualified)} ORDER BY {', '.join(qualified)}" if group_by else ""
    return con.execute(
        f"SELECT {select} FROM {source} m JOIN dealers d USING (dealer_id) "
        f"WHERE {' AND '.join(where)} {group}", params).df()
