"""Callbacks: how HQ's callbacks answered, dissatisfaction and conduct by dealer, fake and unreached; the call list."""

import datetime as dt

import streamlit as st

from app import charts, data, excel, signin, state, tables, ui
from app import format as fmt
from app.excel import Sheet
from etl.metrics.operations import CALLBACK_FORM_QUESTIONS, call_list_summary

page = state.setup("callbacks")
st.title(page.t("callbacks.title"))
ui.scope_caption(page)

# --- analysis of the callbacks made in the chosen months ------------------------------------------
found = data.callback_analysis(page)
if found.answers.empty:
    st.info(page.t("callbacks.none"), icon=":material/filter_alt_off:")
else:
    left, right = st.columns([3, 2])
    left.subheader(page.t("callbacks.answers"))
    ui.chart(charts.answer_distribution(found.answers, page.lang), where=left)
    right.subheader(page.t("callbacks.issues"))
    if found.issues.empty:
        right.caption(page.t("callbacks.no_issues"))
    else:
        ui.chart(charts.conduct_issues(found.issues, page.lang, top=12), where=right)
    st.subheader(page.t("callbacks.by_dealer"))
    by_dealer = found.by_dealer
    height = min(460, ui.rows_height(len(by_dealer), 12))
    shown, widths = tables.CALLBACK_DEALERS_SHOWN  # issue 14: fits 1440 px; every column in the expander
    ui.table(page, by_dealer, shown, height=height, key="callback_dealers", widths=widths)
    with ui.every_column(page, "callback_dealers_every_column") as wanted:
        if wanted:
            ui.table(page, by_dealer, tables.CALLBACK_DEALERS, height=height, key="callback_dealers_all")
    if len(found.issues):
        with st.expander(page.t("callbacks.issues")):
            ui.table(
                page,
                found.issues.assign(
                    conduct_issue=[charts.conduct_in_words(issue, page.lang) for issue in found.issues["conduct_issue"]]
                ),
                tables.CONDUCT,
            )
    # issue 14: one under the other, each the page's width (side by side they scrolled); every column in the download
    people, widths = tables.CALLBACK_PEOPLE_SHOWN
    # issue 13: the lists hold the rows drawn; the download reads them whole when clicked
    for title, frame, total in (
        (page.t("callbacks.fakes"), found.fakes, found.fakes_total),
        (page.t("callbacks.unreached"), found.unreached, found.unreached_total),
    ):
        st.subheader(title + f" ({fmt.count(total)})")
        ui.table(page, frame, people, height=min(400, ui.rows_height(len(frame), 10)), widths=widths, total=total)
    st.caption(page.t("callbacks.masked"))

    def sheets() -> list[Sheet]:
        fakes, unreached = data.callback_people(page)
        return [
            Sheet(page.t("callbacks.answers"), charts.answers_in_words(found.answers, page.lang), tables.ANSWERS),
            Sheet(page.t("callbacks.by_dealer"), found.by_dealer, tables.CALLBACK_DEALERS),
            Sheet(page.t("callbacks.issues"), found.issues, tables.CONDUCT),
            Sheet(page.t("callbacks.fakes"), fakes, tables.CALLBACK_PEOPLE),
            Sheet(page.t("callbacks.unreached"), unreached, tables.CALLBACK_PEOPLE),
        ]

    ui.download(page, "callbacks", sheets, [])

# --- the call center's list -------------------------------------------------------------------------
st.divider()
st.subheader(page.t("callbacks.list"))
no_repeat_days = int(page.rules["callbacks.no_repeat_days"])
st.caption(page.t("callbacks.list_help", days=no_repeat_days))
months = data.repair_months(page)
if not months:
    st.info(page.t("callbacks.empty_list"))
    st.stop()
month_col, share_col, seed_col, as_of_col = st.columns(4)
month = state.persisted(
    state.single("cb_month", fmt.parse_month, fmt.month),
    months[0],
    lambda **kw: month_col.selectbox(page.t("callbacks.month"), months, format_func=fmt.month, **kw),
    state.one_of(months),
)
default_share = round(float(page.rules["callbacks.sample_share"]) * 100, 1)
share = state.persisted(
    state.single("cb_share", float),
    default_share,
    lambda **kw: share_col.number_input(
        page.t("callbacks.share"),
        min_value=1.0,
        max_value=100.0,
        step=1.0,
        format="%.1f",
        help=page.t("callbacks.share_help"),
        **kw,
    ),
    lambda v: float(v) if isinstance(v, (int, float)) and 0 < v <= 100 else None,
)
seed = state.persisted(
    state.single("cb_seed", int),
    1,
    lambda **kw: seed_col.number_input(
        page.t("callbacks.seed"), min_value=0, step=1, help=page.t("callbacks.seed_help"), **kw
    ),
    lambda v: int(v) if isinstance(v, int) and v >= 0 else None,
)
as_of = state.persisted(
    state.single("cb_as_of", dt.date.fromisoformat, dt.date.isoformat),
    page.today,
    lambda **kw: as_of_col.date_input(page.t("callbacks.as_of"), format="YYYY-MM-DD", **kw),
    lambda v: v if isinstance(v, dt.date) else None,
)

full, masked = data.call_list(page, month, as_of, share / 100, no_repeat_days, int(seed))
if full.empty:
    st.info(page.t("callbacks.empty_list"))
    st.stop()
drawn = call_list_summary(full)
st.caption(
    page.t(
        "callbacks.drawn",
        drawn=fmt.count(drawn["drawn"]),
        records=fmt.count(drawn["records"]),
        dealers=fmt.count(drawn["dealers"]),
    )
)
height = min(460, ui.rows_height(len(masked), 12))
shown, widths = tables.CALL_LIST_SHOWN  # issue 14: fits 1440 px; every column in the expander and the download
ui.table(page, masked, shown, height=height, key="_cb_list", widths=widths)
with ui.every_column(page, "_cb_list_every_column") as wanted:
    if wanted:
        ui.table(page, masked, tables.CALL_LIST, height=height, key="_cb_list_all")
settings = [
    (page.t("callbacks.month"), fmt.month(month)),
    (page.t("callbacks.share"), f"{share:g} %"),
    (page.t("callbacks.seed"), str(seed)),
    (page.t("callbacks.as_of"), fmt.day(as_of)),
]
if not page.may("unmasked_call_list"):  # issue 15: whole names and phones are the call center's and admins'
    st.caption(page.t("callbacks.masked_only"))
    ui.download(
        page, "call_list_masked", [Sheet(page.t("callbacks.list"), masked, tables.CALL_LIST)], settings, months=False
    )
    st.stop()
st.warning(page.t("callbacks.download_warning"), icon=":material/lock_open:")
st.download_button(
    page.t("callbacks.download"),
    signin.audited(
        page,
        "call_list",
        False,
        settings,
        lambda: excel.call_list_workbook(
            full, CALLBACK_FORM_QUESTIONS, page.t("callbacks.notice"), settings, page.lang
        ),
    ),
    file_name=f"callbacks_{fmt.month(month)}_seed{seed}.xlsx",
    icon=":material/download:",
    on_click="ignore",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
