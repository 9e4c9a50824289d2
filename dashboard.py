"""Entry point: `streamlit run dashboard.py`. Lists the pages in the chosen language; each page sets itself up."""
import streamlit as st

from app import state
from app.i18n import t

PAGES = (
    ("pages/0_Overview.py", "overview", ":material/dashboard:"),
    ("pages/1_Dealers.py", "dealers", ":material/storefront:"),
    ("pages/2_Award.py", "award", ":material/workspace_premium:"),
    ("pages/3_Settlement.py", "settlement", ":material/payments:"),
    ("pages/4_Data.py", "data", ":material/upload_file:"),
    ("pages/5_Callbacks.py", "callbacks", ":material/call:"),
    ("pages/6_Explore.py", "explore", ":material/query_stats:"),
)

lang = state.current_language()
st.navigation([st.Page(path, title=t(f"{name}.title", lang), icon=icon, url_path=name, default=n == 0)
               for n, (path, name, icon) in enumerate(PAGES)]).run()
