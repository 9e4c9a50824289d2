"""Audit (admins): the append-only trail of sign-ins, uploads, exports and user changes, filtered, exported."""

import datetime as dt

import streamlit as st

from app import data, state, tables, ui
from app import format as fmt
from app.excel import Sheet
from etl.audit import EVENTS

page = state.setup("audit", require_data=False)
st.title(page.t("audit.title"))
st.caption(page.t("audit.help"))
since_col, until_col, user_col, kinds_col = st.columns([1, 1, 1, 2])
since = since_col.date_input(
    page.t("audit.since"), value=page.today - dt.timedelta(days=30), format="YYYY-MM-DD", key="_audit_since"
)
until = until_col.date_input(page.t("audit.until"), value=page.today, format="YYYY-MM-DD", key="_audit_until")
user_name = user_col.text_input(page.t("audit.user"), key="_audit_user")
kinds = kinds_col.multiselect(
    page.t("audit.events"),
    list(EVENTS),
    placeholder=page.t("filters.all"),
    format_func=lambda code: page.t(f"audit.event.{code}"),
    key="_audit_kinds",
)
events = data.audit_events(page, since, until, user_name, tuple(kinds))
st.caption(page.t("audit.count", rows=fmt.count(len(events))))
ui.table(page, events, tables.AUDIT, height=min(600, ui.rows_height(len(events), 15)))
chosen = "、".join(page.t(f"audit.event.{code}") for code in kinds) or page.t("filters.all")
ui.download(
    page,
    "audit",
    [Sheet(page.t("audit.title"), events, tables.AUDIT)],
    [
        (page.t("audit.since"), fmt.day(since)),
        (page.t("audit.until"), fmt.day(until)),
        (page.t("audit.user"), user_name or page.t("filters.all")),
        (page.t("audit.events"), chosen),
    ],
    months=False,
)
