"""Opening dashboard pages in Streamlit's AppTest, shared by the page test modules."""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

from app import links

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


def with_every_column(at: AppTest, *keys: str) -> AppTest:
    """The page after opening its 'all columns' expanders (app.ui.every_column: a table built only when open)."""
    for key in keys:
        at.session_state[key] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


DEALER_ID_HEADERS = ("dealer_id", "Dealer id", "经销商编号")


def frame_with(at: AppTest, column: str) -> pd.DataFrame | None:
    """The first table drawn with a column of this header (a page's tables move when one is added before it)."""
    return next((frame.value for frame in at.dataframe if column in frame.value.columns), None)


def unlinked(frame: pd.DataFrame) -> pd.DataFrame:
    """Issue 14: a table's dealer ids are drill-down addresses (app.links) showing the id; the frame with the ids
    they show, each address checked to open the Dealers page."""
    out = frame.copy()
    for column in [c for c in out.columns if c in DEALER_ID_HEADERS]:
        if out[column].map(lambda v: isinstance(v, str) and v.startswith(links.PATH + "?dealer=")).any():
            out[column] = [None if v is None else links.dealer_of(v) for v in out[column]]
    return out
