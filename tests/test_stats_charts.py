"""The figure builders of app/charts_stats.py draw what the named queries return, and name the outliers."""

import datetime as dt

import pandas as pd

from app import charts_stats
from etl.metrics import quality
from etl.metrics.definitions import RATE_BY_NAME
from etl.rules import load_rules

CONFIG = {**{key: float(load_rules()[key]) for key in quality.SETTINGS}, "statistics.min_sample": 0.0}  # any sample


def test_funnel_figure_draws_limits_target_and_names_the_dealers_beyond():
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
    funnel = quality.funnel_from_counts(counts, RATE_BY_NAME["complaint_rate"], CONFIG, overdispersion=False)
    assert funnel.outliers["dealer_id"].tolist() == ["D3"]
    figure = charts_stats.funnel_figure(funnel, {"high": "高于控制限"})
    named = [trace for trace in figure.data if trace.name == "高于控制限"]
    assert len(named) == 1 and list(named[0].text) == ["Three"]
    assert figure.layout.xaxis.type == "log"
    assert sum(trace.mode == "lines" for trace in figure.data) == 5  # 2 x 2 limits and the target


def test_funnel_figure_names_only_the_bad_side_and_spreads_the_names():
    """Issue 14: dealers below a complaint funnel (the good side, on the axis) are not named; named neighbours
    alternate above and below their points instead of piling up."""
    counts = pd.DataFrame(
        {
            "dealer_id": ["D1", "D2", "D3", "D4"],
            "dealer_name": ["One", "Two", "Three", "Four"],
            "region": ["华东"] * 4,
            "complaints": [0, 1, 6, 7],
            "services": [20, 20, 10, 12],
        }
    )
    counts["complaint_rate"] = counts["complaints"] / counts["services"]
    funnel = quality.funnel_from_counts(counts, RATE_BY_NAME["complaint_rate"], CONFIG, overdispersion=False)
    funnel.points.loc[funnel.points["dealer_id"] == "D1", "position"] = "low"
    funnel.points.loc[funnel.points["dealer_id"].isin(["D3", "D4"]), "position"] = "high"
    figure = charts_stats.funnel_figure(funnel, {"high": "above", "low": "below"})
    by_name = {trace.name: trace for trace in figure.data}
    assert by_name["below"].text is None and by_name["below"].mode == "markers"
    assert list(by_name["above"].text) == ["Three", "Four"]  # by denominator: 10, 12
    assert list(by_name["above"].textposition) == ["top center", "bottom center"]


def test_control_chart_figure_marks_signals_and_the_baseline():
    months = [dt.date(2024, m, 1) for m in range(1, 13)] + [dt.date(2025, 1, 1)]
    counts = pd.DataFrame({"dealer_id": "D1", "month": months, "misses": [1] * 12 + [10], "requests": [20] * 13})
    chart = quality.charts_from_counts(
        counts, [RATE_BY_NAME["miss_rate"]], "dealer_id", dt.date(2025, 1, 1), CONFIG, "auto"
    )
    figure = charts_stats.control_chart_figure(chart)
    signal = [trace for trace in figure.data if trace.name == "signal"]
    assert len(signal) == 1 and len(signal[0].x) == 1
    assert len(figure.layout.shapes) == 1  # the shaded baseline
    assert charts_stats.control_chart_figure(chart.iloc[:0]).data == ()
