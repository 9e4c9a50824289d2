"""Overview: the rate tiles (with intervals) against thresholds and the previous period; below them, a tab each for
the monthly trends, the control breaches, the watchlist of a month and the control charts by region, only the open
one built (issue 14: first paint)."""

import streamlit as st

from app import cases_ui, charts, data, state, stats_text, tables, ui
from app import format as fmt
from app.excel import Sheet
from etl.metrics.definitions import CONTROL_RATES
from etl.metrics.overview import TILE_RATES
from etl.metrics.quality import watchlist_summary
from etl.packs.context import Period
from i18n import N_

page = state.setup("overview")
st.title(page.t("overview.title"))
ui.scope_caption(page)

view = data.overview(page)
if view.monthly.empty:
    st.info(page.t("no_data_in_scope"), icon=":material/filter_alt_off:")
    st.stop()

assert page.catalog is not None and page.scope.months is not None  # setup stops a page without data
catalog, (first_month, last_month) = page.catalog, page.scope.months
ui.rate_tiles(page, view.tiles)
cases_ui.overview_tile(page, data.case_totals(page))


def trends() -> None:
    """The nine rates month by month against their thresholds."""
    ui.small_multiples(ui.drawn(charts.rate_trends, view.monthly, TILE_RATES, page.lang, view.tiles), key="trends")


def breaches() -> None:
    """The dealers beyond the three control limits, the worst first."""
    st.caption(page.t("overview.breaches_help"))
    if view.breaches.empty:
        st.success(page.t("overview.no_breaches"), icon=":material/verified:")
    else:
        bars = ui.drawn(charts.control_breaches, view.breaches, CONTROL_RATES, page.lang, view.tiles)
        ui.chart(bars, key="breaches_chart")
        columns, widths = tables.BREACHES_SHOWN  # issue 14: fits 1440 px; the counts in the expander and the download
        verdicts = {rate: f"{rate}_ok" for rate in CONTROL_RATES}
        ui.table(page, view.breaches, columns, verdicts, key="breaches", widths=widths)
        with ui.every_column(page, "breaches_every_column") as wanted:
            if wanted:
                ui.table(page, view.breaches, tables.BREACHES, verdicts, key="breaches_all")
        ui.download(page, "breaches", [Sheet(page.t("overview.breaches"), view.breaches, tables.BREACHES)], [])


def watchlist() -> None:
    """The statistical signals of one month, a line each, with the month's bulletin."""
    min_sample = page.t("stats.min_sample", n=fmt.count(page.rules["statistics.min_sample"]))
    st.caption(page.t("watchlist.help") + " " + min_sample)
    month_of = {fmt.month(m): m for m in catalog.months if first_month <= m <= last_month}
    months = list(month_of)
    watch_month = state.persisted(
        ui.unless_default("watch", months[-1]),
        months[-1],
        lambda **kw: st.selectbox(page.t("watchlist.month"), months, **kw),
        state.one_of(months),
    )
    lines = data.watchlist(page, month_of[watch_month])
    ui.pack_download(
        page,
        "bulletin",
        Period.month(month_of[watch_month]),
        page.t("pack.download_bulletin", month=watch_month),
        "pack_bulletin",
    )
    if lines.empty:
        st.success(page.t("watchlist.none", month=watch_month), icon=":material/verified:")
    else:
        st.caption(page.t("watchlist.count", **watchlist_summary(lines)))
        widths = tables.WATCHLIST_WIDTHS  # issue 14: the detail wraps over three lines instead of ending in "…"
        st.dataframe(
            stats_text.watchlist_table(lines, page.lang),
            hide_index=True,
            key="watchlist",
            row_height=tables.WRAPPED_ROW_PX,
            height=min(600, (min(len(lines), 12) * tables.WRAPPED_ROW_PX) + 38),
            column_config={
                page.t("col.link"): st.column_config.LinkColumn(display_text=r"dealer=([^&]+)", width=widths["link"]),
                page.t("col.dealer_name"): st.column_config.TextColumn(width=widths["dealer_name"]),
                page.t("col.reason"): st.column_config.TextColumn(width=widths["reason"]),
                page.t("col.detail"): st.column_config.TextColumn(width=widths["detail"]),
            },
        )


def regions() -> None:
    """A region's control chart (p chart, Laney's p' when the data are overdispersed)."""
    st.caption(
        page.t(
            "control.help", baseline=page.rules["statistics.baseline_months"], run=page.rules["statistics.run_length"]
        )
    )
    names = list(page.scope.regions) or catalog.regions()
    region = state.persisted(
        ui.unless_default("chart_region", names[0]),
        names[0],
        lambda **kw: st.selectbox(page.t("control.region"), names, **kw),
        state.one_of(names),
    )
    ui.control_chart(page, "region", region, "region_chart", "complaint_rate")


SECTIONS = {"trends": trends, "breaches": breaches, "watchlist": watchlist, "regions": regions}
shown, tab = ui.sections(
    page,
    "section",
    {
        "trends": N_("overview.trends"),
        "breaches": N_("overview.breaches"),
        "watchlist": N_("watchlist.title"),
        "regions": N_("control.region_title"),
    },
)
with tab:
    SECTIONS[shown]()
