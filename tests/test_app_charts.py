"""Chart builders are plain functions: a frame in, an Altair chart out, labels in the chosen language; the tests
read each chart back as its Vega-Lite spec (app.vega.spec and rows)."""

import datetime as dt

import pandas as pd

from app import charts, vega


def encoding(chart, channel: str, layer: int = 0) -> dict:
    """One channel of a chart's encoding (of one of its layers)."""
    spec = vega.spec(chart)
    return (spec["layer"][layer] if "layer" in spec else spec)["encoding"][channel]


def test_ranking_puts_the_worst_first_and_colours_by_signal():
    frame = pd.DataFrame(
        {
            "dealer_id": ["D1", "D2", "D3", "D4"],
            "dealer_name": ["a", "b", "c", "d"],
            "satisfaction_rate": [0.8, 0.6, None, 0.7],
            "signal": ["funnel_inner", "funnel_outer", "interval", "interval"],
        }
    )
    chart = charts.ranking(frame, "satisfaction_rate", "en")
    colour = encoding(chart, "color")["scale"]
    assert colour["domain"] == [
        "Beyond the funnel's outer limit",
        "Interval beyond the threshold",
        "Beyond the funnel's inner limit",
    ]
    assert colour["range"] == [charts.BAD, charts.SIGNAL_COLORS["interval"], charts.LIMIT]
    rows = vega.rows(chart)
    assert [(r["dealer"], r["signal"]) for r in rows] == [  # D3: no rate, left out
        ("D2 b", "Beyond the funnel's outer limit"),
        ("D4 d", "Interval beyond the threshold"),
        ("D1 a", "Beyond the funnel's inner limit"),
    ]
    assert [r["text"] for r in rows] == ["60.0 %", "70.0 %", "80.0 %"]  # printed beside the bars
    assert encoding(chart, "y")["sort"] == ["D2 b", "D4 d", "D1 a"]  # at-least rate: lowest first
    assert encoding(chart, "text", layer=1)["field"] == "text"
    assert vega.spec(chart)["title"] == "Satisfaction: the 3 dealers needing most attention"


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
    chart = charts.report_timeliness(timeliness, "zh")
    rows = vega.rows(chart)
    assert [(r["drawn"], r["status"]) for r in rows] == [("bar", "按时"), ("bar", "逾期"), ("cross", "缺报")]
    assert [r["days"] for r in rows if r["status"] == "逾期"] == [4]
    assert [r["month_text"] for r in rows] == ["2025-01", "2025-02", "2025-03"]
    colour = encoding(chart, "color", layer=1)["scale"]
    assert colour == {"domain": ["按时", "逾期", "缺报"], "range": [charts.GOOD, charts.LIMIT, charts.BAD]}
    assert encoding(chart, "y", layer=1)["title"] == "首次提交距截止日（天）"


def test_award_failures_counts_dealers_failing_each_criterion():
    award = pd.DataFrame({"pass_complaints": [True, False, False], "pass_satisfaction": [True, True, False]})
    chart = charts.award_failures(award, ("complaints", "satisfaction"), "en")
    assert [(r["criterion"], r["dealers"]) for r in vega.rows(chart)] == [
        ("Complaints per 1,000 sold", 2),
        ("Satisfaction", 1),
    ]
    assert encoding(chart, "y")["sort"] == ["Complaints per 1,000 sold", "Satisfaction"]
    assert vega.spec(chart)["title"] == "Dealers failing each criterion (of 3)"


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
    chart = charts.deductions(dealers, "en")
    rows = vega.rows(chart)
    assert encoding(chart, "y")["sort"] == ["D2 b", "D3 c"]
    assert [r["dealer"] for r in rows] == ["D2 b", "D3 c"] * 3  # each kind of deduction for each dealer
    penalties = [r for r in rows if r["kind"] == "Fake-record penalty"]
    assert [r["text"] for r in penalties] == ["¥1,500.00", "¥20.00"]
    assert [(r["start"], r["end"]) for r in penalties] == [(150.0, 1650.0), (0.0, 20.0)]  # after the missing report
    assert encoding(chart, "x")["axis"]["labelExpr"] == "'¥' + format(datum.value, ',')"
    assert vega.spec(chart)["title"] == "Deductions per dealer (2 dealers with any)"


def test_builders_accept_empty_frames():
    empty_monthly = pd.DataFrame({"month": [], "miss_rate": []})
    assert len(charts.rate_trends(empty_monthly, ("miss_rate",), "en")) == 1
    empty = pd.DataFrame(
        {"dealer_id": [], "dealer_name": [], "missing_deduction": [], "fake_penalty": [], "complaint_deduction": []}
    )
    assert vega.rows(charts.deductions(empty, "zh")) == []
    assert vega.rows(charts.report_status_by_month(pd.DataFrame({"month": [], "status": []}), "zh")) == []


def test_report_status_stacks_on_time_late_and_missing_per_month():
    march, april = dt.date(2025, 3, 1), dt.date(2025, 4, 1)
    status = pd.DataFrame({"month": [march, march, march, april], "status": ["on_time", "missing", "on_time", "late"]})
    chart = charts.report_status_by_month(status, "en")
    assert [(r["month_text"], r["status"], r["reports"], r["start"], r["end"]) for r in vega.rows(chart)] == [
        ("2025-03", "on time", 2, 0, 2),
        ("2025-04", "late", 1, 0, 1),
        ("2025-03", "missing", 1, 2, 3),  # on top of March's two on time
    ]
    assert encoding(chart, "color")["scale"]["range"] == [charts.GOOD, charts.LIMIT, charts.BAD]


def test_quick_chart_bars_sum_rows_that_share_a_category_and_say_so():
    frame = pd.DataFrame({"region": ["东北", "华东", "东北"], "complaints": [2, 5, 4]})
    chart = charts.quick_chart(frame, "region", "complaints", "bar")
    assert vega.rows(chart) == [{"x": "东北", "y": 6}, {"x": "华东", "y": 5}]
    assert encoding(chart, "y")["title"] == "Σ complaints"


def test_quick_chart_line_keeps_every_row():
    frame = pd.DataFrame({"month": ["2025-01", "2025-02", "2025-03"], "services": [3, 1, 2]})
    chart = charts.quick_chart(frame, "month", "services", "line")
    assert [r["y"] for r in vega.rows(chart)] == [3, 1, 2]
    assert encoding(chart, "y")["title"] == "services"


def test_quick_chart_takes_any_column_name():
    # a query's column may be called anything; Vega-Lite would read "a.b" and "x[0]" as paths into each row
    frame = pd.DataFrame({"d.region [1]": ["东北", "华东"], "sum(t.x)": [2.5, 1.0]})
    chart = charts.quick_chart(frame, "d.region [1]", "sum(t.x)", "scatter")
    assert vega.rows(chart) == [{"x": "东北", "y": 2.5}, {"x": "华东", "y": 1.0}]
    assert (encoding(chart, "x")["title"], encoding(chart, "y")["title"]) == ("d.region [1]", "sum(t.x)")
    dates = pd.DataFrame({"month": [dt.date(2025, 3, 1), dt.date(2025, 4, 1)], "n": [1, 2]})
    line = vega.spec(charts.quick_chart(dates, "month", "n", "line"))
    assert line["encoding"]["x"]["type"] == "temporal"  # a DATE column reads as dates
    many = pd.DataFrame({"n": range(6000), "v": range(6000)})
    assert len(vega.rows(charts.quick_chart(many, "n", "v", "line"))) == 5000
