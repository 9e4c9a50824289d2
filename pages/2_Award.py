"""Award: every dealer against each criterion of the year, eligible dealers on top, with what-if thresholds."""
import streamlit as st

from app import charts, data, state, tables, ui, what_if
from app import format as fmt
from app.excel import Sheet
from etl.metrics.award import AWARD_CRITERIA, summary
from etl.packs.context import Period

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
counts.metric(page.t("award.eligible"), f"{figures['eligible']} / {figures['dealers']}", border=True,
              help=page.t("award.eligible_help", year=year, as_of=fmt.day(as_of)))
counts.caption(page.t("award.order_help"))
chart.plotly_chart(charts.award_failures(award, AWARD_CRITERIA, page.lang))
required = page.t("stats.on") if page.rules["award.require_interval"] else page.t("stats.off")
st.caption(page.t("award.status_help", level=ui.interval_level(page), required=required))
ui.table(page, award, tables.AWARD, tables.AWARD_VERDICTS, height=560)

settings = [(label, page.t("what_if.change_short", value=value, rules=rules_value))
            for label, value, rules_value in changes] or [(page.t("what_if.title"), page.t("what_if.none"))]
ui.download(page, f"award_{year}", [Sheet(page.t("award.title"), award, tables.AWARD)],
            [(page.t("year"), str(year)), (page.t("as_of"), fmt.day(as_of))] + settings, months=False)
ui.pack_download(page, "award", Period.year(year), page.t("pack.download_award", year=year), "pack_award",
                 as_of=as_of, source=page.source.with_rules(rules))
