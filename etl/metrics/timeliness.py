"""Whether the dealers' monthly reports came on time: every dealer's overdue months (the Data page)
and one dealer's months (the drill-down), both judged by views.sql's report_status macro."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from etl.metrics import named
from etl.metrics.scope import Scope, where

TIMELINESS_COLUMNS = [
    "month",
    "report_due_on",
    "first_submitted_on",
    "last_submitted_on",
    "submissions",
    "days_late",
    "status",
]


def report_status(con, as_of: dt.date, scope: Scope | None = None) -> pd.DataFrame:
    """Every dealer-month (of the scope's dealers) under contract whose report deadline has passed by
    `as_of`, from the first month with any data: submitted (first submission), days late, or missing
    and days overdue."""
    return named.run(
        con, "report_status", {"as_of": as_of}, scope=where((scope or Scope()).dealers_only(), dealers="d")
    )


def status_counts(status: pd.DataFrame) -> dict[str, int]:
    """How many dealer-months of report_status's rows are missing, late and on time."""
    counts = status["status"].value_counts() if len(status) else pd.Series(dtype="int64")
    return {code: int(counts.get(code, 0)) for code in ("missing", "late", "on_time")}


def report_timeliness(con, dealer_id: str, scope: Scope, today: dt.date) -> pd.DataFrame:
    """Each month of the scope for one dealer: deadline, first and latest submission, days late and a status.

    status: not_due (deadline still ahead: never on time before it), on_time, late, missing (deadline
    passed, no report by today) or no_contract (the dealer was not under contract that month and sent nothing).
    """
    if not scope.months or not scope.permits(dealer_id):  # none for a dealer outside the user's
        return pd.DataFrame(columns=TIMELINESS_COLUMNS)
    first, last = scope.months
    return named.run(
        con, "report_timeliness", {"dealer_id": dealer_id, "first_month": first, "last_month": last, "today": today}
    )
