"""The Award page's criteria at a glance (issue 14): one cell per criterion holding its mark, value and threshold
(✓ 0.82 ‰ · < 1 ‰), so the whole verdict of a dealer fits a 1440 px screen without scrolling sideways; and, under
a what-if, which dealers' outcome it changes.

Pure functions (no Streamlit): the award frame comes from etl.metrics.award with its statuses computed; this
module only writes them as people read them.
"""

from __future__ import annotations

import pandas as pd

from app import format as fmt
from app.i18n import t
from etl.metrics.award import AWARD_CRITERIA
from etl.metrics.definitions import MET, NOT_DEMONSTRABLE, NOT_MET

MARKS = {MET: "✓", NOT_MET: "✗", NOT_DEMONSTRABLE: "?"}
# criterion -> (value column, its kind, threshold column or None, the side of the threshold that passes)
CRITERIA = {
    "complaints": ("complaints_per_1000_sales", "per_mille", "complaints_threshold", "below"),
    "satisfaction": ("satisfaction_rate", "percent", "satisfaction_threshold", "at_least"),
    "evidence": ("callbacks_answered", "count", "evidence_threshold", "at_least"),
    "reports": ("report_rate", "percent", "report_threshold", "at_least"),
    "network": ("technicians", "count", None, None),
    "notices": ("notices", "count", None, None),
}
assert tuple(CRITERIA) == AWARD_CRITERIA


def _value(value, kind: str) -> str:
    if kind == "per_mille":
        return fmt.per_mille(value)
    if kind == "percent":
        return fmt.percent(value)
    return fmt.count(value)


def _threshold(value, kind: str, side: str) -> str:
    if fmt.is_empty(value):
        return ""
    shown = fmt.limit(value, 1000 if kind == "per_mille" else 1) if kind != "count" else fmt.count(value)
    return f"{'<' if side == 'below' else '≥'} {shown}"


def cell(row, criterion: str) -> str:
    """One criterion of one dealer: ✓ / ✗ / ? (not demonstrable at this sample size), the value, the threshold."""
    column, kind, threshold, side = CRITERIA[criterion]
    mark = MARKS.get(row.get(f"status_{criterion}"), "—")
    text = f"{mark} {_value(row.get(column), kind)}"
    limit = _threshold(row.get(threshold), kind, side) if threshold and side else ""
    return f"{text} ({limit})" if limit else text


def criteria_columns(lang: str) -> list[str]:
    """The criteria's short headers in `lang` (award.short.<criterion>; full names: award.criterion.<criterion>)."""
    return [t(f"award.short.{criterion}", lang) for criterion in AWARD_CRITERIA]


def criteria_table(award: pd.DataFrame, lang: str) -> pd.DataFrame:
    """dealer_id, dealer_name, eligible (✓ / ✗) and one text column per criterion, headed in `lang`."""
    rows = award.to_dict("records")
    out = pd.DataFrame(
        {
            "dealer_id": award["dealer_id"],
            "dealer_name": award["dealer_name"],
            "eligible": [fmt.check(row.get("eligible")) for row in rows],
        }
    )
    for criterion, header in zip(AWARD_CRITERIA, criteria_columns(lang)):
        out[header] = [cell(row, criterion) for row in rows]
    return out


def outcome_changes(base: pd.DataFrame, what_if: pd.DataFrame) -> pd.Series:
    """Per dealer of `what_if` (by its index): '✗ → ✓' or '✓ → ✗' where the what-if changes eligibility, else ''."""
    before = dict(zip(base["dealer_id"], base["eligible"].astype(bool)))
    changes = []
    for dealer_id, now in zip(what_if["dealer_id"], what_if["eligible"].astype(bool)):
        was = before.get(dealer_id)
        changes.append("" if was is None or was == now else f"{fmt.check(was)} → {fmt.check(now)}")
    return pd.Series(changes, index=what_if.index, dtype=object)
