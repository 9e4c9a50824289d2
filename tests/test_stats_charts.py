"""The figure builders of app/charts_stats.py draw what the named queries return, and name the outliers; read back
as their Vega-Lite specs (app/vega.py)."""

import datetime as dt

import pandas as pd

from app import charts_stats, vega
from etl.metrics import quality
from etl.metrics.definitions import RATE_BY_NAME
from etl.rules import load_rules

CONFIG = {**{key: float(load_rules()[key]) for key in quality.SETTINGS}, "statistics.min_sample": 0.0}  # any sample
CURVES = {"lower_95", "upper_95", "lower_998", "upper_998", "target"}


def _layers(chart, mark: str) -> list[tuple[dict, list[dict]]]:
    """The layers drawing `mark` (line, circle, text …): each layer's spec and the rows it draws."""
    layers = vega.spec(chart)["layer"]
    return [(layer, vega.layer_rows(chart, n)) for n, layer in enumerate(layers) if layer["mark"]["type"] == mark]


def _named(chart) -> list[tuple[str, dict]]:
    """The names written on the plot, each with its place (dx, dy) by the text layer it is in."""
    named = []
    for layer, rows in _layers(chart, "text"):
        place = int(layer["transform"][0]["filter"].rsplit("==", 1)[1])
        offsets = {key: layer["mark"].get(key, 0) for key in ("dx", "dy")}
        named += [(row["denominator"], row["text"], offsets) for row in rows if row["place"] == place]
    return [(text, offsets) for _, text, offsets in sorted(named, key=lambda item: item[0])]


def _colour_of(chart) -> dict[str, str]:
    scale = _layers(chart, "circle")[0][0]["encoding"]["color"]["scale"]
    return dict(zip(scale["domain"], scale["range"]))


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
    [(points, dealers)] = _layers(figure, "circle")
    assert {row["position"] for row in dealers if row["who"] == "D3 Three"} == {"高于控制限"}
    assert [text for text, _ in _named(figure)] == ["Three"]
    assert points["encoding"]["x"]["scale"]["type"] == "log"
    [(_, curves)] = _layers(figure, "line")
    assert {row["edge"] for row in curves} == CURVES  # 2 x 2 limits and the target


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
    colour = _colour_of(figure)
    assert (colour["below"], colour["above"]) == (vega.GOOD, vega.BAD)
    [(_, dealers)] = _layers(figure, "circle")
    assert {row["who"]: row["position"] for row in dealers}["D1 One"] == "below"  # drawn, not named
    named = _named(figure)
    assert [text for text, _ in named] == ["Three", "Four"]  # by denominator: 10, 12
    above, below = (offsets["dy"] for _, offsets in named)
    assert above < 0 < below  # above the point, then below


def test_control_chart_figure_marks_signals_and_the_baseline():
    months = [dt.date(2024, m, 1) for m in range(1, 13)] + [dt.date(2025, 1, 1)]
    counts = pd.DataFrame({"dealer_id": "D1", "month": months, "misses": [1] * 12 + [10], "requests": [20] * 13})
    chart = quality.charts_from_counts(
        counts, [RATE_BY_NAME["miss_rate"]], "dealer_id", dt.date(2025, 1, 1), CONFIG, "auto"
    )
    figure = charts_stats.control_chart_figure(chart)
    signal = [rows for layer, rows in _layers(figure, "point") if rows and rows[0]["series"] == "signal"]
    assert len(signal) == 1 and [row["month"][:7] for row in signal[0]] == ["2025-01"]
    [(_, shaded)] = _layers(figure, "rect")  # the shaded baseline
    assert [(row["start"][:7], row["end"][:7]) for row in shaded] == [("2024-01", "2024-12")]
    assert vega.rows(charts_stats.control_chart_figure(chart.iloc[:0])) == []
