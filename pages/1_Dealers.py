"""Dealers: a ranking of every dealer in the scope, and one dealer's trends, report timeliness and records."""
import streamlit as st

from app import charts, data, state, tables, ui
from app.excel import Sheet
from etl.metrics.definitions import RATES
from etl.metrics.drilldown import TILE_RATES

page = state.setup("dealers")
st.title(page.t("dealers.title"))
ui.scope_caption(page)

ranking = data.ranking(page)
if ranking.empty:
    st.info(page.t("no_dealers_in_scope"), icon=":material/filter_alt_off:")
    st.stop()

search = st.text_input(page.t("dealers.search"), placeholder=page.t("dealers.search_hint"), key="dealer_search")
shown = ranking[ranking["dealer_id"].str.contains(search, case=False, regex=False)
                | ranking["dealer_name"].str.contains(search, case=False, regex=False)] if search else ranking
rate = state.rate_choice(page, "rank_by", [r.name for r in RATES], "complaint_rate")
st.plotly_chart(charts.ranking(shown, rate, page.lang))
st.caption(page.t("dealers.table_help"))
ui.table(page, shown, tables.RANKING, tables.RANKING_VERDICTS, height=460)
ui.download(page, "dealers", [Sheet(page.t("dealers.title"), shown, tables.RANKING)], [])

st.header(page.t("dealers.drilldown"))
by_concern = charts.worst_first(ranking, rate)["dealer_id"].tolist() or ranking["dealer_id"].tolist()
dealer_id = state.dealer_choice(page, ranking, default=by_concern[0])  # the chart's top dealer
detail = data.dealer(page, dealer_id)
ui.rate_tiles(page, detail.tiles)

st.subheader(page.t("dealers.trends"))
if detail.monthly.empty:
    st.info(page.t("no_data_in_scope"), icon=":material/filter_alt_off:")
else:
    st.plotly_chart(charts.rate_trends(detail.monthly, TILE_RATES, page.lang, detail.tiles))

st.subheader(page.t("dealers.timeliness"))
st.plotly_chart(charts.report_timeliness(detail.timeliness, page.lang))
ui.table(page, detail.timeliness, tables.TIMELINESS, height=ui.rows_height(len(detail.timeliness)), key="timeliness")

st.subheader(page.t("dealers.records"))
st.caption(page.t("dealers.records_help"))
listed = state.record_choice(page, detail.record_counts)
records = data.records(page, dealer_id, listed)
if records.empty:
    st.caption(page.t("records.none"))
else:
    ui.table(page, records, tables.RECORDS[listed], key=f"records_{listed}")
