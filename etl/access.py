"""Who sees what: each role's pages and rights, and a user's dealers (docs/access.md has the table).

The one place a role's reach is written down. app/state.setup() asks `may_open(user, page)` for
every page and intersects `scope_for(user, roster)` into the page's Scope, whose filter builder
(etl/metrics/scope.py) then adds it to every named query; the Explore sandbox copies only
`scope_for(...).allowed`'s rows (etl/explore.py). `user` None means open access (no users file):
every page, every dealer, but on this computer only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from etl.metrics.scope import Scope
from etl.users import User

if TYPE_CHECKING:
    import pandas as pd

# The pages (dashboard.py's names) each role sees; the others are absent from its navigation and
# refuse when opened by their URL. The Data page of a user limited to some dealers holds only the
# correction sheets of their dealers' rows and their reports due (pages/4_Data.py).
EVERY_PAGE = ("overview", "dealers", "award", "settlement", "data", "callbacks", "explore", "cases", "reports")
PAGES: dict[str, tuple[str, ...]] = {
    "admin": EVERY_PAGE + ("audit",),
    "analyst": EVERY_PAGE,
    "regional": ("overview", "dealers", "award", "settlement", "data", "callbacks", "explore", "cases", "reports"),
    "callcenter": ("callbacks",),
    "dealer": ("dealers", "data"),
}
# Rights beyond seeing a page. "upload": load files on the Data page; "unmasked_call_list": the call
# center's list with whole names and phones (the one unmasked export of figures); "correction_sheets": a
# file's rejected rows as the dealer wrote them, to send back (a dealer: its own rows only); "users" and
# "audit": the admin's.
RIGHTS: dict[str, frozenset[str]] = {
    "admin": frozenset({"upload", "unmasked_call_list", "correction_sheets", "users", "audit"}),
    "analyst": frozenset({"correction_sheets"}),
    "regional": frozenset(),
    "callcenter": frozenset({"unmasked_call_list"}),
    "dealer": frozenset({"correction_sheets"}),
}


def may_open(user: User | None, page: str) -> bool:
    return user is None or page in PAGES[user.role]


def may(user: User | None, right: str) -> bool:
    """Open access (no users file, this computer only) may do everything but manage users."""
    if user is None:
        return right != "users"
    return right in RIGHTS[user.role] or (right == "upload" and user.role == "analyst" and user.uploads)


def allowed_dealers(user: User | None, roster: pd.DataFrame) -> tuple[str, ...] | None:
    """The dealer ids a user may see (roster: dealer_id, region, province), or None for every dealer.

    A scoped user sees the dealers of any of their regions, provinces or dealer ids: a tuple that may
    be empty (a region without dealers), never None."""
    if user is None or not user.scoped:
        return None
    keep = (
        roster["region"].isin(user.regions)
        | roster["province"].isin(user.provinces)
        | roster["dealer_id"].isin(user.dealer_ids)
    )
    return tuple(sorted(roster.loc[keep, "dealer_id"].astype(str)))


def scope_for(user: User | None, roster: pd.DataFrame, scope: Scope | None = None) -> Scope:
    """`scope` (the page's filters; default every dealer) narrowed to what the user may see."""
    return (scope or Scope()).within(allowed_dealers(user, roster))
