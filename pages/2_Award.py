"""Award: every dealer against each criterion of the year, eligible dealers on top, with what-if thresholds."""

import streamlit as st

from app import award_view, charts, data, links, state, tables, ui, what_if
from app import format as fmt
from app.excel import Sheet
from etl.metrics.award import AWARD_CRITERIA, summary
from etl.packs.context import Period
from i18n import N_

page = state.setup("award", months=False)
st.title(page.t("award.title"))
ui.scope_caption(page, months=False)
year, as_of = state.year_and_as_of(page)
rules, changes = what_if.thresholds(page)

award = data.award(page, year, as_of, rules)
if award.empty:
    st.info(page.t("no_dealers_in_scope"), icon=":material/filter_alt_off:")
    st.stop()

figures = summary(award)
counts, chart = st.columns([1, 2])
counts.metric(
    page.t("award.eligible"),
    f"{figures['eligible']} / {figures['dealers']}",
    border=True,
    help=page.t("award.eligible_help", year=year, as_of=fmt.day(as_of)),
)
counts.caption(page.t("award.order_help"))
ui.chart(charts.award_failures(award, AWARD_CRITERIA, page.lang), where=chart)
required = page.t("stats.on") if page.rules["award.require_interval"] else page.t("stats.off")
st.caption(page.t("award.status_help", level=ui.interval_level(page), required=required))
# issue 14: each criterion at a glance (mark, value, threshold) without scrolling sideways; what a what-if changes
glance = award_view.criteria_table(award, page.lang)
if links.wanted(page, glance):
    glance = links.linked(page, glance, months=links.year_months(year))
headers = {
    "dealer_id": page.t("col.dealer_id"),
    "dealer_name": page.t("col.dealer_name"),
    "eligible": page.t("col.eligible"),
}


def criteria_at_a_glance(rows, key: str, height: int = 560) -> None:
    """The criteria table (its columns sized to fit 1440 px); `rows` a frame or a Styler of one."""
    st.dataframe(
        rows,
        hide_index=True,
        height=height,
        key=key,
        column_config={
            headers["dealer_id"]: links.column(width=64),
            headers["dealer_name"]: st.column_config.TextColumn(width=150),
            headers["eligible"]: st.column_config.TextColumn(width=64),
            **{column: st.column_config.TextColumn(width=114) for column in award_view.criteria_columns(page.lang)},
        },
    )


if changes:
    # issue 14: the dealers a what-if moves, counted and highlighted in a table of their own above the whole list
    # (which marks them too); styling only them keeps a national list of 3,000 dealers cheap (0.5 s styled)
    changed = award_view.outcome_changes(data.award(page, year, as_of, page.rules), award)
    glance["eligible"] = [moved or mark for moved, mark in zip(changed, glance["eligible"])]
    st.warning(page.t("award.what_if_changed", count=int((changed != "").sum())), icon=":material/compare_arrows:")
    moved = glance[changed != ""].rename(columns=headers)
    if not moved.empty:
        highlighted = moved.style.apply(lambda row: [ui.CHANGED_STYLE] * len(row), axis=1)
        criteria_at_a_glance(highlighted, "award_changed", ui.rows_height(len(moved), 10))
st.caption(page.t("award.glance_help"))
criteria_at_a_glance(glance.rename(columns=headers), "award_glance")
with ui.every_column(page, "award_every_column", N_("award.all_columns")) as wanted:
    if wanted:
        ui.table(page, award, tables.AWARD, tables.AWARD_VERDICTS, height=560, link_months=links.year_months(year))

settings = [
    (label, page.t("what_if.change_short", value=value, rules=rules_value)) for label, value, rules_value in changes
] or [(page.t("what_if.title"), page.t("what_if.none"))]
ui.download(
    page,
    f"award_{year}",
    [Sheet(page.t("award.title"), award, tables.AWARD)],
    [(page.t("year"), str(year)), (page.t("as_of"), fmt.day(as_of))] + settings,
    months=False,
)
ui.pack_download(
    page,
    "award",
    Period.year(year),
    page.t("pack.download_award", year=year),
    "pack_award",
    as_of=as_of,
    source=page.source.with_rules(rules),
)
