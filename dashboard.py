"""Entry point: `streamlit run dashboard.py`. Lists the pages in the chosen language; each page sets itself up."""

import streamlit as st

from app import signin, state
from app.i18n import t
from etl import access

PAGES = (
    ("pages/0_Overview.py", "overview", ":material/dashboard:"),
    ("pages/1_Dealers.py", "dealers", ":material/storefront:"),
    ("pages/2_Award.py", "award", ":material/workspace_premium:"),
    ("pages/3_Settlement.py", "settlement", ":material/payments:"),
    ("pages/4_Data.py", "data", ":material/upload_file:"),
    ("pages/5_Callbacks.py", "callbacks", ":material/call:"),
    ("pages/8_Cases.py", "cases", ":material/assignment_turned_in:"),
    ("pages/6_Explore.py", "explore", ":material/query_stats:"),
    ("pages/7_Audit.py", "audit", ":material/policy:"),
)

lang = state.current_language()
# Issue 15: a signed-in user's navigation lists the pages of their role (etl/access.py), the first one the
# default; before sign-in every page is there but the list is hidden, so a page opened by its URL shows the
# sign-in form (app/signin.py) rather than "page not found".
# A page the role may not see is there too, hidden from the list and running only the gate's refusal ("you do
# not have access to this page", audited) instead of its script: opened by its URL it shows that message, in
# the page's language, and nothing of the page (not Streamlit's "page not found" over the role's first page).
user = signin.current_user()
signing_in = user is None and signin.users_configured()
shown = [page for page in PAGES if access.may_open(user, page[1])]


def refusal(name: str):
    def refused() -> None:
        state.setup(name, require_data=False)  # the gate stops it: the refusal, before anything is read

    return refused


st.navigation(
    [
        st.Page(path, title=t(f"{name}.title", lang), icon=icon, url_path=name, default=n == 0)
        for n, (path, name, icon) in enumerate(shown)
    ]
    + [
        st.Page(refusal(name), title=t(f"{name}.title", lang), icon=icon, url_path=name, visibility="hidden")
        for path, name, icon in PAGES
        if not access.may_open(user, name)
    ],
    position="hidden" if signing_in else "sidebar",
).run()
