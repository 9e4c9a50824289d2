"""Each page through Streamlit's AppTest on a small database whose figures are worked out by hand below.

Two dealers, March and April 2025:
  D1 一号服务部 (华东/浙江, urban): March R1-R4, report on time (04-10); April R5, report late (05-20).
     R1 arrives in 11 h, HQ callback C1: reached, service not confirmed (fake), satisfaction 5; fees 100 + 50.
     R2 arrives after 48 h (late for 24 h), C2: satisfaction 2, complaint, unresolved (a miss).
     R3 is still open (a miss, late), R4 repeats R1's serial 10 days later. Dealer called back R1 only.
  D2 二号服务部 (华南/广东, county): March S1 arrives in 24 h (on time for 48 h), C3: satisfaction 4.
  Sales: D1 1,000 units / ¥100,000 (March) and 500 / ¥50,000 (April); D2 2,000 / ¥300,000 (March).

All dealers, March-April: 6 services, 1 complaint (16.7 %; 1 x 1000 / 3,500 units = 0.29 ‰),
misses 2 of 6 requests (33.3 %), satisfied 2 of 3 answered (66.7 %), dissatisfied 1 of 3 (33.3 %),
fake 1 of 3 reached (33.3 %), on time 4 of 6 (66.7 %), dealer callbacks 1 of 6 (16.7 %), HQ callbacks
3 of 6 (50.0 %).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from streamlit.testing.v1 import AppTest

from app import data
from app.i18n import t
from app_pages import PAGES, REVIEW_PAGES, open_page, unlinked, with_every_column
from conftest import DEALER_HEADER
from etl.db import writer
from etl.metrics.drilldown import RECORD_LISTS

REPAIR_HEADER = [
    "record_no",
    "dealer_id",
    "report_month",
    "submitted_on",
    "customer_name",
    "customer_phone",
    "serial_no",
    "service_type",
    "requested_at",
    "arrived_at",
    "completed_at",
    "status",
    "labor_fee",
    "parts_fee",
    "dealer_callback",
]
CALLBACK_HEADER = [
    "callback_id",
    "record_no",
    "dealer_id",
    "called_at",
    "reached",
    "service_confirmed",
    "resolved",
    "satisfaction",
    "complaint",
]


def _load_small_db(wh) -> None:
    dealers = [
        ["D1", "一号服务部", "华东", "浙江", "杭州", "urban", 2, "Y", "", ""],
        ["D2", "二号服务部", "华南", "广东", "广州", "county", 1, "Y", "", ""],
    ]
    repairs = [
        [
            "R1",
            "D1",
            "2025-03",
            "2025-04-10",
            "张三丰",
            "13812345678",
            "SN1",
            "repair",
            "2025-03-02 09:00",
            "2025-03-02 20:00",
            "2025-03-02 22:00",
            "completed",
            100,
            50,
            "Y",
        ],
        [
            "R2",
            "D1",
            "2025-03",
            "2025-04-10",
            "李四",
            "13900001111",
            "SN2",
            "repair",
            "2025-03-05 09:00",
            "2025-03-07 09:00",
            "2025-03-07 11:00",
            "completed",
            0,
            0,
            "N",
        ],
        [
            "R3",
            "D1",
            "2025-03",
            "2025-04-10",
            "王五",
            "021-5555",
            "",
            "install",
            "2025-03-10 09:00",
            "",
            "",
            "open",
            0,
            0,
            "N",
        ],
        [
            "R4",
            "D1",
            "2025-03",
            "2025-04-10",
            "赵六",
            "13700002222",
            "SN1",
            "repair",
            "2025-03-12 09:00",
            "2025-03-12 12:00",
            "2025-03-12 13:00",
            "completed",
            0,
            0,
            "N",
        ],
        [
            "R5",
            "D1",
            "2025-04",
            "2025-05-20",
            "钱七",
            "13600003333",
            "",
            "maintenance",
            "2025-04-02 09:00",
            "2025-04-02 10:00",
            "2025-04-02 11:00",
            "completed",
            0,
            0,
            "N",
        ],
        [
            "S1",
            "D2",
            "2025-03",
            "2025-04-12",
            "孙八",
            "13500004444",
            "",
            "repair",
            "2025-03-03 09:00",
            "2025-03-04 09:00",
            "2025-03-04 10:00",
            "completed",
            0,
            0,
            "N",
        ],
    ]
    callbacks = [
        ["C1", "R1", "D1", "2025-03-20 10:00", "Y", "N", "Y", "5", "N"],
        ["C2", "R2", "D1", "2025-03-21 10:00", "Y", "Y", "N", "2", "Y"],
        ["C3", "S1", "D2", "2025-03-22 10:00", "Y", "Y", "Y", "4", "N"],
    ]
    sales = [["D1", "2025-03", 1000, 100000], ["D1", "2025-04", 500, 50000], ["D2", "2025-03", 2000, 300000]]
    results = wh.load(
        wh.file("dealers.csv", [DEALER_HEADER] + dealers),
        wh.file("repairs.csv", [REPAIR_HEADER] + repairs),
        wh.file("callbacks.csv", [CALLBACK_HEADER] + callbacks),
        wh.file("sales.csv", [["dealer_id", "month", "units_sold", "sales_amount"]] + sales),
    )
    assert [(r.status, r.rows_rejected) for r in results] == [("loaded", 0)] * 4


@pytest.fixture
def small_db(wh, monkeypatch, warehouse_templates):
    """The database above, loaded once per session and copied for each test (tests/conftest.py)."""
    warehouse_templates.copy_into(wh, _load_small_db)
    monkeypatch.setenv("SERVICE_QC_DB", str(wh.path))
    return wh.path


def tiles(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def table(at: AppTest, index: int = 0):
    return unlinked(at.dataframe[index].value)


# --- overview ----------------------------------------------------------------------------------


def test_overview_tiles_show_the_rolled_up_rates_of_the_months(small_db):
    at = open_page("overview", lang="en")
    shown = {label: value for label, (value, _) in tiles(at).items()}
    assert shown == {
        "Complaints per 1,000 units sold": "0.29 ‰",
        "Complaint rate per service": "16.7 %",
        "Miss rate": "33.3 %",
        "Satisfaction": "66.7 %",
        "Dissatisfaction": "33.3 %",
        "On-time arrival": "66.7 %",
        "Fake-record rate": "33.3 %",
        "Dealer callback rate": "16.7 %",
        "HQ callback coverage": "50.0 %",
    }
    badges = [m.value for m in at.markdown if "badge[" in m.value]
    assert ":red-badge[:material/error: misses < 10 %]" in badges  # complaint rate 16.7 % breaches
    assert ":green-badge[:material/check_circle: meets < 1 ‰]" in badges  # 0.29 per 1,000 sold passes
    assert at.query_params == {"lang": "en", "from": "2025-03", "to": "2025-04"}


def test_overview_lists_the_dealer_breaching_the_controls(small_db):
    at = with_every_column(open_page("overview", lang="en", section="breaches"), "breaches_every_column")
    breaches = table(at, 1)  # every column (issue 14: in an expander, built when opened)
    assert breaches["Dealer id"].tolist() == ["D1"]  # D2 is clean
    row = breaches.iloc[0]
    assert (row["Complaints"], row["Services"], row["Misses"], row["Requests"]) == (1, 5, 2, 5)
    assert row["Complaint rate per service"] == pytest.approx(0.2)
    assert row["Dissatisfaction"] == pytest.approx(0.5)
    assert row["Months in breach"] == 1  # March; April (R5 alone) is clean


def test_the_overview_builds_only_its_open_tab_and_a_link_names_it(small_db):
    """Issue 14 (first paint): below the tiles the trends show; the breaches, the watchlist and the region chart are
    tabs built when opened (a link says which: ?section=)."""
    at = open_page("overview", lang="en")
    assert [tab.label for tab in at.tabs] == [
        "Monthly trends",
        "Dealers breaching the three controls",
        "Watchlist",
        "Control charts by region",
    ]
    assert len(at.get("vega_lite_chart")) == 9  # the nine trends, nothing else
    assert not at.dataframe and not at.selectbox  # no breaches table, no watchlist, no region choice
    assert "section" not in at.query_params
    at = open_page("overview", lang="en", section="watchlist")
    assert len(at.get("vega_lite_chart")) == 0 and at.selectbox[0].label == "Month"
    assert at.query_params["section"] == "watchlist"
    at = open_page("overview", lang="en", section="regions")
    assert len(at.get("vega_lite_chart")) == 1 and at.selectbox[0].label == "Region"
    at = open_page("overview", lang="en", section="nonsense")  # an unknown section: the default
    assert len(at.get("vega_lite_chart")) == 9 and "section" not in at.query_params


def test_a_region_filter_changes_the_figures_and_sits_in_the_url(small_db):
    at = open_page("overview", lang="en", section="breaches")
    at.sidebar.multiselect[0].set_value(["华南"]).run()  # regions
    shown = tiles(at)
    assert shown["Complaint rate per service"][0] == "0.0 %"
    assert shown["Satisfaction"][0] == "100.0 %"
    assert shown["Complaints per 1,000 units sold"][0] == "0.00 ‰"
    assert at.query_params["region"] == "华南"
    assert at.success[0].value == t("overview.no_breaches", "en")


def test_a_shared_link_reproduces_the_view_with_the_previous_period(small_db):
    at = open_page("overview", lang="en", **{"from": "2025-04", "to": "2025-04", "region": "华东"})
    shown = tiles(at)
    # April: D1's R5 only, on time; previous period March (D1): on time 2 of 4.
    assert shown["On-time arrival"] == ("100.0 %", "+50.00 pp")  # percentage points (issue 14)
    assert shown["Complaint rate per service"] == ("0.0 %", "-25.00 pp")
    assert at.sidebar.select_slider[0].value == ("2025-04", "2025-04")
    assert at.sidebar.multiselect[0].value == ["华东"]


def test_a_load_shows_at_once_though_figures_are_cached(small_db, wh):
    at = open_page("overview", lang="en")
    assert tiles(at)["Complaints per 1,000 units sold"][0] == "0.29 ‰"
    wh.load(
        wh.file(
            "sales_april.csv", [["dealer_id", "month", "units_sold", "sales_amount"], ["D2", "2025-04", 6500, 1000]]
        )
    )
    at.run()
    assert tiles(at)["Complaints per 1,000 units sold"][0] == "0.10 ‰"  # 1 x 1000 / 10,000 units


def test_filters_persist_when_switching_pages(small_db):
    at = open_page("overview", lang="en")
    at.sidebar.multiselect[0].set_value(["华南"]).run()
    at.switch_page(PAGES["dealers"]).run()
    assert table(at)["Dealer id"].tolist() == ["D2"]
    assert at.query_params["region"] == "华南"


def test_the_language_switch_translates_titles_tiles_and_tables(small_db):
    at = open_page("overview", lang="en", section="breaches")
    assert at.title[0].value == "Overview"
    at.sidebar.segmented_control[0].set_value("zh").run()
    assert at.title[0].value == "概览"
    assert "服务投诉率" in tiles(at)
    assert "经销商编号" in table(at).columns
    assert at.query_params["lang"] == "zh"
    assert at.query_params["section"] == "breaches"  # the open tab survives the switch


def test_a_link_in_english_opens_in_english_from_the_first_widget(small_db):
    at = open_page("overview", lang="en")
    assert at.sidebar.segmented_control[0].label == "Language"
    assert at.sidebar.multiselect[0].label == "Regions"


def test_a_broken_rules_file_is_a_message_not_a_traceback(small_db, tmp_path, monkeypatch):
    rules = tmp_path / "rules.toml"
    rules.write_text("[award]\nmin_satisfaction_rate = 3\n", encoding="utf-8")
    monkeypatch.setenv("SERVICE_QC_RULES", str(rules))
    at = open_page("overview", lang="en")
    assert "must be between 0 and 1" in at.error[0].value


def test_the_default_language_comes_from_the_rules(small_db, tmp_path, monkeypatch):
    rules = tmp_path / "rules.toml"
    rules.write_text('[dashboard]\ndefault_language = "en"\n', encoding="utf-8")
    monkeypatch.setenv("SERVICE_QC_RULES", str(rules))
    assert open_page("overview").title[0].value == "Overview"
    monkeypatch.delenv("SERVICE_QC_RULES")
    assert open_page("overview").title[0].value == "概览"  # the bundled rules say zh


# --- dealers -----------------------------------------------------------------------------------


def test_the_dealers_page_builds_only_its_open_tabs(small_db):
    """Issue 14 (a page switch): under the ranking the drill-down (its trends open) or the funnels, never both;
    the drill-down's other parts are tabs too, and the address names what is open."""
    at = open_page("dealers", lang="en")
    labels = [tab.label for tab in at.tabs]  # in the page's order: the drill-down's own tabs inside its tab
    assert labels[0] == "Dealer drill-down" and labels[-1] == "Funnel plots: each dealer against the pooled rate"
    assert labels[1:-1] == [
        "Monthly trends",
        "Control chart",
        "Report timeliness",
        "The records behind the numbers",
        "The dealer's cases",
    ]
    charts = at.get("vega_lite_chart")
    assert len(charts) in (9, 10)  # the dealer's nine trends (and the attention chart when a dealer shows a signal)
    assert not at.checkbox  # no funnel's overdispersion choice: the funnels are not built
    assert "show" not in at.query_params and "detail" not in at.query_params
    at = open_page("dealers", lang="en", show="funnels")
    assert [tab.label for tab in at.tabs] == ["Dealer drill-down", "Funnel plots: each dealer against the pooled rate"]
    assert at.checkbox[0].label == "Widen the limits for overdispersion"
    assert not at.metric  # no drill-down tiles
    at = open_page("dealers", lang="en", dealer="D1", detail="timeliness")
    assert at.query_params["detail"] == "timeliness" and len(at.get("vega_lite_chart")) <= 2


def test_dealer_ranking_has_every_dealer_with_its_rates(small_db):
    at = with_every_column(open_page("dealers", lang="en"), "ranking_every_column")
    ranking = table(at, 1).set_index("Dealer id")  # every column (issue 14: in an expander, built when opened)
    assert ranking.loc["D1", "Services"] == 5 and ranking.loc["D2", "Services"] == 1
    assert ranking.loc["D1", "Miss rate"] == pytest.approx(0.4)
    assert ranking.loc["D2", "On-time arrival"] == pytest.approx(1.0)  # 24 h is on time for a county dealer
    assert ranking.loc["D1", "Repeat-repair rate"] == pytest.approx(1 / 3)  # R4 of R1, of 3 repairs with a serial


def test_drill_down_lists_the_records_behind_the_numbers_masked(small_db):
    at = open_page("dealers", lang="en", dealer="D1", detail="timeliness")  # the drill-down's tabs (issue 14)
    assert at.selectbox[1].value == "D1"
    timeliness = table(at, 1)  # after the ranking (its every-column table: built when opened)
    assert timeliness["Status"].tolist() == ["on_time", "late"]
    assert timeliness["Days after deadline"].tolist() == [-5, 5]
    at = open_page("dealers", lang="en", dealer="D1", detail="records")
    assert at.main.segmented_control[0].options == [
        "Open records (1)",
        "Misses (2)",
        "Complaints (1)",
        "Fake records (1)",
        "Late arrivals (2)",
        "Repeat repairs (1)",
    ]  # the counts of the metrics, before any list is read
    shown = {}
    for name in RECORD_LISTS:
        at.main.segmented_control[0].set_value(name).run()
        shown[name] = table(at, 1)  # after the ranking
        assert at.query_params["records"] == name
    assert shown["open_records"][["Record no.", "Customer", "Phone"]].values.tolist() == [["R3", "王*", "****5555"]]
    assert sorted(shown["misses"]["Request id"]) == ["R2", "R3"]
    assert shown["complaints"][["Record no.", "Customer", "Phone"]].values.tolist() == [["R2", "李*", "139****1111"]]
    assert shown["fake_records"][["Callback id", "Record no.", "Customer", "Phone"]].values.tolist() == [
        ["C1", "R1", "张*", "138****5678"]
    ]
    assert sorted(shown["late_arrivals"]["Record no."]) == ["R2", "R3"]
    assert shown["repeat_repairs"][["Record no.", "Earlier record"]].values.tolist() == [["R4", "R1"]]
    page_text = " ".join(str(frame.values.tolist()) for frame in shown.values())
    assert "13812345678" not in page_text and "张三丰" not in page_text


# --- award -------------------------------------------------------------------------------------


def test_award_shows_each_criterion_and_reasons_in_the_chosen_language(small_db):
    at = with_every_column(open_page("award", lang="zh", year="2025", as_of="2026-01-31"), "award_every_column")
    award = table(at, 1)  # every column (issue 14: below the criteria at a glance, built when opened)
    assert award["经销商编号"].tolist() == ["D2", "D1"]  # fewest failed criteria first
    assert award["入选"].tolist() == ["✗", "✗"]
    assert "样本不足：2025 年仅 1 个有效回访，至少需要 30 个" in award.loc[0, "未入选原因"]
    assert at.metric[0].value == "0 / 2"
    assert at.download_button[0].label == "下载 Excel"


def test_what_if_thresholds_change_eligibility_without_touching_the_rules(small_db):
    at = open_page("award", lang="en", year="2025", as_of="2026-01-31")
    inputs = {n.label: n for n in at.number_input}
    inputs["Min answered callbacks"].set_value(1)
    inputs["Min reports on time (%)"].set_value(0.0)
    at = with_every_column(at, "award_every_column")
    award = table(at, 2)  # after the dealers the what-if moves and the criteria at a glance
    assert award[["Dealer id", "Eligible"]].values.tolist() == [["D2", "✓"], ["D1", "✗"]]
    assert table(at)[["Dealer id", "Eligible"]].values.tolist() == [["D2", "✗ → ✓"]]  # issue 14: the ones it moved
    assert table(at, 1)["Eligible"].tolist() == ["✗ → ✓", "✗"]  # marked in the whole list too
    assert at.warning[1].value == "The what-if changes the outcome of 1 dealers (highlighted)."
    assert at.metric[0].value == "1 / 2"
    assert "What-if active" in at.warning[0].value
    assert "Min answered callbacks 1 (rules file: 30)" in at.warning[0].value
    assert at.query_params["award.min_answered_callbacks"] == "1"
    assert at.query_params["award.min_report_rate"] == "0.0"
    at.button[0].click().run()  # back to the rules file
    assert table(at)["Eligible"].tolist() == ["✗", "✗"] and not at.warning
    assert table(at, 1)["Eligible"].tolist() == ["✗", "✗"]  # no table of moved dealers: the whole list, every column


def test_a_what_if_link_reopens_with_its_thresholds(small_db):
    at = open_page(
        "award",
        lang="en",
        year="2025",
        as_of="2026-01-31",
        **{"award.min_answered_callbacks": "1", "award.min_report_rate": "0"},
    )
    assert at.metric[0].value == "1 / 2"


# --- settlement --------------------------------------------------------------------------------


def test_settlement_shows_fees_deductions_and_totals(small_db):
    at = open_page("settlement", lang="en", year="2025", as_of="2026-01-31")
    # D1: 1 % of ¥150,000 = 1,500; 9 months in a row without an on-time report (Apr-Dec) -> 10 % = 150;
    # fake R1 (¥150 of fees) x 10 = 1,500; net max(1,500 - 150 - 1,500, 0) = 0.
    # D2: 1 % of ¥300,000 = 3,000; Apr-Dec missing -> 300; net 2,700.
    assert {k: v for k, (v, _) in tiles(at).items()} == {
        "Fee base": "¥4,500.00",
        "Net fee": "¥2,700.00",
        "Dealers": "2",
        "Missing-report deduction": "¥450.00",
        "Fake-record penalty": "¥1,500.00",
        "Complaint deduction": "¥0.00",
    }
    at = with_every_column(at, "settlement_every_column")
    settlement = table(at, 1).set_index("Dealer id")  # every column (issue 14: in an expander, built when opened)
    fees = ["Fee base", "Missing-report deduction", "Fake-record penalty", "Net fee"]
    assert settlement.loc["D1", fees].tolist() == [1500.0, 150.0, 1500.0, 0.0]
    assert settlement.loc["D2", "Longest run missing (months)"] == 9


def test_settlement_respects_the_region_filter(small_db):
    at = open_page("settlement", lang="en", year="2025", as_of="2026-01-31", region="华东")
    assert table(at)["Dealer id"].tolist() == ["D1"]
    assert tiles(at)["Fee base"][0] == "¥1,500.00"


# --- no data, busy database --------------------------------------------------------------------


@pytest.mark.parametrize("name", REVIEW_PAGES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_says_what_to_do_when_there_is_no_database(name, lang, tmp_path, monkeypatch):
    missing = tmp_path / "none.duckdb"
    monkeypatch.setenv("SERVICE_QC_DB", str(missing))
    at = open_page(name, lang=lang)
    assert at.info[0].value == t("empty", lang)
    assert not missing.exists()  # looking does not create a database


@pytest.mark.parametrize("name", REVIEW_PAGES)
def test_every_page_says_what_to_do_on_an_empty_database(name, tmp_path, monkeypatch):
    empty = tmp_path / "empty.duckdb"
    with writer(empty):
        pass
    monkeypatch.setenv("SERVICE_QC_DB", str(empty))
    assert open_page(name, lang="en").info[0].value == t("empty", "en")


def test_a_database_held_by_a_load_gives_a_friendly_message(small_db, monkeypatch):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
        import time, duckdb
        con = duckdb.connect({str(small_db)!r})
        print("holding", flush=True)
        time.sleep(60)"""),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        monkeypatch.setattr(data, "WAIT_SECONDS", 0.5)
        at = open_page("overview", lang="en")
        assert at.warning[0].value == t("busy", "en")
    finally:
        holder.kill()
        holder.wait()
