"""The Award page's view of queries.award: eligible dealers on top, and how many fail each criterion."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from etl.metrics import queries
from etl.metrics.scope import Scope

AWARD_CRITERIA = ("complaints", "satisfaction", "evidence", "reports", "network", "notices")


def failed(award: pd.DataFrame, criteria: tuple[str, ...] = AWARD_CRITERIA) -> pd.DataFrame:
    """Per dealer and criterion: failed (not pass_<criterion>), the one reading of a failed criterion."""
    return pd.DataFrame({c: ~award[f"pass_{c}"].astype(bool) for c in criteria}, index=award.index)


def failing_dealers(award: pd.DataFrame, criteria: tuple[str, ...] = AWARD_CRITERIA) -> dict[str, int]:
    """How many dealers of `award` fail each criterion."""
    return {c: int(n) for c, n in failed(award, criteria).sum().items()}


def award_ranked(con, year: int, as_of: dt.date, scope: Scope | None = None) -> pd.DataFrame:
    """queries.award (of the scope's dealers) with the eligible dealers on top, then the fewest failed
    criteria (`criteria_failed`)."""
    frame = queries.award(con, year, as_of, scope)
    frame["criteria_failed"] = failed(frame).sum(axis=1).astype(int)
    return frame.sort_values(["eligible", "criteria_failed", "dealer_id"], ascending=[False, True, True]).reset_index(
        drop=True
    )


def summary(award: pd.DataFrame) -> dict:
    """The Award page's figures: dealers, eligible dealers, and dealers failing each criterion."""
    return {
        "dealers": len(award),
        "eligible": int(award["eligible"].astype(bool).sum()),
        "failing": failing_dealers(award),
    }
