"""The monthly service quality bulletin (售后服务质量通报) for a month and a scope (national or a region):
headline rates with their intervals against the thresholds and the previous month, the three controls
over 12 months, the ranking of dealers, dealers beyond their funnel limits or out of control (the
watchlist), missing and late reports, fake records found."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pandas as pd

from etl import wording
from etl.metrics import named, overview, quality, timeliness
from etl.metrics.definitions import RATE_BY_NAME
from etl.metrics.scope import Scope
from etl.metrics.thresholds import judge
from etl.packs import parts
from etl.packs.context import Context, Period
from etl.packs.document import Column, Document, Table, rate_kind

# The ranking's rates, each with its verdict against its threshold.
RANKING_RATES = (
    "complaint_rate",
    "miss_rate",
    "dissatisfaction_rate",
    "satisfaction_rate",
    "on_time_rate",
    "fake_rate",
)
OUTLIER_REASONS = ("funnel", "control_chart", "control_breach")


def ranking_table(ctx: Context, ranking: pd.DataFrame) -> Table:
    """Every dealer of the scope: services, the ranking's rates, how many thresholds it fails; the dealers
    failing most first, then the highest complaint rate."""
    judged = judge(ranking, {name: ctx.limits[name] for name in RANKING_RATES if name in ctx.limits})
    flags = [f"{name}_ok" for name in RANKING_RATES if name in ctx.limits]
    judged["thresholds_failed"] = judged[flags].eq(False).fillna(False).astype(bool).sum(axis=1).astype(int)
    judged = judged.sort_values(
        ["thresholds_failed", "complaint_rate", "dealer_id"], ascending=[False, False, True], na_position="last"
    ).reset_index(drop=True)
    judged.insert(0, "rank", range(1, len(judged) + 1))
    columns = [
        Column("rank", ctx.t("pack.rank"), "count"),
        Column("dealer_id", ctx.t("col.dealer_id")),
        Column("dealer_name", ctx.t("col.dealer_name")),
        Column("region", ctx.t("col.region")),
        Column("services", ctx.t("col.services"), "count"),
    ]
    columns += [Column(name, ctx.t(f"rate.{name}"), rate_kind(name)) for name in RANKING_RATES]
    columns.append(Column("thresholds_failed", ctx.t("pack.thresholds_failed"), "count"))
    return Table(
        ctx.t("pack.ranking_title"),
        judged,
        columns,
        note=ctx.t("pack.ranking_note"),
        empty=ctx.t("pack.no_dealers"),
        widths=[0.6, 1.0, 2.4, 0.9, 0.9] + [1.1] * len(RANKING_RATES) + [0.9],
    )


def watchlist_table(ctx: Context, lines: pd.DataFrame, reasons: tuple[str, ...], title: str, empty: str) -> Table:
    """quality.watchlist's lines of some reasons, each with its detail in words."""
    frame = lines[lines["reason"].isin(reasons)].reset_index(drop=True) if len(lines) else lines
    frame = frame.copy()
    if len(frame):
        frame["metric_text"] = [ctx.t(f"rate.{m}") if m in RATE_BY_NAME else ctx.t(f"col.{m}") for m in frame["metric"]]
        frame["reason_text"] = [ctx.t(f"watchlist.reason.{r}") for r in frame["reason"]]
    columns = [
        Column("dealer_id", ctx.t("col.dealer_id")),
        Column("dealer_name", ctx.t("col.dealer_name")),
        Column("reason_text", ctx.t("col.reason")),
        Column("metric_text", ctx.t("pack.rate")),
        Column("detail", ctx.t("col.detail")),
    ]
    return Table(title, frame, columns, empty=empty, widths=[1.0, 2.0, 1.4, 1.6, 6.0])


def cases_table(ctx: Context, scope: Scope) -> Table | None:
    """Issue 16's open and overdue cases per dealer of the scope (etl.metrics.cases.figures at the time the
    pack is made); None where the warehouse has no cases table yet."""
    from etl.metrics import cases

    if not named.value(ctx.con, "table_exists", {"name": "cases"}):
        return None
    figures = cases.figures(ctx.con, ctx.generated_at, "dealer", scope.dealers_only())
    frame = figures[figures["cases_open"] > 0].reset_index(drop=True)
    columns = [
        Column("dealer_id", ctx.t("col.dealer_id")),
        Column("dealer_name", ctx.t("col.dealer_name")),
        Column("region", ctx.t("col.region")),
        Column("cases_open", ctx.t("col.cases_open"), "count"),
        Column("cases_overdue", ctx.t("col.cases_overdue"), "count"),
        Column("cases_closed", ctx.t("col.cases_closed"), "count"),
        Column("cases_closed_on_time_rate", ctx.t("col.cases_closed_on_time_rate"), "percent"),
    ]
    return Table(
        ctx.t("pack.cases_title"),
        frame,
        columns,
        empty=ctx.t("pack.no_cases"),
        widths=[1.0, 2.4, 0.9, 1.0, 1.0, 1.0, 1.2],
    )


def documents(ctx: Context, period: Period, scope: Scope, by: str | None = None) -> Iterator[Document]:
    """The bulletin of `scope`, or with by='region' one bulletin per region of the scope."""
    if by == "region":
        for region in ctx.regions(scope):
            yield bulletin(ctx, period, replace(scope, regions=(region,)), region)
        return
    yield bulletin(ctx, period, scope, scope.regions[0] if len(scope.regions) == 1 else "national")


def bulletin(ctx: Context, period: Period, scope: Scope, recipient: str) -> Document:
    con, month = ctx.con, period.last
    current = period.scope(scope)
    totals = overview.scope_totals(con, current)
    previous = current.previous()
    tiles = overview.tiles(totals, overview.scope_totals(con, previous) if previous else None, ctx.limits)
    first, last = period.trend
    months = parts.month_labels(first, last)
    monthly = overview.monthly_trend(con, replace(current, first_month=first, last_month=last))
    ranking = overview.dealer_ranking(con, current)
    lines = quality.watchlist(con, month, ctx.as_of, scope=current.dealers_only())
    if len(lines):
        lines = wording.watchlist_in_words(lines, ctx.lang)
    status = timeliness.report_status(con, ctx.as_of, current.dealers_only())
    if len(status):
        status["month"] = pd.to_datetime(status["month"])
        status = status[(status["month"] >= pd.Timestamp(period.first)) & (status["month"] <= pd.Timestamp(month))]
    name = ctx.t("pack.national") if recipient == "national" else recipient
    document = Document(
        "bulletin",
        recipient,
        name,
        ctx.t("pack.bulletin_title", scope=name, period=period.label),
        ctx.lang,
        ctx.header(current, period),
    )
    document.sections = [
        parts.rates_table(ctx, tiles, ctx.t("pack.headline_title", period=period.label)),
        parts.control_chart(ctx, monthly, months, ctx.t("pack.trend_chart", first=months[0], last=months[-1])),
        parts.trend_table(ctx, monthly, ctx.t("pack.trend_title", first=months[0], last=months[-1])),
        ranking_table(ctx, ranking),
        watchlist_table(
            ctx, lines, OUTLIER_REASONS, ctx.t("pack.outliers_title", month=f"{month:%Y-%m}"), ctx.t("pack.no_outliers")
        ),
        parts.late_reports_table(ctx, status, ctx.t("pack.late_reports_period", period=period.label), with_dealer=True),
        watchlist_table(
            ctx, lines, ("fake_record",), ctx.t("pack.fakes_title", month=f"{month:%Y-%m}"), ctx.t("pack.no_fakes")
        ),
    ]
    open_cases = cases_table(ctx, current)
    if open_cases is not None:
        document.sections.append(open_cases)
    return document
