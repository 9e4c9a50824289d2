"""Opening dashboard pages in Streamlit's AppTest, shared by the page test modules."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

ENTRY = "../dashboard.py"
PAGES = {
    "overview": "pages/0_Overview.py",
    "dealers": "pages/1_Dealers.py",
    "award": "pages/2_Award.py",
    "settlement": "pages/3_Settlement.py",
    "data": "pages/4_Data.py",
    "callbacks": "pages/5_Callbacks.py",
    "explore": "pages/6_Explore.py",
}
REVIEW_PAGES = ("overview", "dealers", "award", "settlement")


def open_page(name: str, **params) -> AppTest:
    """A fresh session (as an opened link) on one page, with URL parameters; fails on any exception shown."""
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.query_params.update(params)
    at.run()
    if name != "overview":
        at.switch_page(PAGES[name]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at
