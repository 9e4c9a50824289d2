"""The words around issue 6's figures (app/stats_text.py), the interval format and the award's status colours."""

import datetime as dt

import pandas as pd

from app import format as fmt
from app import stats_text, tables
from etl.metrics import quality
from etl.metrics.definitions import RATE_BY_NAME
from etl.rules import load_rules

# Issue 14's minimum sample off: these hand-made dealers have 10-20 services (tests/test_min_sample.py
# shows the minimum at work).
CONFIG = {**{key: float(load_rules()[key]) for key in quality.SETTINGS}, "statistics.min_sample": 0.0}


def _funnel(overdispersion=False):
    counts = pd.DataFrame(
        {
            "dealer_id": ["D1", "D2", "D3"],
            "dealer_name": ["One", "Two", "Three"],
            "region": ["华东"] * 3,
            "complaints": [0, 1, 6],
            "services": [20, 20, 10],
        }
    )
    counts["complaint_rate"] = counts["complaints"] / counts["services"]
    return quality.funnel_from_counts(counts, RATE_BY_NAME["complaint_rate"], CONFIG, overdispersion)


def test_interval_and_level_read_as_people_write_them():
    assert fmt.interval(0.8950, 0.99646, 1) == "89.5 %–99.6 %"
    assert fmt.interval(0.12, 0.951, 1000) == "0.12 ‰–0.95 ‰"
    assert fmt.interval(None, 0.5, 1) == "—"
    assert (fmt.level(0.95), fmt.level(0.998)) == ("95 %", "99.8 %")


def test_funnel_words_name_the_outlier_and_phi():
    funnel = _funnel()
    lines = stats_text.outlier_lines(funnel, "en")
    assert len(lines) == 1 and lines[0].startswith("D3 Three: 60.0 % (6 / 10), above the limits, limit ")
    assert stats_text.outlier_lines(funnel, "zh")[0].startswith("D3 Three：60.0 %（6 / 10），高于控制限")
    assert stats_text.phi_text(funnel, "en").startswith(f"φ = {funnel.phi:.2f}: ")
    labels = stats_text.funnel_labels(funnel, "zh")
    assert (labels["inner"], labels["outer"], labels["y"]) == ("95 % 控制限", "99.8 % 控制限", "服务投诉率")


def test_signal_lines_and_summary_of_a_control_chart():
    months = [dt.date(2024, m, 1) for m in range(1, 13)] + [dt.date(2025, 1, 1)]
    counts = pd.DataFrame({"dealer_id": "D1", "month": months, "misses": [1] * 12 + [10], "requests": [20] * 13})
    chart = quality.charts_from_counts(
        counts, [RATE_BY_NAME["miss_rate"]], "dealer_id", dt.date(2025, 1, 1), CONFIG, "p"
    )
    assert stats_text.signal_lines(chart, "en", 8) == ["2025-01: 50.0 % (10 / 20), above the upper limit"]
    assert stats_text.chart_summary(chart, "en") == "p chart · centre line 5.0 % (12 baseline months)"
    assert stats_text.chart_summary(chart[chart["phase"] == "baseline"], "en") is None


def test_watchlist_table_links_in_the_page_language():
    lines = pd.DataFrame(
        {
            "dealer_id": ["D3"],
            "dealer_name": ["Three"],
            "reason": ["control_breach"],
            "detail": ["…"],
            "link": [quality.dealer_link("D3", dt.date(2025, 3, 1))],
        }
    )
    table = stats_text.watchlist_table(lines, "zh")
    assert table.columns.tolist() == ["经销商明细", "经销商名称", "原因", "说明"]
    assert table.iloc[0].tolist() == ["/dealers?dealer=D3&from=2025-03&to=2025-03&lang=zh", "Three", "突破控制", "…"]


def test_award_statuses_are_coloured_green_red_amber():
    frame = pd.DataFrame({column: [None] * 3 for column, _ in tables.AWARD})
    frame["status_satisfaction"] = ["met", "not met", "not demonstrable at this sample size"]
    frame["eligible"] = [True, False, False]
    html = tables.styled(frame, tables.AWARD, "zh", tables.AWARD_VERDICTS).to_html()
    assert "样本量不足，无法证明" in html
    for style in (tables.PASS_STYLE, tables.FAIL_STYLE, tables.AMBER_STYLE):
        assert style.split(";")[0] in html
