"""Explore: guarded read-only SQL over the tables and views (etl.explore), a quick chart, downloads; a pivot."""

import streamlit as st

from app import charts, data, links, signin, state, tables, ui
from app import format as fmt
from app.excel import Sheet
from etl import inert
from etl.explore import QueryRefused
from etl.metrics.definitions import COUNTS, RATE_BY_NAME, RATES

EXAMPLE = """SELECT d.region, m.month, sum(m.services) AS services, sum(m.complaints) AS complaints
FROM dealer_month_metrics m JOIN dealers d USING (dealer_id)
GROUP BY ALL
ORDER BY d.region, m.month"""
SQL_KEY, RAN_KEY = "_explore_sql", "_explore_ran"
DIMENSIONS = tables.PIVOT_DIMENSIONS

page = state.setup("explore")
st.title(page.t("explore.title"))

# --- ad-hoc SQL --------------------------------------------------------------------------------
editor, beside = st.columns([3, 2])
with beside:
    st.markdown("**" + page.t("explore.catalog") + "**")
    st.caption(page.t("explore.catalog_help"))
    catalog = data.explore_catalog(page)
    with st.container(height=330):
        for (name, kind), columns in catalog.groupby(["name", "kind"], sort=False):
            with st.expander(f"{name} · {page.t(f'explore.kind_{kind}')}"):
                if columns["table_comment"].iloc[0]:
                    st.caption(columns["table_comment"].iloc[0])
                ui.table(page, columns, tables.CATALOG)
with editor:
    st.session_state.setdefault(SQL_KEY, EXAMPLE)
    sql = st.text_area(page.t("explore.sql"), key=SQL_KEY, height=300)
    if st.button(page.t("explore.run"), type="primary", icon=":material/play_arrow:"):
        st.session_state[RAN_KEY] = sql

ran = st.session_state.get(RAN_KEY)
if ran is not None:
    try:
        result = data.query(page, ran)
    except QueryRefused as refused:
        st.error(page.t(f"explore.refused.{refused.code}", detail=refused.detail), icon=":material/block:")
    else:
        frame = result.frame
        st.caption(page.t("explore.rows", rows=fmt.count(len(frame)), seconds=f"{result.seconds:.2f}"))
        if result.truncated:
            st.warning(page.t("explore.truncated", limit=fmt.count(result.row_limit)), icon=":material/content_cut:")
        if frame.empty:
            st.info(page.t("explore.no_rows"))
        else:
            linked = links.wanted(page, frame)  # issue 14: a dealer_id column opens the dealers' drill-downs
            st.dataframe(
                links.linked(page, frame) if linked else frame,
                hide_index=True,
                height=min(420, ui.rows_height(len(frame), 11)),
                column_config={links.COLUMN: links.column()} if linked else None,
            )
            columns = list(frame.columns)
            numeric = [c for c in columns if str(frame[c].dtype) not in ("object", "string")] or columns
            with st.expander(page.t("explore.chart"), expanded=True):
                x_col, y_col, kind_col = st.columns(3)
                x = x_col.selectbox(page.t("explore.x"), columns, key="_explore_x")
                y = y_col.selectbox(page.t("explore.y"), numeric, index=len(numeric) - 1, key="_explore_y")
                kind = (
                    kind_col.segmented_control(
                        page.t("explore.chart_kind"),
                        charts.QUICK_KINDS,
                        default="bar",
                        format_func=lambda k: page.t(f"explore.kind.{k}"),
                        key="_explore_kind",
                    )
                    or "bar"
                )
                ui.chart(charts.quick_chart(frame, x, y, kind))
            csv_col, xlsx_col, _ = st.columns([1, 1, 3])
            csv_col.download_button(
                page.t("explore.csv"),
                signin.audited(page, "query.csv", True, [("SQL", ran)], lambda: inert.csv_bytes(frame)),
                file_name="query.csv",
                mime="text/csv",
                icon=":material/download:",
                on_click="ignore",
            )
            with xlsx_col:
                ui.download(
                    page,
                    "query",
                    [Sheet(page.t("explore.title"), frame, [(c, "text") for c in columns])],
                    [("SQL", ran)],
                    months=False,
                )

# --- pivot --------------------------------------------------------------------------------------
st.divider()
st.subheader(page.t("explore.pivot"))
st.caption(page.t("explore.pivot_help"))
measures = [r.name for r in RATES] + list(COUNTS)
rows_col, cols_col, measure_col = st.columns(3)
label = lambda name: page.t(f"col.{name}")  # noqa: E731
rows = rows_col.selectbox(page.t("explore.pivot_rows"), DIMENSIONS, format_func=label, key="_pivot_rows")
across = cols_col.selectbox(
    page.t("explore.pivot_columns"),
    [""] + [d for d in DIMENSIONS if d != rows],
    format_func=lambda d: label(d) if d else page.t("explore.pivot_none"),
    key="_pivot_cols",
)
measure = measure_col.selectbox(page.t("explore.pivot_metric"), measures, format_func=label, key="_pivot_measure")
group_by = (rows,) + ((across,) if across else ())
span = page.scope.months
assert span is not None  # the sidebar's months, as every page (issue 14): setup always sets them
rolled = data.pivot(page, group_by, span)
kind = tables.rate_kind(measure) if measure in RATE_BY_NAME else ("money" if measure == "sales_amount" else "count")
shown = rolled.copy()
for dimension in group_by:
    if dimension == "month":
        shown[dimension] = shown[dimension].map(fmt.month)
    elif dimension == "area_type":
        shown[dimension] = shown[dimension].map(lambda v: tables.formatter("code", page.lang)(v))
if across:
    table = shown.pivot(index=rows, columns=across, values=measure)
    table.columns = [str(c) for c in table.columns]
else:
    table = shown.set_index(rows)[[measure]].rename(columns={measure: label(measure)})
table.index.name = label(rows)
by_dealer = rows == links.COLUMN and page.may_open("dealers")  # issue 14: each dealer opens its drill-down
st.dataframe(
    table.set_axis([links.dealer_url(page, d) for d in table.index]).style.format(tables.formatter(kind, page.lang))
    if by_dealer
    else table.style.format(tables.formatter(kind, page.lang)),
    height=min(560, ui.rows_height(len(table), 15)),
    column_config={"_index": links.column(label=label(rows))} if by_dealer else None,
)
xlsx_frame = table.reset_index()
ui.download(
    page,
    "pivot",
    [
        Sheet(
            page.t("explore.pivot"),
            xlsx_frame,  # figures in the measure's format
            [(xlsx_frame.columns[0], "text")] + [(c, kind) for c in xlsx_frame.columns[1:]],
        )
    ],
    [
        (page.t("explore.pivot_rows"), label(rows)),
        (page.t("explore.pivot_columns"), label(across) if across else page.t("explore.pivot_none")),
        (page.t("explore.pivot_metric"), label(measure)),
    ],
)
