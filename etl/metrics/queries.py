"""Named queries over the metric views: the reports of spec 5 and the roll-up every page's figures come from.

Each function takes an open connection (etl.db.reader or writer) and returns a DataFrame; the SQL
is in etl/metrics/sql/<name>.sql (etl.metrics.named), filtered by etl.metrics.scope.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from etl.metrics import named
from etl.metrics.definitions import rollup_select
from etl.metrics.scope import Scope, where

# What a roll-up reads: the view, or the rows of it a page stored on its connection (overview.use_metric_rows).
METRIC_VIEW = "dealer_month_metrics"
STORED_ROWS = "page_metric_rows"
SOURCES = (METRIC_VIEW, STORED_ROWS)
# Columns a roll-up takes from the dealers rather than from the metric rows.
DEALER_ATTRIBUTES = ("region", "province", "city", "area_type", "dealer_name")

MONTHLY_COLUMNS = [
    "dealer_id",
    "month",
    "services",
    "complaints",
    "units_sold",
    "complaints_per_1000_sales",
    "complaint_rate",
    "requests",
    "misses",
    "miss_rate",
    "callbacks",
    "callbacks_reached",
    "callbacks_answered",
    "satisfied",
    "satisfaction_rate",
    "dissatisfied",
    "dissatisfaction_rate",
    "fake_records",
    "fake_rate",
    "on_time",
    "on_time_base",
    "on_time_rate",
    "dealer_callbacks",
    "dealer_callback_rate",
    "repeat_repairs",
    "repeat_base",
    "repeat_repair_rate",
    "report_submitted_on",
    "report_on_time",
]
# Spec 5 `award`, with issue 6's Wilson interval of the satisfaction rate right after it.
AWARD_COLUMNS = [
    "dealer_id",
    "dealer_name",
    "year",
    "complaints",
    "units_sold",
    "complaints_per_1000_sales",
    "pass_complaints",
    "callbacks_answered",
    "satisfied",
    "satisfaction_rate",
    "satisfaction_low",
    "satisfaction_high",
    "pass_satisfaction",
    "pass_evidence",
    "months_due",
    "reports_on_time",
    "report_rate",
    "pass_reports",
    "technicians",
    "has_service_center",
    "pass_network",
    "notices",
    "pass_notices",
    "eligible",
    "reasons",
]
SETTLEMENT_COLUMNS = [
    "dealer_id",
    "dealer_name",
    "year",
    "sales_amount",
    "fee_base",
    "max_consecutive_missing",
    "missing_deduction",
    "fake_records",
    "fake_penalty",
    "complaints",
    "complaint_deduction",
    "net_fee",
]
MONEY_COLUMNS = ["sales_amount", "fee_base", "missing_deduction", "fake_penalty", "complaint_deduction", "net_fee"]
DEDUCTION_COLUMNS = ("missing_deduction", "fake_penalty", "complaint_deduction")


def monthly(con, year: int | None = None) -> pd.DataFrame:
    """Spec 5 `monthly`: one row per dealer-month with activity, ordered by dealer and month."""
    return named.run(con, "monthly", {"year": year or None})


def award(con, year: int, as_of: dt.date, scope: Scope | None = None) -> pd.DataFrame:
    """Spec 3.1: every dealer (of the scope) under contract in the year, each criterion and its status,
    in codes and numbers; etl.wording.award_in_words adds the reasons and cautions in words."""
    frame = named.run(
        con, "award", {"year": year, "as_of": as_of}, scope=where(scope or Scope(), month=None, dealers="a")
    )
    frame["require_service_center"] = named.value(con, "rule_value", {"name": "rule_award_require_service_center"}) == 1
    return frame


def settlement(con, year: int, as_of: dt.date, scope: Scope | None = None) -> pd.DataFrame:
    """Spec 3.2: fee base, deductions and net fee (of the scope's dealers); money rounded to 2 decimals,
    net from unrounded."""
    return named.run(
        con, "settlement", {"year": year, "as_of": as_of}, scope=where(scope or Scope(), month=None, dealers="s")
    )


def settlement_totals(dealers: pd.DataFrame) -> dict[str, float]:
    """The Settlement page's totals: each money column summed over the dealers shown, and how many they are."""
    totals: dict[str, float] = {column: float(dealers[column].sum()) for column in MONEY_COLUMNS}
    totals["dealers"] = len(dealers)
    return totals


def deductions_total(dealers: pd.DataFrame) -> pd.Series:
    """Each dealer's deductions together (missing reports, fake records, complaints)."""
    return sum((dealers[column] for column in DEDUCTION_COLUMNS), pd.Series(0.0, index=dealers.index))


def _rollup_parts(con, group_by: list[str], scope: Scope, source: str) -> dict:
    if source not in SOURCES:
        raise ValueError(f"a roll-up reads one of {SOURCES}, not {source!r}")
    qualified = [f"d.{g}" if g in DEALER_ATTRIBUTES else f"m.{g}" for g in group_by]
    columns = rollup_select([f"{q} AS {g}" for q, g in zip(qualified, group_by)], named.value(con, "interval_z"))
    group = f"GROUP BY {', '.join(qualified)} ORDER BY {', '.join(qualified)}" if group_by else ""
    return {
        "columns": columns,
        "source": source,
        "group": group,
        "scope": where(scope, month="m.month", dealers="d", dealer_id="m.dealer_id"),
    }


def rollup(
    con,
    group_by: list[str],
    months: tuple[dt.date, dt.date] | None = None,
    dealers: dict[str, list[str]] | None = None,
    source: str = METRIC_VIEW,
) -> pd.DataFrame:
    """Sum numerators and denominators over any dealers and months, then take the rates and intervals.

    group_by: columns of dealer_month_metrics or dealers (region, province, area_type, month ...).
    dealers: filters such as {"region": ["华东"], "area_type": ["urban"]}.
    source: METRIC_VIEW, or STORED_ROWS where a page stored the rows it needs on this connection
    (overview.use_metric_rows; control-chart baselines may need months those rows do not hold).
    """
    return named.run(con, "rollup", **_rollup_parts(con, group_by, Scope.of(months, dealers), source))


def rollup_fragment(con, group_by: list[str], scope: Scope, source: str = METRIC_VIEW) -> named.Fragment:
    """The roll-up of `scope` as a fragment of another named query."""
    return named.fragment("rollup", **_rollup_parts(con, group_by, scope, source))
