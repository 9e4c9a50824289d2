"""Issue 14: the Award page's criteria at a glance, and what a what-if changes, on a hand-made award frame."""

from __future__ import annotations

import pandas as pd

from app import award_view
from etl.metrics.definitions import MET, NOT_DEMONSTRABLE, NOT_MET


def _award(eligible) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "dealer_id": ["D1", "D2"],
            "dealer_name": ["一", "二"],
            "eligible": eligible,
            "complaints_per_1000_sales": [0.82, 1.5],
            "complaints_threshold": [1.0, 1.0],
            "status_complaints": [MET, NOT_MET],
            "satisfaction_rate": [0.964, 0.9],
            "satisfaction_threshold": [0.98, 0.98],
            "status_satisfaction": [NOT_DEMONSTRABLE, NOT_MET],
            "callbacks_answered": [61, 12],
            "evidence_threshold": [30, 30],
            "status_evidence": [MET, NOT_MET],
            "report_rate": [1.0, 0.75],
            "report_threshold": [0.9, 0.9],
            "status_reports": [MET, NOT_MET],
            "technicians": [4, 1],
            "status_network": [MET, NOT_MET],
            "notices": [0, 2],
            "status_notices": [MET, NOT_MET],
        }
    )


def test_each_criterion_reads_mark_value_and_threshold():
    table = award_view.criteria_table(_award([True, False]), "en")
    assert list(table.columns) == [
        "dealer_id",
        "dealer_name",
        "eligible",
        "Complaints ‰",
        "Satisfaction",
        "Evidence",
        "Reports",
        "Network",
        "Notices",
    ]
    assert table.iloc[0, 2:].tolist() == [
        "✓",
        "✓ 0.82 ‰ (< 1 ‰)",
        "? 96.4 % (≥ 98 %)",
        "✓ 61 (≥ 30)",
        "✓ 100.0 % (≥ 90 %)",
        "✓ 4",
        "✓ 0",
    ]
    assert table.iloc[1, 2:].tolist() == [
        "✗",
        "✗ 1.50 ‰ (< 1 ‰)",
        "✗ 90.0 % (≥ 98 %)",
        "✗ 12 (≥ 30)",
        "✗ 75.0 % (≥ 90 %)",
        "✗ 1",
        "✗ 2",
    ]
    assert award_view.criteria_table(_award([True, False]), "zh").columns[3] == "投诉/千台"


def test_a_what_if_marks_the_dealers_whose_outcome_changes():
    base, what_if = _award([True, False]), _award([True, True]).iloc[::-1]  # another order: matched by dealer
    changes = award_view.outcome_changes(base, what_if)
    assert changes.to_dict() == {1: "✗ → ✓", 0: ""}
    assert (award_view.outcome_changes(base, base) == "").all()
