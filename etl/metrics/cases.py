"""Issue 16's cases as the pages, the command line and the call list read them: the queue, one case's
records and history, the figures per dealer or region. The SQL is in etl/metrics/sql/case_*.sql
(etl.metrics.named), the scope's filter from etl.metrics.scope (dealers only: an open case waits
whatever months a page shows); what counts as open, overdue, closed on time and the days to close are
the macros of views.sql, the two rates those of definitions.OTHER_RATES. Writing is etl/cases.py's."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from etl.metrics import named
from etl.metrics.scope import Scope, where

# Every status a case can have, in the order of its life; codes (words: case.status.<code>).
STATUSES = ("open", "in_progress", "resolved", "closed", "reopened", "withdrawn")
# Figures by what: the columns a row of case_figures is grouped by.
FIGURES_BY = {"dealer": "dealer_id, dealer_name, region", "region": "region"}
FIGURE_COLUMNS = [
    "cases_opened",
    "cases_open",
    "cases_overdue",
    "cases_closed",
    "cases_closed_on_time",
    "cases_closed_on_time_rate",
    "median_days_to_close",
    "cases_reopened",
    "cases_ever_closed",
    "cases_reopened_share",
]


def _scope(scope: Scope | None):
    return where((scope or Scope()).dealers_only(), dealers="d")


def queue(
    con,
    now: dt.datetime,
    scope: Scope | None = None,
    kinds=(),
    statuses=(),
    owner: str | None = None,
    overdue_only: bool = False,
    dealer_id: str | None = None,
) -> pd.DataFrame:
    """The cases of the scope's dealers, overdue first; filtered by kind, status, owner (""
    for cases nobody owns), dealer and overdue. Empty filters keep every case."""
    found = named.run(con, "case_queue", {"now": now}, scope=_scope(scope))
    if kinds:
        found = found[found["kind"].isin(list(kinds))]
    if statuses:
        found = found[found["status"].isin(list(statuses))]
    if owner is not None:
        found = found[found["owner"].fillna("") == owner]
    if overdue_only:
        found = found[found["overdue"]]
    if dealer_id:
        found = found[found["dealer_id"] == dealer_id]
    return found.reset_index(drop=True)


def one(con, case_id: int, now: dt.datetime, scope: Scope | None = None) -> dict | None:
    """One case of the scope as a dict (the queue's columns), None when there is none the scope sees."""
    found = queue(con, now, scope)
    rows = found[found["case_id"] == case_id].to_dict("records")
    return rows[0] if rows else None


def history(con, case_id: int) -> pd.DataFrame:
    """Every change of the case, oldest first: changed_at, author, field, old_value, new_value, version."""
    return named.run(con, "case_history", {"case_id": case_id})


def records(con, case_id: int) -> pd.DataFrame:
    """The repair records behind the case, personal data masked."""
    return named.run(con, "case_records", {"case_id": case_id})


def figures(con, now: dt.datetime, by: str = "dealer", scope: Scope | None = None) -> pd.DataFrame:
    """Cases opened, open, overdue, closed, closed on time (and its rate), median days to close,
    reopened (and its share of the cases ever closed) per dealer or region; withdrawn cases left out."""
    if by not in FIGURES_BY:
        raise ValueError(f"case figures are by {' or '.join(FIGURES_BY)}, not {by}")
    return named.run(con, "case_figures", {"now": now}, scope=_scope(scope), by=FIGURES_BY[by])


def totals(con, now: dt.datetime, scope: Scope | None = None) -> dict:
    """The figures over every dealer of the scope: one row of case_figures grouped by nothing."""
    found = named.run(con, "case_figures", {"now": now}, scope=_scope(scope), by="'all' AS scope_total")
    if found.empty:
        return {column: 0 for column in FIGURE_COLUMNS} | {
            "cases_closed_on_time_rate": None,
            "median_days_to_close": None,
            "cases_reopened_share": None,
        }
    row = found.iloc[0].to_dict()
    return {column: (None if pd.isna(row[column]) else row[column]) for column in FIGURE_COLUMNS}


def recheck_calls(con) -> pd.DataFrame:
    """Customers of closed complaint and fake-record cases waiting for their re-check call, in call-list
    columns plus recheck_case; NOT masked (the call list is for calling customers)."""
    return named.run(con, "recheck_calls")
