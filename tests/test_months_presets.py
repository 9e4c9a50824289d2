"""Issue 14: the months filter's presets, worked out by hand from a date and the months a data set covers."""

from __future__ import annotations

import datetime as dt

import pytest

from app.months import PRESETS, preset_span, presets


def _months(first: str, last: str) -> list[dt.date]:
    start, end = dt.date.fromisoformat(first + "-01"), dt.date.fromisoformat(last + "-01")
    months = []
    while start <= end:
        months.append(start)
        start = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return months


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text + "-01")


def test_presets_at_the_start_of_december_with_data_to_november():
    spans = presets(_months("2024-12", "2026-11"), dt.date(2026, 12, 2))
    assert list(spans) == list(PRESETS)
    assert spans["this_year"] == (_d("2026-01"), _d("2026-11"))  # December has no data yet
    assert spans["year_to_date"] == (_d("2026-01"), _d("2026-11"))
    assert spans["last_year"] == (_d("2025-01"), _d("2025-12"))
    assert spans["last_quarter"] == (_d("2026-07"), _d("2026-09"))  # Q4 has not ended
    assert spans["last_12_months"] == (_d("2025-12"), _d("2026-11"))


def test_presets_early_in_a_year_cut_to_the_data_and_missing_when_empty():
    months = _months("2025-11", "2026-01")
    spans = presets(months, dt.date(2026, 2, 10))
    assert spans["this_year"] == spans["year_to_date"] == (_d("2026-01"), _d("2026-01"))
    assert spans["last_quarter"] == (_d("2025-11"), _d("2025-12"))  # Oct 2025 is before the data
    assert spans["last_year"] == (_d("2025-11"), _d("2025-12"))
    assert spans["last_12_months"] == (_d("2025-11"), _d("2026-01"))
    assert preset_span("last_year", _months("2026-01", "2026-01"), dt.date(2026, 2, 10)) is None
    assert "last_year" not in presets(_months("2026-01", "2026-01"), dt.date(2026, 2, 10))
    assert presets([], dt.date(2026, 2, 10)) == {}


def test_year_to_date_stops_at_today_when_data_runs_ahead():
    spans = presets(_months("2026-01", "2026-12"), dt.date(2026, 3, 15))
    assert spans["year_to_date"] == (_d("2026-01"), _d("2026-03"))
    assert spans["this_year"] == (_d("2026-01"), _d("2026-12"))
    assert "last_quarter" not in spans and "last_year" not in spans  # Q4 2025: before the data


def test_an_unknown_preset_is_refused():
    with pytest.raises(ValueError):
        preset_span("next_decade", _months("2026-01", "2026-02"), dt.date(2026, 3, 1))
