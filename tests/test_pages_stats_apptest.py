"""Issue 6 on the pages, through Streamlit's AppTest, on small databases whose figures are worked out here by hand.

Data (roster D1 One, D2 Two urban, D3 Three county; March 2025 unless said):
  D1: 50 repairs, each with a reached HQ callback: 49 answer 5 (satisfied), 1 answers 3. April: one repair.
  D2: 20 repairs, no callbacks.
  D3: 10 repairs, 6 of them with a callback raising a complaint (answer 5).
Complaint rate per service, March: 6 / 80 = 7.5 % pooled; D3 6 / 10 = 60 %, far above the funnel's 99.8 % limit;
its Wilson lower bound (31 %) is above the 10 % control, so the watchlist names D3 for March twice.
"""

from __future__ import annotations

import math

import pytest
from streamlit.testing.v1 import AppTest

from app import format as fmt
from app_pages import frame_with, open_page, unlinked, with_every_column
from metric_data import callback, load_all, repair

Z = 1.959964  # the rules' z as SQL carries it (6 decimals)


def wilson(x: int, n: int, z: float = Z) -> tuple[float, float]:
    """Wilson (1927), written out: (x + z²/2 ∓ z·sqrt(x(n−x)/n + z²/4)) / (n + z²)."""
    spread = z * math.sqrt(x * (n - x) / n + z * z / 4)
    return (x + z * z / 2 - spread) / (n + z * z), (x + z * z / 2 + spread) / (n + z * z)


def _load_quality_db(wh) -> None:
    repairs = [repair(f"A{i}", "D1", "2025-03", "2025-04-10") for i in range(50)]
    repairs += [repair("A99", "D1", "2025-04", "2025-05-10")]
    repairs += [repair(f"B{i}", "D2", "2025-03", "2025-04-10") for i in range(20)]
    repairs += [repair(f"C{i}", "D3", "2025-03", "2025-04-10") for i in range(10)]
    callbacks = [
        callback(f"CA{i}", f"A{i}", "D1", "2025-03-20 10:00", satisfaction="5" if i < 49 else "3") for i in range(50)
    ]
    callbacks += [callback(f"CC{i}", f"C{i}", "D3", "2025-03-20 10:00", complaint="Y") for i in range(6)]
    load_all(wh, repairs=repairs, callbacks=callbacks)


@pytest.fixture
def quality_db(wh, monkeypatch, warehouse_templates):
    """The data above, loaded once per session and copied for each test (tests/conftest.py)."""
    warehouse_templates.copy_into(wh, _load_quality_db)
    monkeypatch.setenv("SERVICE_QC_DB", str(wh.path))
    return wh


@pytest.fixture
def any_sample(tmp_path, monkeypatch):
    """Issue 14's minimum sample off (statistics.min_sample = 0): D3 has 10 services, below the default 30."""
    path = tmp_path / "any_sample.toml"
    path.write_text("[statistics]\nmin_sample = 0\n", encoding="utf-8")
    monkeypatch.setenv("SERVICE_QC_RULES", str(path))


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def test_the_dealer_tiles_show_the_wilson_interval_of_49_of_50(quality_db):
    low, high = wilson(49, 50)
    assert (round(low, 4), round(high, 4)) == (0.8950, 0.9965)
    at = open_page("dealers", lang="en", dealer="D1", **{"from": "2025-03", "to": "2025-03"})
    assert at.selectbox[1].value == "D1"
    assert {m.label: m.value for m in at.metric}["Satisfaction"] == "98.0 %"
    assert f"95 % CI {fmt.percent(low)}–{fmt.percent(high)}" in captions(at)  # 89.5 %–99.6 %
    ranking = unlinked(at.dataframe[0].value).set_index("Dealer id")  # complaint rate's interval
    c_low, c_high = wilson(6, 10)
    assert ranking.loc["D3", "Complaint rate per service"] == pytest.approx(6 / 10)  # the rate, then its interval
    assert ranking.loc["D3", "CI low"] == pytest.approx(c_low, abs=1e-6)
    assert ranking.loc["D3", "CI high"] == pytest.approx(c_high, abs=1e-6)


def test_below_the_minimum_sample_nobody_is_flagged_and_the_pages_say_so(quality_db):
    """Issue 14: the default minimum of 30 in the denominator: D3's 10 services flag nothing."""
    at = open_page("dealers", lang="en", show="funnels", **{"from": "2025-03", "to": "2025-03"})
    note = "Dealers with fewer than 30 in the rate's denominator (answered callbacks, services …) are not flagged."
    assert sum(note in c for c in captions(at)) == 2  # the attention chart, the funnels
    assert not [m.value for m in at.markdown if m.value.startswith("**Dealers beyond the 99.8 % limits")]
    assert [s.value for s in at.success][0].startswith("Complaint rate per service: no dealer shows a signal")
    at = open_page("overview", lang="en", watch="2025-03", section="watchlist")
    assert any(note in c for c in captions(at))
    watch = frame_with(at, "Drill-down")
    assert watch is None or not watch["Drill-down"].str.contains("dealer=D3").any()


def test_the_funnel_names_the_dealer_beyond_its_limits(quality_db, any_sample):
    at = open_page("dealers", lang="en", show="funnels", **{"from": "2025-03", "to": "2025-03"})
    heading = "**Dealers beyond the 99.8 % limits on the bad side:**"
    named = [m.value for m in at.markdown if m.value.startswith(heading)]
    assert len(named) == 1  # complaints per service only
    assert "- D3 Three: 60.0 % (6 / 10), above the limits" in named[0]
    assert "D1" not in named[0] and "D2" not in named[0]
    assert len(at.get("vega_lite_chart")) >= 4  # the funnels (Vega-Lite, app/vega.py)
    at.checkbox[0].check().run()  # overdispersion: phi shown, limits widened or not
    assert not at.exception
    assert any(c.startswith("φ = ") for c in captions(at))


def test_the_drill_down_control_chart_says_when_there_is_no_baseline(quality_db):
    at = open_page("dealers", lang="en", dealer="D1", detail="control", **{"from": "2025-03", "to": "2025-04"})
    assert "No baseline months before the chosen ones: no centre line or limits." in captions(at)
    at.radio[0].set_value("p").run()
    assert at.query_params["dealer_chart_method"] == "p"


def test_the_watchlist_lists_d3_and_links_to_its_drill_down(quality_db, any_sample):
    at = open_page("overview", lang="en", watch="2025-03", section="watchlist")  # its tab (issue 14)
    watch = frame_with(at, "Drill-down")
    assert watch is not None
    d3 = watch[watch["Drill-down"].str.contains("dealer=D3")]
    assert d3["Reason"].tolist() == ["funnel plot", "control breached"]
    assert set(d3["Drill-down"]) == {"/dealers?dealer=D3&from=2025-03&to=2025-03&lang=en"}
    assert "60.0 %" in d3["Detail"].iloc[0]
    # the link, opened, is D3's drill-down for March
    at = open_page("dealers", dealer="D3", **{"from": "2025-03", "to": "2025-03", "lang": "en"})
    assert at.selectbox[1].value == "D3"
    assert at.sidebar.select_slider[0].value == ("2025-03", "2025-03")
    assert {m.label: m.value for m in at.metric}["Complaint rate per service"] == "60.0 %"


def test_the_watchlist_defaults_to_the_last_month_in_the_page_language(quality_db):
    at = open_page("overview", lang="zh", section="watchlist")  # April: D2 and D3 sent no April report (due 2025-05-15)
    assert at.selectbox[0].value == "2025-04"
    watch = frame_with(at, "经销商明细")
    assert watch is not None
    assert watch["原因"].tolist() == ["月报", "月报"]
    assert [link.split("&")[0] for link in watch["经销商明细"]] == ["/dealers?dealer=D2", "/dealers?dealer=D3"]
    assert "watch" not in at.query_params  # the default stays out of the URL


def _load_award_db(wh) -> None:
    """D1: 30 of 30 answered callbacks satisfied, no complaint on 4,000 units sold (demonstrably below 1 ‰)."""
    repairs = [repair(f"A{i}", "D1", "2025-03", "2025-04-10") for i in range(30)]
    callbacks = [callback(f"CA{i}", f"A{i}", "D1", "2025-03-20 10:00") for i in range(30)]
    load_all(wh, repairs=repairs, callbacks=callbacks, sales=[["D1", "2025-03", 4000, 400000]], roster=[["D1", "One"]])


@pytest.fixture
def award_db(wh, monkeypatch, warehouse_templates):
    """_load_award_db's data, loaded once per session and copied for each test (tests/conftest.py)."""
    warehouse_templates.copy_into(wh, _load_award_db)
    monkeypatch.setenv("SERVICE_QC_DB", str(wh.path))
    return wh


def test_award_shows_30_of_30_as_not_demonstrable_and_the_interval(award_db):
    at = open_page("award", lang="en", year="2025", as_of="2026-01-31", **{"award.min_report_rate": "0"})
    at = with_every_column(at, "award_every_column")
    row = at.dataframe[2].value.iloc[0]  # every column, after the moved dealers and the criteria at a glance
    low, high = wilson(30, 30)
    assert row["Satisfaction CI low"] == pytest.approx(low, abs=1e-6)  # 88.6 %
    assert row["Satisfaction CI high"] == pytest.approx(1.0)
    assert row["Satisfaction status"] == "not demonstrable at this sample size"
    assert row["Complaints status"] == "met"  # 0 of 4,000 units
    assert row["Eligible"] == "✓"  # the point value passes
    assert "not demonstrable at this sample size" in row["Cautions"]


def test_require_interval_flips_eligibility(award_db):
    at = open_page("award", lang="zh", year="2025", as_of="2026-01-31", **{"award.min_report_rate": "0"})
    assert at.metric[0].value == "1 / 1"
    toggle = next(x for x in at.toggle if x.label == "须以置信区间证明达标")
    toggle.set_value(True).run()
    assert at.metric[0].value == "0 / 1"
    assert at.dataframe[0].value.iloc[0]["入选"] == "✗"
    assert at.query_params["award.require_interval"] == "true"
    assert "须以置信区间证明达标" in at.warning[0].value
    reopened = open_page(
        "award",
        lang="en",
        year="2025",
        as_of="2026-01-31",
        **{"award.min_report_rate": "0", "award.require_interval": "true"},
    )
    assert reopened.metric[0].value == "0 / 1"
