"""Issue 14: every dealer id in every table opens that dealer's drill-down (the Dealers page), the one way for all.

A table's dealer id cell holds the drill-down's address (the dealer, the page's months or the year's, the sidebar's
regions, provinces and area types, the language: a new tab opens on the same view of that dealer) and shows the
dealer id (LinkColumn's display_text takes it back out of the address). The frame of a download keeps the ids.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pandas as pd
import streamlit as st

from app import format as fmt
from app.state import PageContext

COLUMN = "dealer_id"
PATH = "/dealers"
SHOWN = r"dealer=([^&]+)"  # what the cell shows: the dealer id, the address's first parameter


def dealer_url(page: PageContext, dealer_id, months: tuple[dt.date, dt.date] | None = None) -> str:
    """The drill-down of one dealer under the page's filters; `months` (first, last) replaces the page's span (a
    page about a year passes the year's months)."""
    first, last = months or (page.scope.first_month, page.scope.last_month)
    scope = page.scope
    params = [("dealer", str(dealer_id)), ("from", fmt.month(first)), ("to", fmt.month(last))]
    params += [("region", r) for r in scope.regions] + [("province", p) for p in scope.provinces]
    params += [("area", a) for a in scope.area_types] + [("lang", page.lang)]
    return f"{PATH}?{urlencode(params, quote_via=quote, safe='')}"


def dealer_of(url: str) -> str:
    """The dealer id a drill-down address opens (what its cell shows; tests read tables with it)."""
    return parse_qs(urlsplit(url).query)["dealer"][0]


def year_months(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 1)


def wanted(page: PageContext, frame: pd.DataFrame, column: str = COLUMN) -> bool:
    """A table links its dealer ids when it has them (as text: an Explore query may call a count dealer_id) and the
    user's navigation has the Dealers page."""
    if list(frame.columns).count(column) != 1 or pd.api.types.is_numeric_dtype(frame[column]):
        return False
    return page.may_open("dealers")


def linked(
    page: PageContext, frame: pd.DataFrame, column: str = COLUMN, months: tuple[dt.date, dt.date] | None = None
) -> pd.DataFrame:
    """A copy of `frame` whose dealer ids are drill-down addresses (an empty id stays empty)."""
    out = frame.copy()
    out[column] = [None if fmt.is_empty(d) else dealer_url(page, d, months) for d in frame[column]]
    return out


def column(width: int | str | None = None, label: str | None = None):
    """The column_config entry of a linked dealer id column: shows the id, opens the drill-down when clicked."""
    return st.column_config.LinkColumn(label=label, display_text=SHOWN, width=width)  # type: ignore[arg-type]
