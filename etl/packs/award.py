"""The award list (年度服务质量奖评选名单) of a year: every dealer of the scope under contract, eligible
dealers first (awards.award_ranked, as the Award page orders them), each criterion's measure and verdict,
and the reasons in words (etl.wording, as the page and `report award` word them)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from etl import wording
from etl.metrics import award as awards
from etl.metrics.scope import Scope
from etl.packs.context import Context, Period
from etl.packs.document import Column, Document, Facts, Table

MEASURES = (
    ("complaints_per_1000_sales", "per_mille", "complaints"),
    ("satisfaction_rate", "percent", "satisfaction"),
    ("callbacks_answered", "count", "evidence"),
    ("report_rate", "percent", "reports"),
    ("technicians", "count", "network"),
    ("notices", "count", "notices"),
)


def documents(ctx: Context, period: Period, scope: Scope, by: str | None = None) -> Iterator[Document]:
    if by == "region":
        for region in ctx.regions(scope):
            yield award_list(ctx, period, replace(scope, regions=(region,)), region)
        return
    yield award_list(ctx, period, scope, scope.regions[0] if len(scope.regions) == 1 else "national")


def award_list(ctx: Context, period: Period, scope: Scope, recipient: str) -> Document:
    year = period.last.year
    year_period = Period.year(year)
    frame = wording.award_in_words(awards.award_ranked(ctx.con, year, ctx.as_of, scope.dealers_only()), ctx.lang)
    name = ctx.t("pack.national") if recipient == "national" else recipient
    document = Document(
        "award",
        recipient,
        name,
        ctx.t("pack.award_title", scope=name, year=year),
        ctx.lang,
        ctx.header(scope.dealers_only(), year_period),
    )
    figures = awards.summary(frame)
    facts = Facts(
        ctx.t("pack.award_summary"),
        [
            (ctx.t("pack.dealers_under_contract"), str(figures["dealers"])),
            (ctx.t("col.eligible"), str(figures["eligible"])),
        ]
        + [
            (ctx.t("pack.failing", criterion=ctx.t(f"award.criterion.{c}")), str(n))
            for c, n in figures["failing"].items()
        ],
    )
    columns = [
        Column("dealer_id", ctx.t("col.dealer_id")),
        Column("dealer_name", ctx.t("col.dealer_name")),
        Column("region", ctx.t("col.region")),
        Column("eligible", ctx.t("col.eligible"), "verdict"),
    ]
    widths = [0.9, 2.0, 0.8, 0.8]
    for measure, kind, criterion in MEASURES:
        columns += [
            Column(measure, ctx.t(f"award.criterion.{criterion}"), kind),
            Column(f"pass_{criterion}", ctx.t("pack.verdict"), "verdict"),
        ]
        widths += [1.0, 0.7]
    columns.append(Column("reasons", ctx.t("col.reasons")))
    widths.append(4.0)
    document.sections = [
        facts,
        Table(
            ctx.t("pack.award_table", year=year),
            frame,
            columns,
            note=ctx.t("pack.award_note"),
            empty=ctx.t("pack.no_dealers"),
            widths=widths,
        ),
    ]
    document.landscape = True
    return document
