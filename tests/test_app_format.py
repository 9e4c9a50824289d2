"""Numbers read as people write them, and empty is a dash, never 0 or nan."""

import datetime as dt
import math

import pandas as pd
import pytest

from app import format as fmt


@pytest.mark.parametrize(
    "value, text",
    [(0.964, "96.4 %"), (1, "100.0 %"), (0, "0.0 %"), (0.00049, "0.0 %"), (None, "—"), (math.nan, "—"), (pd.NA, "—")],
)
def test_percent(value, text):
    assert fmt.percent(value) == text


@pytest.mark.parametrize("value, text", [(12345, "¥12,345.00"), (0.005, "¥0.01"), (-12, "-¥12.00"), (None, "—")])
def test_money(value, text):
    assert fmt.money(value) == text


def test_per_mille_count_and_number():
    assert fmt.per_mille(0.82) == "0.82 ‰"
    assert fmt.per_mille(1) == "1.00 ‰"
    assert fmt.count(1234567) == "1,234,567"
    assert fmt.count(None) == "—"
    assert fmt.number(54.66) == "54.7"


def test_rate_uses_the_unit_of_its_scale():
    assert fmt.rate(0.5, 1000) == "0.50 ‰"
    assert fmt.rate(0.5, 1) == "50.0 %"


@pytest.mark.parametrize(
    "change, scale, text",
    [
        (0.012, 1, "+1.20 pp"),
        (-0.0031, 1, "-0.31 pp"),
        (0.015 - 0.014, 1, "+0.10 pp"),
        (0.0004, 1, "+0.04 pp"),
        (0.00004, 1, "±0.00 pp"),
        (-0.05, 1000, "-0.05 ‰"),
        (None, 1, "—"),
    ],
)
def test_rate_change_is_signed_in_points_and_says_when_nothing_moved(change, scale, text):
    """Issue 14: percentage points, two decimals: 1.5 % against 1.4 % is +0.10 pp, never ±0.0 %."""
    assert fmt.rate_change(change, scale) == text
    assert fmt.rate_change(-0.0123, 1, "个百分点") == "-1.23 个百分点"


def test_limits_and_thresholds_as_rules_are_written():
    assert fmt.limit(0.98, 1) == "98 %"
    assert fmt.limit(0.975, 1) == "97.5 %"
    assert fmt.limit(1.0, 1000) == "1 ‰"
    assert fmt.threshold("below", 0.1, None, 1) == "< 10 %"
    assert fmt.threshold("at_least", 0.25, None, 1) == "≥ 25 %"
    assert fmt.threshold("at_least", 0.1, 0.2, 1) == "10 %–20 %"
    assert fmt.threshold("below", None, None, 1) == "—"


def test_dates_checks_and_text():
    assert fmt.month(dt.date(2025, 3, 1)) == "2025-03"
    assert fmt.day(pd.Timestamp("2025-03-05")) == "2025-03-05"
    assert fmt.moment(dt.datetime(2025, 3, 5, 14, 30)) == "2025-03-05 14:30"
    assert fmt.month(pd.NaT) == "—"
    assert [fmt.check(True), fmt.check(False), fmt.check(None)] == ["✓", "✗", "—"]
    assert [fmt.text(""), fmt.text(None), fmt.text("R1")] == ["—", "—", "R1"]


def test_parse_month_accepts_only_year_and_month():
    assert fmt.parse_month("2025-03") == dt.date(2025, 3, 1)
    assert fmt.parse_month("2025-13") is None
    assert fmt.parse_month(None) is None
