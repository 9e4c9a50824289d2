"""Dealers: a ranking of every dealer in the scope with intervals; below it two tabs, one dealer's drill-down (its
tiles, then a tab each for its trends, control chart, report timeliness, records and cases) and the funnel plots.
Only the open tabs are built (issue 14: a page switch; ?show= and ?detail= name them)."""

import streamlit as st

from app import cases_ui, charts, charts_stats, data, state, stats_text, tables, ui
from app import format as fmt
from app.excel import Sheet
from etl.metrics.definitions import RATES
from etl.metrics.overview import TILE_RATES
from etl.metrics.quality import STAT_RATES
from etl.packs.context import Period
from i18n import N_

page = state.setup("dealers")
st.title(page.t("dealers.title"))
ui.scope_caption(page)

ranking = data.ranking(page)
if ranking.empty:
    st.info(page.t("no_dealers_in_scope"), icon=":material/filter_alt_off:")
    st.stop()

search = st.text_input(page.t("dealers.search"), placeholder=page.t("dealers.search_hint"), key="dealer_search")
shown = (
    ranking[
        ranking["dealer_id"].str.contains(search, case=False, regex=False)
        | ranking["dealer_name"].str.contains(search, case=False, regex=False)
    ]
    if search
    else ranking
)
rate = state.rate_choice(page, "rank_by", [r.name for r in RATES], "complaint_rate")
flagged = data.attention(page, rate)
flagged = flagged[flagged["dealer_id"].isin(shown["dealer_id"])]
min_sample = page.t("stats.min_sample", n=fmt.count(page.rules["statistics.min_sample"]))
if flagged.empty:
    st.success(page.t("attention.none", rate=page.t(f"rate.{rate}")), icon=":material/verified:")
else:
    ui.chart(charts.ranking(flagged, rate, page.lang))
st.caption(page.t("attention.help", level=ui.interval_level(page)) + " " + min_sample)
st.caption(
    page.t("dealers.table_help")
    + " "
    + page.t("dealers.interval_help", rate=page.t(f"rate.{rate}"), level=ui.interval_level(page))
)
ranked, height = charts.by_rate(shown, rate), min(460, ui.rows_height(len(shown), 12))
brief, widths = tables.ranking_shown(rate)  # issue 14: fits 1440 px; every column in the expander and the download
verdicts = tables.RANKING_VERDICTS
ui.table(page, tables.ranking_brief(ranked, rate), brief, verdicts, height=height, key="ranking", widths=widths)
with ui.every_column(page, "ranking_every_column") as wanted:
    if wanted:
        every = tables.with_intervals(tables.RANKING, [rate])
        ui.table(page, ranked, every, tables.RANKING_VERDICTS, height=height, key="ranking_all")
ui.download(page, "dealers", [Sheet(page.t("dealers.title"), shown, tables.RANKING_EXPORT)], [])


def funnels() -> None:
    """Every dealer's rate against its funnel limits, one plot per statistic rate."""
    levels = [fmt.level(page.rules[key]) for key in ("statistics.funnel_inner", "statistics.funnel_outer")]
    st.caption(page.t("funnel.help", inner=levels[0], outer=levels[1]) + " " + min_sample)
    widen = st.checkbox(
        page.t("funnel.overdispersion"), key="funnel_overdispersion", help=page.t("funnel.overdispersion_help")
    )
    plots = data.funnels(page, widen)
    grid = st.columns(2)
    for n, (metric, plot) in enumerate(plots.items()):
        with grid[n % 2]:
            if plot.points.empty:
                st.caption(page.t("funnel.empty"))
                continue
            figure = charts_stats.funnel_figure(
                plot, stats_text.funnel_labels(plot, page.lang), page.t(f"rate.{metric}"), name_by="dealer_id"
            )
            ui.chart(figure, key=f"funnel_{metric}")
            st.caption(stats_text.phi_text(plot, page.lang))
            bad = stats_text.bad_side(plot)
            worse = stats_text.outlier_lines(plot, page.lang, bad)
            outliers = (
                "**" + page.t("funnel.outliers", level=levels[1]) + "**\n" + "\n".join(f"- {line}" for line in worse)
            )
            st.markdown(outliers if worse else page.t("funnel.none", level=levels[1]))
            better = stats_text.outlier_lines(plot, page.lang, "low" if bad == "high" else "high")
            if better:
                with st.expander(page.t("funnel.better", count=len(better))):
                    st.markdown("\n".join(f"- {line}" for line in better))


def drill_down() -> None:
    """One dealer: its tiles, then a tab each for its trends, control chart, report timeliness, records and cases."""
    by_concern = charts.worst_first(ranking, rate)["dealer_id"].tolist() or ranking["dealer_id"].tolist()
    dealer_id = state.dealer_choice(page, ranking, default=by_concern[0])  # the chart's top dealer
    detail = data.dealer(page, dealer_id)
    last_month = page.scope.last_month
    assert last_month is not None  # the months filter always ends in a month
    card, cards = st.columns(2)
    with card:
        ui.pack_download(
            page,
            "scorecard",
            Period.month(last_month),
            page.t("pack.download_scorecard", dealer=dealer_id, period=fmt.month(last_month)),
            "pack_scorecard",
            scope=page.scope.for_dealer(dealer_id),
        )
    with cards:
        ui.pack_download(
            page,
            "scorecard",
            Period.month(last_month),
            page.t("pack.download_scorecards", period=fmt.month(last_month)),
            "pack_scorecards",
        )
    ui.rate_tiles(page, detail.tiles)
    opened, tab = ui.sections(
        page,
        "detail",
        {
            "trends": N_("dealers.trends"),
            "control": N_("control.title"),
            "timeliness": N_("dealers.timeliness"),
            "records": N_("dealers.records"),
            "cases": N_("dealers.cases"),
        },
    )
    with tab:
        DETAILS[opened](dealer_id, detail)


def trends(dealer_id: str, detail: data.DealerDetail) -> None:
    """The dealer's nine rates month by month."""
    if detail.monthly.empty:
        st.info(page.t("no_data_in_scope"), icon=":material/filter_alt_off:")
    else:
        panels = ui.drawn(charts.rate_trends, detail.monthly, TILE_RATES, page.lang, detail.tiles)
        ui.small_multiples(panels, key="dealer_trends")


def control_chart(dealer_id: str, detail: data.DealerDetail) -> None:
    """The dealer's control chart of the ranking's rate (the complaint rate when it has none)."""
    st.caption(
        page.t(
            "control.help", baseline=page.rules["statistics.baseline_months"], run=page.rules["statistics.run_length"]
        )
    )
    ui.control_chart(page, "dealer_id", dealer_id, "dealer_chart", rate if rate in STAT_RATES else "complaint_rate")


def timeliness(dealer_id: str, detail: data.DealerDetail) -> None:
    """When each monthly report arrived against its deadline."""
    ui.chart(charts.report_timeliness(detail.timeliness, page.lang))
    ui.table(
        page, detail.timeliness, tables.TIMELINESS, height=ui.rows_height(len(detail.timeliness)), key="timeliness"
    )


def record_lists(dealer_id: str, detail: data.DealerDetail) -> None:
    """The records behind the dealer's figures, one list at a time, with its download."""
    st.caption(page.t("dealers.records_help"))
    listed = state.record_choice(page, detail.record_counts)
    records = data.records(page, dealer_id, listed)
    if records.empty:
        st.caption(page.t("records.none"))
    else:
        ui.table(page, records, tables.RECORDS[listed], key=f"records_{listed}")
        ui.download(
            page,
            f"records_{dealer_id}_{listed}",
            [Sheet(page.t("dealers.records"), records, tables.RECORDS[listed])],
            [(page.t("col.dealer_id"), dealer_id)],
        )


def case_list(dealer_id: str, detail: data.DealerDetail) -> None:
    """The dealer's cases in the queue (issue 16)."""
    dealer_cases = data.dealer_cases(page, dealer_id)
    if dealer_cases.empty:
        st.caption(page.t("dealers.no_cases"))
    else:
        st.caption(
            page.t(
                "dealers.cases_help",
                open=fmt.count(int(dealer_cases["is_open"].sum())),
                overdue=fmt.count(int(dealer_cases["overdue"].sum())),
            )
        )
        spec, widths = tables.CASE_QUEUE_SHOWN  # issue 14: fits 1440 px; every column on the Cases page's download
        ui.table(
            page,
            cases_ui.in_words(dealer_cases, page.lang),
            spec,
            key="dealer_cases",
            height=min(400, ui.rows_height(len(dealer_cases), 10)),
            widths=widths,
        )
        if page.may_open("cases"):  # issue 15: a dealer's navigation has no Cases page (a link to it raises)
            st.page_link("pages/8_Cases.py", label=page.t("cases.title"), icon=":material/assignment_turned_in:")


DETAILS = {
    "trends": trends,
    "control": control_chart,
    "timeliness": timeliness,
    "records": record_lists,
    "cases": case_list,
}
section, where = ui.sections(page, "show", {"drilldown": N_("dealers.drilldown"), "funnels": N_("funnel.title")})
with where:
    {"drilldown": drill_down, "funnels": funnels}[section]()
