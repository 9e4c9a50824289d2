"""Settlement: each dealer's maintenance fee, every deduction and the net fee for a year, with totals."""

import streamlit as st

from app import charts, data, links, state, tables, ui
from app import format as fmt
from app.excel import Sheet
from etl.packs.context import Period

page = state.setup("settlement", months=False)
st.title(page.t("settlement.title"))
ui.scope_caption(page, months=False)
year, as_of = state.year_and_as_of(page)

result = data.settlement(page, year, as_of)
if result.dealers.empty:
    st.info(page.t("no_dealers_in_scope"), icon=":material/filter_alt_off:")
    st.stop()

totals = result.totals
for row in tables.SETTLEMENT_TILES:
    for column, box in zip(row, st.columns(3)):
        if column == "dealers":
            box.metric(
                page.t("settlement.dealers"),
                fmt.count(totals[column]),
                border=True,
                help=page.t("settlement.caption", dealers=totals[column], year=year, as_of=fmt.day(as_of)),
            )
        else:
            box.metric(
                page.t(f"col.{column}"),
                fmt.money(totals[column]),
                border=True,
                help=page.t(f"settlement.help.{column}"),
            )

if any(totals[column] for column, _ in charts.DEDUCTIONS):
    ui.chart(charts.deductions(result.dealers, page.lang))
else:
    st.success(page.t("settlement.no_deductions"), icon=":material/verified:")
# issue 14: fits 1440 px (the deductions and the net fee); every column in the expander and the download
months, height = links.year_months(year), min(460, ui.rows_height(len(result.dealers), 12))
brief, widths = tables.SETTLEMENT_SHOWN
ui.table(page, result.dealers, brief, height=height, key="settlement", link_months=months, widths=widths)
with ui.every_column(page, "settlement_every_column") as wanted:
    if wanted:
        ui.table(page, result.dealers, tables.SETTLEMENT, height=height, key="settlement_all", link_months=months)
ui.download(
    page,
    f"settlement_{year}",
    [Sheet(page.t("settlement.title"), result.dealers, tables.SETTLEMENT, totals)],
    [(page.t("year"), str(year)), (page.t("as_of"), fmt.day(as_of))],
    months=False,
)
ui.pack_download(
    page,
    "settlement",
    Period.year(year),
    page.t("pack.download_settlements", year=year),
    "pack_settlement",
    as_of=as_of,
)
