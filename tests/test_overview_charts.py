"""The Overview's chart builders (app/charts.py) read back as Vega-Lite specs: a panel per rate with its threshold,
the months labelled once each, per-mille axes, grouped control breaches against the limit."""

import datetime as dt

import pandas as pd

from app import charts, vega

MONTHS = [dt.date(2025, 3, 1), dt.date(2025, 4, 1)]


def limits(**rules) -> pd.DataFrame:
    return pd.DataFrame([{"rate": rate, "limit": low, "upper": high} for rate, (low, high) in rules.items()])


def layer(panel, n: int) -> dict:
    return vega.spec(panel)["layer"][n]


def data(panel, n: int) -> list[dict]:
    return vega.layer_rows(panel, n)


def test_rate_trends_draws_one_panel_per_rate_with_its_threshold():
    monthly = pd.DataFrame(
        {"month": MONTHS, "complaint_rate": [0.05, 0.12], "hq_callback_coverage": [0.15, None], "fake_rate": [0.0, 0.0]}
    )
    panels = charts.rate_trends(
        monthly,
        ("complaint_rate", "hq_callback_coverage", "fake_rate"),
        "zh",
        limits(complaint_rate=(0.1, None), hq_callback_coverage=(0.1, 0.2)),
    )
    assert [vega.spec(p)["title"]["text"] for p in panels] == ["服务投诉率", "总部回访覆盖率", "虚假记录率"]
    assert [[row["text"] for row in data(p, 0)] for p in panels] == [
        ["5.0 %", "12.0 %"],
        ["15.0 %", "—"],
        ["0.0 %"] * 2,
    ]
    assert [row["value"] for row in data(panels[0], 0)] == [0.05, 0.12]
    assert [row["tip"] for row in data(panels[1], 0)] == ["2025-03: 15.0 %", "2025-04: —"]  # what a hover says
    # the thresholds: complaints below 10 %, coverage a 10-20 % range, none for fake records
    assert [row["value"] for row in data(panels[0], 1)] == [0.1]
    assert [row["value"] for row in data(panels[1], 1)] == [0.1, 0.2]
    assert len(vega.spec(panels[2])["layer"]) == 1
    y = [layer(p, 0)["encoding"]["y"] for p in panels]
    assert y[0]["axis"]["format"] == ".0%"  # up to 12 %: whole percents
    assert y[2]["axis"]["format"] == ".1%"  # all below 10 %: one decimal, not 0 %, 0 %, 1 %
    assert y[0]["scale"]["domain"] == [0, 0.12 * 1.1]  # from zero to just above the highest month
    assert y[2]["scale"]["domain"] == [0, 0.01]  # an all-zero rate gets a small range, not -1..1


def test_a_long_rate_name_is_titled_on_two_lines():
    panel = charts.rate_trends(
        pd.DataFrame({"month": MONTHS, "complaints_per_1000_sales": [0.1, 0.2]}), ("complaints_per_1000_sales",), "en"
    )[0]
    title = vega.spec(panel)["title"]["text"]
    assert isinstance(title, list) and " ".join(title) == charts.t("rate.complaints_per_1000_sales", "en")


def test_a_one_month_trend_labels_its_month_once():
    monthly = pd.DataFrame({"month": [dt.date(2025, 3, 1)], "complaint_rate": [0.1]})
    axis = layer(charts.rate_trends(monthly, ("complaint_rate",), "en")[0], 0)["encoding"]["x"]["axis"]
    assert axis["values"] == [{"year": 2025, "month": 3, "date": 1}] and axis["format"] == "%Y-%m"
    long = pd.DataFrame({"month": pd.date_range("2024-01-01", periods=24, freq="MS"), "complaint_rate": [0.1] * 24})
    axis = layer(charts.rate_trends(long, ("complaint_rate",), "en")[0], 0)["encoding"]["x"]["axis"]
    assert "values" not in axis and axis["tickCount"] == {"interval": "month", "step": 3}


def test_per_mille_rates_get_a_per_mille_axis():
    monthly = pd.DataFrame({"month": MONTHS, "complaints_per_1000_sales": [0.4, 1.2]})
    panel = charts.rate_trends(monthly, ("complaints_per_1000_sales",), "en", None)[0]
    assert "‰" in layer(panel, 0)["encoding"]["y"]["axis"]["labelExpr"]
    assert [row["text"] for row in data(panel, 0)] == ["0.40 ‰", "1.20 ‰"]


def test_control_breaches_groups_the_three_controls_against_the_limit():
    breaches = pd.DataFrame(
        {
            "dealer_id": ["D1", "D2"],
            "dealer_name": ["一号", "二号"],
            "complaint_rate": [0.2, 0.0],
            "miss_rate": [0.4, 0.11],
            "dissatisfaction_rate": [0.5, None],
        }
    )
    rates = ("complaint_rate", "miss_rate", "dissatisfaction_rate")
    chart = charts.control_breaches(breaches, rates, "en", limits(**{r: (0.1, None) for r in rates}), top=1)
    bars = data(chart, 0)
    assert [(row["dealer"], row["rate"], row["value"]) for row in bars] == [
        ("D1 一号", "Complaint rate per service", 0.2),  # only the worst dealer (top=1)
        ("D1 一号", "Miss rate", 0.4),
        ("D1 一号", "Dissatisfaction", 0.5),
    ]
    assert [row["text"] for row in bars] == ["20.0 %", "40.0 %", "50.0 %"]
    assert bars[1]["tip"] == "D1 一号 · Miss rate: 40.0 %"
    colour = layer(chart, 0)["encoding"]["color"]["scale"]
    assert colour["range"] == list(charts.SERIES_COLORS)
    assert data(chart, 2) == [{"value": 0.1, "text": "limit 10 %"}]  # one limit line for the three rates
