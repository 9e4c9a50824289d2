"""The records behind a dealer's numbers: one list per count the drill-down can open, personal data
masked (the warehouse's masked_name / masked_phone macros, etl.metrics.privacy).

Each list is the named query of its name (etl/metrics/sql/<query>.sql) over the scope's months, and
holds exactly what its count in dealer_month_metrics counts (RECORD_COUNTS).
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from etl.metrics import named
from etl.metrics.named import Fragment
from etl.metrics.scope import Scope, where

# list name -> (named query, the column of its rows the scope's months bound)
_LISTS = {
    "open_records": ("open_records", "r.report_month"),
    "misses": ("missed_requests", "q.month"),
    "complaints": ("complaint_records", "c.month"),
    "fake_records": ("fake_records", "c.month"),
    "late_arrivals": ("late_arrivals", "r.report_month"),
    "repeat_repairs": ("repeat_repairs", "r.report_month"),
}


def _lister(name: str):
    query, month = _LISTS[name]

    def records(con, dealer_id: str, scope: Scope) -> pd.DataFrame:
        # The list is one dealer's: none at all for a dealer outside the user's (scope.allowed).
        months = (
            where(replace(scope, allowed=None), month=month, dealers=None)
            if scope.permits(dealer_id)
            else Fragment("false", {})
        )
        return named.run(con, query, {"dealer_id": dealer_id}, months=months)

    records.__name__ = f"_{query}"
    records.__doc__ = f"The record list {name!r}: etl/metrics/sql/{query}.sql over the scope's months."
    return records


RECORD_LISTS = {name: _lister(name) for name in _LISTS}  # list name -> query
# How many rows each list has, from the counts of dealer_month_metrics: (counted, minus) columns.
RECORD_COUNTS = {
    "open_records": ("open_records", None),
    "misses": ("misses", None),
    "complaints": ("complaints", None),
    "fake_records": ("fake_records", None),
    "late_arrivals": ("on_time_base", "on_time"),
    "repeat_repairs": ("repeat_repairs", None),
}


def record_list(con, name: str, dealer_id: str, scope: Scope) -> pd.DataFrame:
    """One list of the records behind a dealer's numbers (RECORD_LISTS), in the scope's months."""
    return RECORD_LISTS[name](con, dealer_id, scope)


def record_counts(totals: pd.DataFrame) -> dict[str, int]:
    """The length of each record list, read off a roll-up row: the lists hold exactly what those counts count."""
    row = totals.iloc[0] if len(totals) else None
    return {
        name: _count(row, counted) - (_count(row, minus) if minus else 0)
        for name, (counted, minus) in RECORD_COUNTS.items()
    }


def _count(row, name: str) -> int:
    return 0 if row is None or pd.isna(row[name]) else int(row[name])
