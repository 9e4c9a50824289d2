"""Chart builders are plain functions: a frame in, a plotly Figure out, labels in the chosen language."""

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from app import charts

MONTHS = [dt.date(2025, 3, 1), dt.date(2025, 4, 1)]


def limits(**rules) -> pd.DataFrame:
    return pd.DataFrame([{"rate": rate, "limit": low, "upper": high} for rate, (low, high) in rules.items()])


def test_ranking_puts_the_worst_first_and_colours_by_signal():
    frame = pd.DataFrame(
        {
            "dealer_id": ["D1", "D2", "D3", "D4"],
            "dealer_name": ["a", "b", "c", "d"],
            "satisfaction_rate": [0.8, 0.6, None, 0.7],
            "signal": ["funnel_inner", "funnel_outer", "interval", "interval"],
        }
    )
    figure = charts.ranking(frame, "satisfaction_rate", "en")
    assert [trace.name for trace in figure.data] == [
        "Beyond the funnel's outer limit",
        "Interval beyond the threshold",
        "Beyond the funnel's inner limit",
    ]
    assert [list(trace.y) for trace in figure.data] == [["D2 b"], ["D4 d"], ["D1 a"]]  # D3: no rate, left out
    assert [trace.marker.color for trace in figure.data] == [charts.BAD, charts.SIGNAL_COLORS["interval"], charts.LIMIT]
    assert list(figure.layout.yaxis.categoryarray) == ["D2 b", "D4 d", "D1 a"]  # at-least rate: lowest first
    assert figure.layout.title.text == "Satisfaction: the 3 dealers needing most attention"


def test_by_rate_sorts_the_table_worst_first_and_empty_rates_last():
    frame = pd.DataFrame({"dealer_id": ["D1", "D2", "D3", "D4"], "complaint_rate": [0.01, None, 0.05, 0.01]})
    assert charts.by_rate(frame, "complaint_rate")["dealer_id"].tolist() == ["D3", "D1", "D4", "D2"]


def test_report_timeliness_colours_each_month_by_status():
    timeliness = pd.DataFrame(
        {
            "month": [dt.date(2025, m, 1) for m in (1, 2, 3)],
            "days_late": [-5, 4, None],
            "status": ["on_time", "late", "missing"],
        }
    )
    figure = charts.report_timeliness(timeliness, "zh")
    assert [(trace.type, trace.name) for trace in figure.data] == [
        ("bar", "按时"),
        ("bar", "逾期"),
        ("scatter", "缺报"),
    ]
    assert list(figure.data[1].y) == [4]
    assert figure.layout.yaxis.title.text == "首次提交距截止日（天）"


def test_award_failures_counts_dealers_failing_each_criterion():
    award = pd.DataFrame({"pass_complaints": [True, False, False], "pass_satisfaction": [True, True, False]})
    figure = charts.award_failures(award, ("complaints", "satisfaction"), "en")
    assert list(figure.data[0].x) == [2, 1]
    assert list(figure.data[0].y) == ["Complaints per 1,000 sold", "Satisfaction"]


def test_deductions_shows_only_dealers_with_a_deduction_largest_first():
    dealers = pd.DataFrame(
        {
            "dealer_id": ["D1", "D2", "D3"],
            "dealer_name": ["a", "b", "c"],
            "missing_deduction": [0.0, 150.0, 0.0],
            "fake_penalty": [0.0, 1500.0, 20.0],
            "complaint_deduction": [0.0, 0.0, 0.0],
        }
    )
    figure = charts.deductions(dealers, "en")
    assert [list(trace.y) for trace in figure.data] == [["D2 b", "D3 c"]] * 3
    assert list(figure.data[1].text) == ["¥1,500.00", "¥20.00"]
    assert figure.layout.title.text == "Deductions per dealer (2 dealers with any)"


def test_builders_accept_empty_frames():
    empty_monthly = pd.DataFrame({"month": [], "miss_rate": []})
    assert len(charts.rate_trends(empty_monthly, ("miss_rate",), "en").data) == 1
    empty = pd.DataFrame(
        {"dealer_id": [], "dealer_name": [], "missing_deduction": [], "fake_penalty": [], "complaint_deduction": []}
    )
    assert all(len(trace.y) == 0 for trace in charts.deductions(empty, "zh").data)


def test_quick_chart_bars_sum_rows_that_share_a_category_and_say_so():
    frame = pd.DataFrame({"region": ["东北", "华东", "东北"], "complaints": [2, 5, 4]})
    figure = charts.quick_chart(frame, "region", "complaints", "bar")
    assert list(figure.data[0].x) == ["东北", "华东"]
    assert list(figure.data[0].y) == [6, 5]
    assert figure.layout.yaxis.title.text == "Σ complaints"


def test_quick_chart_line_keeps_every_row():
    frame = pd.DataFrame({"month": ["2025-01", "2025-02", "2025-03"], "services": [3, 1, 2]})
    figure = charts.quick_chart(frame, "month", "services", "line")
    assert list(figure.data[0].y) == [3, 1, 2]
    assert figure.layout.yaxis.title.text == "services"
