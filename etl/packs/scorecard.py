"""The dealer scorecard (经销商服务质量成绩单) for a month or a year: the dealer's rates against the
thresholds and the national figures, its 12-month trend, its award criteria for the year, its
missing and late reports, and its rejected rows awaiting correction.

A burst computes every frame once for all dealers of the scope (roll-ups by dealer, by dealer and
month, the award and the report status of the scope) and slices each dealer's rows out of them:
a roll-up grouped by dealer sums the same counts as one filtered to that dealer.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from etl import wording
from etl.metrics import award as awards
from etl.metrics import named, overview, queries, timeliness
from etl.metrics.privacy import masked_rejects
from etl.metrics.scope import Scope, where
from etl.metrics.thresholds import judge
from etl.packs import parts
from etl.packs.context import Context, Period
from etl.packs.document import Column, Document, Facts, Table

CRITERIA = awards.AWARD_CRITERIA
# Each award criterion: its measure's column and kind, its threshold's column, its status column.
CRITERION_MEASURES = {
    "complaints": ("complaints_per_1000_sales", "per_mille", "complaints_threshold"),
    "satisfaction": ("satisfaction_rate", "percent", "satisfaction_threshold"),
    "evidence": ("callbacks_answered", "count", "evidence_threshold"),
    "reports": ("report_rate", "percent", "report_threshold"),
    "network": ("technicians", "count", "technicians_threshold"),
    "notices": ("notices", "count", "notices_threshold"),
}


def award_criteria_table(ctx: Context, row: dict | None, year: int) -> Table:
    """One dealer's award row (queries.award in words): each criterion's measure, threshold, status and verdict."""
    lines = []
    for criterion in CRITERIA if row is not None else ():
        assert row is not None
        measure, kind, threshold = CRITERION_MEASURES[criterion]
        lines.append(
            {
                "criterion": ctx.t(f"award.criterion.{criterion}"),
                "measure": row.get(measure),
                "limit": row.get(threshold),
                "status": row.get(f"status_{criterion}"),
                "ok": bool(row[f"pass_{criterion}"]),
                "kind": kind,
            }
        )
    frame = pd.DataFrame(lines, columns=["criterion", "measure", "limit", "status", "ok", "kind"])
    frame["scale"] = frame["kind"].map({"per_mille": 1000}).fillna(1).astype(int)
    frame["measure_text"] = [_measure(r.measure, r.kind) for r in frame.itertuples()]
    frame["limit_text"] = [_measure(r.limit, r.kind) for r in frame.itertuples()]
    note = ""
    if row is not None:
        verdict = ctx.t("pack.eligible", year=year) if row["eligible"] else ctx.t("pack.not_eligible", year=year)
        note = verdict + (f" {row['reasons']}" if row.get("reasons") else "")
    columns = [
        Column("criterion", ctx.t("pack.criterion")),
        Column("measure_text", ctx.t("pack.value")),
        Column("limit_text", ctx.t("pack.threshold")),
        Column("status", ctx.t("col.status"), "code"),
        Column("ok", ctx.t("pack.verdict"), "verdict"),
    ]
    return Table(
        ctx.t("pack.award_criteria", year=year),
        frame,
        columns,
        note=note,
        empty=ctx.t("pack.no_contract", year=year),
        widths=[2.2, 1.3, 1.3, 2.4, 0.9],
    )


def _measure(value, kind: str) -> str:
    from etl import format as fmt

    if kind == "per_mille":
        return fmt.per_mille(value)
    if kind == "percent":
        return fmt.percent(value)
    return fmt.count(value)


def documents(ctx: Context, period: Period, scope: Scope) -> Iterator[Document]:
    """One scorecard per dealer of `scope` (its dealer filters; the period's months)."""
    con = ctx.con
    current = period.scope(scope)
    # every dealer judged at once (thresholds.judge): overview.tiles reads the verdicts off the row
    ranking = judge(overview.dealer_ranking(con, current), ctx.limits).set_index("dealer_id", drop=False)
    previous_scope = current.previous() or current  # a period always has months
    previous = overview.dealer_ranking(con, previous_scope).set_index("dealer_id", drop=False)
    national = overview.scope_totals(con, Scope(period.first, period.last))
    first, last = period.trend
    months = parts.month_labels(first, last)
    trend = queries.rollup(con, ["dealer_id", "month"], (first, last), current.dealer_filters())
    trends = dict(tuple(trend.groupby("dealer_id")))
    year = period.last.year
    award = wording.award_in_words(queries.award(con, year, ctx.as_of, current.dealers_only()), ctx.lang)
    award_rows = {row["dealer_id"]: row for row in award.to_dict("records")}
    status = timeliness.report_status(con, ctx.as_of, current.dealers_only())
    if len(status):
        status["month"] = pd.to_datetime(status["month"])
        status = status[(status["month"] >= pd.Timestamp(first)) & (status["month"] <= pd.Timestamp(last))]
    late = dict(tuple(status.groupby("dealer_id"))) if len(status) else {}
    rejects = wording.rejects_in_words(dealer_rejects(con, current.dealers_only()), ctx.lang)
    rejected = dict(tuple(rejects.groupby("dealer_id"))) if len(rejects) else {}
    empty_trend = trend.iloc[0:0]
    for dealer_id in ranking.index:
        row = ranking.loc[[dealer_id]]
        before = previous.loc[[dealer_id]] if dealer_id in previous.index else previous.iloc[0:0]
        tiles = overview.tiles(row.reset_index(drop=True), before.reset_index(drop=True), ctx.limits)
        name = ranking.at[dealer_id, "dealer_name"]
        monthly = trends.get(dealer_id, empty_trend)
        document = Document(
            "scorecard",
            dealer_id,
            f"{dealer_id} {name}",
            ctx.t("pack.scorecard_title", dealer=f"{dealer_id} {name}", period=period.label),
            ctx.lang,
            ctx.header(current.for_dealer(dealer_id), period),
        )
        document.sections = [
            Facts(
                ctx.t("pack.dealer"),
                [
                    (ctx.t("col.dealer_id"), dealer_id),
                    (ctx.t("col.dealer_name"), str(name)),
                    (ctx.t("col.region"), str(ranking.at[dealer_id, "region"])),
                    (ctx.t("col.province"), str(ranking.at[dealer_id, "province"])),
                ],
            ),
            parts.rates_table(ctx, tiles, ctx.t("pack.rates_title", period=period.label), national),
            parts.control_chart(ctx, monthly, months, ctx.t("pack.trend_chart", first=months[0], last=months[-1])),
            parts.trend_table(ctx, monthly, ctx.t("pack.trend_title", first=months[0], last=months[-1])),
            award_criteria_table(ctx, award_rows.get(dealer_id), year),
            parts.late_reports_table(
                ctx,
                late.get(dealer_id, status.iloc[0:0]),
                ctx.t("pack.late_reports", first=months[0], last=months[-1]),
                with_dealer=False,
            ),
            rejects_table(ctx, rejected.get(dealer_id, rejects.iloc[0:0])),
        ]
        yield document


def dealer_rejects(con, scope: Scope) -> pd.DataFrame:
    """Rejected rows awaiting correction (etl/metrics/sql/dealer_rejects.sql) of the scope's dealers, names,
    phones and addresses masked as on the Data page (privacy.masked_rejects)."""
    return masked_rejects(con, named.run(con, "dealer_rejects", scope=where(scope.dealers_only(), dealers="d")))


def rejects_table(ctx: Context, frame: pd.DataFrame) -> Table:
    columns = [
        Column("file_name", ctx.t("col.file_name")),
        Column("row_no", ctx.t("col.row_no"), "count"),
        Column("reason", ctx.t("col.reason")),
    ]
    return Table(
        ctx.t("pack.rejects_title"),
        frame.reset_index(drop=True),
        columns,
        note=ctx.t("pack.rejects_note"),
        empty=ctx.t("pack.no_rejects"),
        widths=[2.0, 0.7, 4.0],
    )
