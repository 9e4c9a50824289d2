"""Monthly reports of the demo: how each dealer-month is delivered (or not) and when it is submitted."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sampledata.roles import BAD_FILE, LATE_DEALERS, MISSING_MONTHS, RESUBMISSION, SINGLE_CSV, SINGLE_XLSX
from sampledata.span import Span


def draw_reports(
    rng: np.random.Generator, dealers: pd.DataFrame, span: Span, frame: pd.DataFrame, counts: np.ndarray
) -> pd.DataFrame:
    """One row per dealer-month with records: how it was delivered and when it was submitted."""
    reports = frame.loc[counts > 0, ["dealer", "month"]].copy()
    reports["frame_row"] = reports.index.to_numpy()
    d = dealers.iloc[reports["dealer"].to_numpy()]
    n = len(reports)
    late = rng.random(n) < d["late"].to_numpy()
    late = _forced_late_months(rng, reports, dealers, span, late)
    on_time_day = rng.integers(d["on_time_low"].to_numpy(), d["on_time_high"].to_numpy() + 1)
    day = np.where(late, rng.integers(16, 29, n), on_time_day)
    next_month = (span.months[reports["month"].to_numpy()] + 1).astype("datetime64[D]")
    # The data set stands as of the first day after its last month: a report cannot have been
    # submitted later than that (the loader rejects a submission date after the load date).
    reports["submitted_on"] = np.minimum(next_month + (day - 1).astype("timedelta64[D]"), span.end)
    reports["layout"] = "consolidated"
    ids = d["dealer_id"].to_numpy()
    for dealer_id, months in MISSING_MONTHS.items():
        for month in months:
            _set_layout(reports, ids, dealer_id, span.index(("award", month)), "missing")
    for layout, entries in (
        ("single_csv", SINGLE_CSV),
        ("single_xlsx", SINGLE_XLSX),
        ("bad_file", (BAD_FILE,)),
        ("resubmitted", (RESUBMISSION,)),
    ):
        for dealer_id, when in entries:
            _set_layout(reports, ids, dealer_id, span.index(when), layout)
    return reports.set_index("frame_row")


def _forced_late_months(
    rng: np.random.Generator, reports: pd.DataFrame, dealers: pd.DataFrame, span: Span, late: np.ndarray
) -> np.ndarray:
    """Late dealers: 3-5 late months in the award year, whatever the dice said."""
    ids = dealers["dealer_id"].to_numpy()[reports["dealer"].to_numpy()]
    year = span.months.astype("datetime64[Y]").astype(int)[reports["month"].to_numpy()] + 1970
    late = late.copy()
    for dealer_id in LATE_DEALERS:
        rows = np.nonzero((ids == dealer_id) & (year == span.award_year))[0]
        late[rows] = False
        late[rng.choice(rows, int(rng.integers(3, 6)), replace=False)] = True
    return late


def _set_layout(reports: pd.DataFrame, ids: np.ndarray, dealer_id: str, month: int | None, layout: str) -> None:
    if month is not None:
        reports.loc[(ids == dealer_id) & (reports["month"].to_numpy() == month), "layout"] = layout


def is_delivered(records: pd.DataFrame, reports: pd.DataFrame) -> np.ndarray:
    """Records whose dealer-month reaches the database (not missing, not in the bad file)."""
    layout = reports["layout"].reindex(records["frame_row"].to_numpy()).to_numpy()
    return ~np.isin(layout, ("missing", "bad_file"))
