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
user = signin.current_user()
signing_in = user is None and signin.users_configured()
shown = [page for page in PAGES if access.may_open(user, page[1])]
st.navigation(
    [
        st.Page(path, title=t(f"{name}.title", lang), icon=icon, url_path=name, default=n == 0)
        for n, (path, name, icon) in enumerate(shown)
    ],
    position="hidden" if signing_in else "sidebar",
).run()
