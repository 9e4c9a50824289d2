"""Overview: the rate tiles against thresholds and the previous period, monthly trends, control breaches."""
import streamlit as st

from app import charts, data, state, tables, ui
from etl.metrics.drilldown import CONTROL_RATES, TILE_RATES

page = state.setup("overview")
st.title(page.t("overview.title"))
ui.scope_caption(page)

view = data.overview(page)
if view.monthly.empty:
    st.info(page.t("no_data_in_scope"), icon=":material/filter_alt_off:")
    st.stop()

ui.rate_tiles(page, view.tiles)

st.subheader(page.t("overview.trends"))
st.plotly_chart(charts.rate_trends(view.monthly, TILE_RATES, page.lang, view.tiles))

st.subheader(page.t("overview.breaches"))
st.caption(page.t("overview.breaches_help"))
if view.breaches.empty:
    st.success(page.t("overview.no_breaches"), icon=":material/verified:")
else:
    st.plotly_chart(charts.control_breaches(view.breaches, CONTROL_RATES, page.lang, view.tiles))
    ui.table(page, view.breaches, tables.BREACHES, {rate: f"{rate}_ok" for rate in CONTROL_RATES})
