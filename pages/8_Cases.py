"""Cases: every complaint, fake record and unhappy customer as a tracked case, worked to the end (issue 16)."""

import streamlit as st

from app import cases_ui, data, state, ui

page = state.setup("cases")
st.title(page.t("cases.title"))
ui.scope_caption(page, months=False)
view = data.cases(page)
if view.queue.empty:
    st.info(page.t("cases.none"), icon=":material/task_alt:")
    st.stop()
cases_ui.figures(page, view)
shown = cases_ui.filtered(page, view.queue)
chosen = cases_ui.queue(page, shown)
cases_ui.bulk_assign(page, shown, chosen)
cases_ui.downloads(page, view, shown)
cases_ui.by_dealer_and_region(page, view)
st.divider()
cases_ui.one(page, shown, chosen)
