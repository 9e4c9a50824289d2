"""Pieces more than one document prints: the rates against thresholds (the Overview's tiles), the
12-month trend (table and chart), the reports missing or late. Frames come from the metric layer
(etl.metrics.overview / timeliness); nothing here divides."""

from __future__ import annotations

import pandas as pd

from etl import format as fmt
from etl.metrics.definitions import CONTROL_RATES, RATE_BY_NAME
from etl.metrics.overview import TILE_RATES
from etl.packs.context import Context
from etl.packs.document import Chart, Column, Table, rate_kind

# The trend table's rates (the monthly report's headline rates); the chart draws the three controls.
TREND_RATES = (
    "complaint_rate",
    "miss_rate",
    "dissatisfaction_rate",
    "satisfaction_rate",
    "on_time_rate",
    "fake_rate",
    "complaints_per_1000_sales",
)


def rates_table(ctx: Context, tiles: pd.DataFrame, title: str, national: pd.DataFrame | None = None) -> Table:
    """overview.tiles' rows: each rate with its counts, Wilson interval, threshold and verdict, the previous
    period and the change; `national` (a scope_totals row) adds the national figure beside it."""
    frame = tiles.copy()
    frame["label"] = [ctx.t(f"rate.{name}") for name in frame["rate"]]
    frame["scale"] = [RATE_BY_NAME[name].scale for name in frame["rate"]]
    frame["threshold"] = [fmt.threshold(row.good_when, row.limit, row.upper, row.scale) for row in frame.itertuples()]
    columns = [
        Column("label", ctx.t("pack.rate")),
        Column("numerator", ctx.t("pack.numerator"), "count"),
        Column("denominator", ctx.t("pack.denominator"), "count"),
        Column("value", ctx.t("pack.value"), "rate"),
        Column("low", ctx.t("pack.low"), "rate"),
        Column("high", ctx.t("pack.high"), "rate"),
        Column("threshold", ctx.t("pack.threshold")),
        Column("ok", ctx.t("pack.verdict"), "verdict"),
        Column("previous", ctx.t("pack.previous"), "rate"),
        Column("change", ctx.t("pack.change"), "change"),
    ]
    widths = [2.6, 1.1, 1.1, 1.1, 1.1, 1.1, 1.1, 0.9, 1.1, 1.0]
    if national is not None:
        row = national.iloc[0] if len(national) else None
        frame["national"] = [None if row is None or pd.isna(row[name]) else float(row[name]) for name in frame["rate"]]
        columns.append(Column("national", ctx.t("pack.national_value"), "rate"))
        widths.append(1.1)
    return Table(title, frame, columns, note=ctx.t("pack.rates_note"), widths=widths)


def trend_table(ctx: Context, monthly: pd.DataFrame, title: str) -> Table:
    """One row per month of a roll-up by month: services and the headline rates."""
    frame = monthly.copy()
    frame["month"] = pd.to_datetime(frame["month"])
    columns = [Column("month", ctx.t("col.month"), "month"), Column("services", ctx.t("col.services"), "count")]
    columns += [Column(name, ctx.t(f"rate.{name}"), rate_kind(name)) for name in TREND_RATES]
    return Table(title, frame, columns, empty=ctx.t("pack.no_data"), widths=[1.1, 1.0] + [1.2] * len(TREND_RATES))


def control_chart(ctx: Context, monthly: pd.DataFrame, months: list[str], title: str) -> Chart:
    """The three controls (三个控制) month by month, in percent, with their thresholds as dashed lines."""
    by_month = {f"{pd.Timestamp(m):%Y-%m}": row for m, row in zip(monthly["month"], monthly.to_dict("records"))}
    series, limits = {}, {}
    for name in CONTROL_RATES:
        label = ctx.t(f"rate.{name}")
        series[label] = [
            None if m not in by_month or pd.isna(by_month[m][name]) else float(by_month[m][name]) * 100 for m in months
        ]
        if name in ctx.limits:
            limits[ctx.t("pack.limit_of", rate=label)] = float(ctx.limits[name].limit) * 100
    return Chart(title, months, series, "%", limits)


def month_labels(first, last) -> list[str]:
    return [f"{m:%Y-%m}" for m in pd.date_range(first, last, freq="MS")]


def late_reports_table(ctx: Context, status: pd.DataFrame, title: str, with_dealer: bool) -> Table:
    """report_status rows that are missing or late: month, due date, first submission, days late or overdue."""
    frame = status[status["status"].isin(["missing", "late"])].copy() if len(status) else status
    columns = (
        [Column("dealer_id", ctx.t("col.dealer_id")), Column("dealer_name", ctx.t("col.dealer_name"))]
        if with_dealer
        else []
    )
    columns += [
        Column("month", ctx.t("col.month"), "month"),
        Column("report_due_on", ctx.t("col.report_due_on"), "day"),
        Column("report_submitted_on", ctx.t("col.report_submitted_on"), "day"),
        Column("days_late", ctx.t("col.days_late"), "count"),
        Column("days_overdue", ctx.t("col.days_overdue"), "count"),
        Column("status", ctx.t("col.status"), "code"),
    ]
    if len(frame):
        frame = frame.sort_values(["month", "dealer_id"]).reset_index(drop=True)
    return Table(title, frame, columns, empty=ctx.t("pack.no_late_reports"))


__all__ = [
    "TILE_RATES",
    "TREND_RATES",
    "control_chart",
    "late_reports_table",
    "month_labels",
    "rates_table",
    "trend_table",
]
