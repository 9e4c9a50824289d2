"""The months filter's presets (issue 14): this year, last year, the last 12 months, the last quarter, year to date.

Pure functions (no Streamlit): a preset is a span of calendar months worked out from today and the
latest month with data, then cut to the months the data covers; a preset that covers none of them
is not offered.
"""

from __future__ import annotations

import datetime as dt

PRESETS = ("last_12_months", "this_year", "year_to_date", "last_quarter", "last_year")
LAST_MONTHS = 12


def _shift(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def preset_bounds(preset: str, today: dt.date, latest: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar months a preset means, first and last (first day of each month).

    this_year: January to December of today's year; last_year: the year before; year_to_date: January of
    today's year to the latest month with data that is not after today's month; last_quarter: the last
    calendar quarter that ended before today; last_12_months: the 12 months ending with the latest month
    with data."""
    this_month = today.replace(day=1)
    if preset == "this_year":
        return dt.date(today.year, 1, 1), dt.date(today.year, 12, 1)
    if preset == "last_year":
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 1)
    if preset == "year_to_date":
        return dt.date(today.year, 1, 1), min(latest.replace(day=1), this_month)
    if preset == "last_quarter":
        quarter_start = dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
        return _shift(quarter_start, -3), _shift(quarter_start, -1)
    if preset == "last_12_months":
        return _shift(latest.replace(day=1), -(LAST_MONTHS - 1)), latest.replace(day=1)
    raise ValueError(f"unknown months preset {preset!r}")


def preset_span(preset: str, months: list[dt.date], today: dt.date) -> tuple[dt.date, dt.date] | None:
    """The preset cut to the months with data (sorted list of first days), or None when it holds none of them."""
    if not months:
        return None
    first, last = preset_bounds(preset, today, months[-1])
    inside = [month for month in months if first <= month <= last]
    return (inside[0], inside[-1]) if inside else None


def presets(months: list[dt.date], today: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    """Every preset that holds data -> its span, in PRESETS' order."""
    spans = {preset: preset_span(preset, months, today) for preset in PRESETS}
    return {preset: span for preset, span in spans.items() if span is not None}
