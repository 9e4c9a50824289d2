"""The operations pages (issue 5) through AppTest on the small database of test_pages_apptest.py,
figures worked out by hand; the upload handler and the call-list workbook as plain functions; a
terminal load while a session reads.

small_db: D1 (华东, urban) March R1-R4 report on time (04-10), April R5 late (05-20, 5 days after
the 15th); D2 (华南, county) March S1 on time (04-12). Callbacks in March 2025: C1 (R1 张三丰
13812345678) reached, service not confirmed (fake), satisfaction 5; C2 (R2) satisfaction 2 and a
complaint; C3 (S1, D2) satisfaction 4.
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

import test_pages_apptest
from app import excel, uploads
from app.i18n import t
from app_pages import PAGES, open_page, unlinked, with_every_column
from conftest import write_csv
from etl.load import load_paths
from etl.metrics.operations import CALLBACK_FORM_QUESTIONS
from test_pages_apptest import REPAIR_HEADER

small_db = test_pages_apptest.small_db  # its fixture, shared

SALES_HEADER = ["dealer_id", "month", "units_sold", "sales_amount"]


def frame_with(at: AppTest, column: str):
    """The first table showing `column`."""
    return unlinked(next(d.value for d in at.dataframe if column in d.value.columns))


def texts(at: AppTest) -> str:
    return "\n".join(
        str(e.value) for group in (at.markdown, at.caption, at.info, at.warning, at.error, at.success) for e in group
    )


# --- Data --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_data_page_without_a_database_offers_the_upload(tmp_path, monkeypatch, lang):
    monkeypatch.setenv("SERVICE_QC_DB", str(tmp_path / "none.duckdb"))
    at = open_page("data", lang=lang)
    assert at.title[0].value == t("data.title", lang)
    assert t("data.no_database", lang) in texts(at)
    assert at.button[0].label == t("data.load", lang) and at.button[0].disabled  # nothing chosen yet
    assert not (tmp_path / "none.duckdb").exists()  # the page created nothing


def test_data_page_lists_loads_rejects_and_missing_reports(small_db, wh):
    wh.load(wh.file("sales_extra.csv", [SALES_HEADER, ["D9", "2025-04", 5, 500], ["D2", "2025-04", 10, 1000]]))
    at = with_every_column(open_page("data", lang="en"), "_data_history_every_column")
    history = frame_with(at, "Rows read")
    assert history["File"].iloc[0] == "sales_extra.csv"  # newest first
    assert sorted(history["File"]) == ["callbacks.csv", "dealers.csv", "repairs.csv", "sales.csv", "sales_extra.csv"]
    assert history.iloc[0][["Rows read", "Rows loaded", "Rows rejected"]].tolist() == [2, 1, 1]
    rejected = frame_with(at, "Row")
    assert rejected["File"].tolist() == ["sales_extra.csv"] and "D9" in rejected["Reason"].iloc[0]
    at.text_input(key="_data_reject_reason").input("no such words").run()
    assert t("data.none_rejected", "en") in texts(at)
    at.text_input(key="_data_reject_reason").input("").run()
    at.selectbox(key="_data_reject_file").set_value("sales_extra.csv").run()
    assert len(frame_with(at, "Row")) == 1

    # As of 2025-06-20 the reports of March, April and May are due (the 15th of the next month):
    # D1 March on time, April 5 days late, May missing 5 days; D2 March on time, April missing
    # 36 days (05-15 -> 06-20), May missing 5 days.
    at.date_input(key="_data_as_of").set_value(dt.date(2025, 6, 20)).run()
    assert not at.exception
    figures = {m.label: m.value for m in at.metric}
    assert figures == {"Missing": "3", "Late": "1", "On time": "2"}
    missing = frame_with(at, "Days overdue")
    assert list(zip(missing["Dealer id"], missing["Month"].map(lambda m: f"{m:%Y-%m}"), missing["Days overdue"])) == [
        ("D2", "2025-04", 36),
        ("D1", "2025-05", 5),
        ("D2", "2025-05", 5),
    ]
    late = frame_with(at, "Days after deadline")
    assert late[["Dealer id", "Days after deadline"]].values.tolist() == [["D1", 5]]


def test_the_upload_handler_reports_each_file_in_the_language_neutral_codes(small_db, wh):
    good = write_csv(
        wh.folder / "sales_2025-05.csv", [SALES_HEADER, ["D1", "2025-05", 7, 700], ["D9", "2025-05", 1, 1]]
    )
    junk = write_csv(wh.folder / "notes.csv", [["what", "ever"], ["a", "b"]])
    progress, waiting = [], []
    files = [(p.name, p.read_bytes()) for p in (good, junk)]
    outcome = uploads.load_uploaded(files, wh.path, None, lambda *a: progress.append(a), waiting.append)
    rows = outcome.results.set_index("file_name")
    assert rows.loc["sales_2025-05.csv", ["status", "rows_read", "rows_loaded", "rows_rejected"]].tolist() == [
        "loaded",
        2,
        1,
        1,
    ]
    assert rows.loc["notes.csv", "status"] == "rejected" and rows.loc["notes.csv", "message"]
    assert (
        [done for done, total, _ in progress] == [1, 2]
        and {name for *_, name in progress} == {"sales_2025-05.csv", "notes.csv"}
        and not outcome.failure
    )
    assert outcome.rejected_files == ["sales_2025-05.csv"]
    again = uploads.load_uploaded(files[:1], wh.path, None)
    assert again.results["status"].tolist() == ["already_loaded"]
    assert wh.query("SELECT sum(units_sold) FROM sales WHERE month = '2025-05-01'") == [(7,)]


def test_uploaded_names_stay_their_own_without_folders():
    assert uploads.safe_name("../../etc/repairs_2025-03.csv") == "repairs_2025-03.csv"
    assert uploads.safe_name("C:\\Users\\x\\回访_2025-03.xlsx") == "回访_2025-03.xlsx"


def test_a_load_invalidates_what_the_data_page_shows(small_db, wh):
    at = open_page("data", lang="en")
    assert len(frame_with(at, "Rows loaded")) == 4
    wh.load(wh.file("sales_more.csv", [SALES_HEADER, ["D2", "2025-04", 10, 1000]]))
    at.run()
    assert len(frame_with(at, "Rows loaded")) == 5


# --- Callbacks ---------------------------------------------------------------------------------


def test_callbacks_page_shows_answers_dealers_fakes_masked(small_db):
    at = with_every_column(open_page("callbacks", lang="en"), "callback_dealers_every_column")
    dealers = frame_with(at, "Not reached")
    assert dealers["Dealer id"].tolist() == ["D1", "D2"]  # D1 50 % dissatisfied first
    d1 = dealers.iloc[0]
    assert (d1["HQ callbacks"], d1["Answered callbacks"], d1["Dissatisfied answers"], d1["Fake records"]) == (
        2,
        2,
        1,
        1,
    )
    assert d1["Dissatisfaction"] == pytest.approx(0.5)
    fakes = frame_with(at, "Callback id")
    assert fakes[["Callback id", "Customer", "Phone"]].values.tolist() == [["C1", "张*", "138****5678"]]
    assert len(at.get("vega_lite_chart")) >= 1


def test_callback_list_draws_the_share_of_each_dealer_masked_on_screen(small_db):
    # March 2025: D1 has 4 records, D2 1. 15 % -> ceil(0.6) = 1 and ceil(0.15) = 1; 50 % -> 2 and 1.
    at = with_every_column(open_page("callbacks", lang="en"), "_cb_list_every_column")
    at.selectbox(key="_widget_cb_month").set_value(dt.date(2025, 3, 1)).run()
    listed = frame_with(at, "Dealer's quota")
    assert listed.groupby("Dealer id").size().to_dict() == {"D1": 1, "D2": 1}
    at.number_input(key="_widget_cb_share").set_value(50.0).run()
    listed = frame_with(at, "Dealer's quota")
    assert listed.groupby("Dealer id").size().to_dict() == {"D1": 2, "D2": 1}
    assert all("****" in phone for phone in listed["Phone"] if len(phone) >= 11)
    assert set(listed["Customer"]) <= {"张*", "李*", "王*", "赵*", "孙*"}
    assert "2 drawn" not in texts(at) and "3 drawn of 5 records, 2 dealers" in texts(at)
    assert at.query_params["cb_share"] == "50.0"
    at.number_input(key="_widget_cb_share").set_value(50.0).run()
    assert frame_with(at, "Dealer's quota").equals(listed)  # the same inputs, the same list


def test_the_call_list_workbook_is_unmasked_says_so_and_loads_back(small_db, wh):
    from app.data import Source, load_call_list

    source = Source.of(wh.path, wh.rules)
    full, masked = load_call_list(source, dt.date(2025, 3, 1), dt.date(2025, 6, 1), 1.0, 90, 1)
    # Every record of March (share 100 %) but those whose customers HQ called in the 90 days before
    # June 1st (R1, R2, S1): R3 and R4 of D1.
    assert sorted(full["record_no"]) == ["R3", "R4"] and len(masked) == 2
    content = excel.call_list_workbook(full, CALLBACK_FORM_QUESTIONS, t("callbacks.notice", "zh"), [("x", "y")], "zh")
    book = openpyxl.load_workbook(io.BytesIO(content))
    first = book.worksheets[0]
    assert "未脱敏" in first["A1"].value
    header = [c.value for c in first[4]]
    assert header[:12] == [
        "回访编号",
        "维修单号",
        "经销商编号",
        "回访时间",
        "是否接通",
        "服务属实",
        "问题已解决",
        "按约上门",
        "满意度",
        "投诉",
        "违规行为",
        "意见",
    ]
    phones = [row[header.index("联系电话")] for row in first.iter_rows(min_row=5, values_only=True)]
    assert set(full["customer_phone"]) == set(phones) and not any("*" in p for p in phones)
    for row in range(5, first.max_row + 1):  # the call center fills it in
        first.cell(row, 4, "2025-06-02 10:00")
        first.cell(row, 5, "Y")
        first.cell(row, 9, 5)
    target = wh.folder / "回访名单_2025-03.xlsx"
    book.save(target)
    result = load_paths([target], wh.path, wh.rules)[0]
    assert (result.status, result.kind, result.rows_loaded, result.rows_rejected) == ("loaded", "callbacks", 2, 0)


# --- Explore -----------------------------------------------------------------------------------


def run_sql(at: AppTest, sql: str) -> AppTest:
    at.text_area(key="_explore_sql").input(sql).run()
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_explore_runs_a_select_and_lists_the_catalog(small_db):
    at = run_sql(open_page("explore", lang="en"), "SELECT dealer_id, services FROM dealer_month_metrics ORDER BY 1, 2")
    assert frame_with(at, "services")[["dealer_id", "services"]].values.tolist() == [["D1", 1], ["D1", 4], ["D2", 1]]
    assert "3 rows" in texts(at)
    assert any(e.label.startswith("dealer_month_metrics") for e in at.expander)
    assert len(at.get("vega_lite_chart")) >= 1


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    "sql, code",
    [
        ("DELETE FROM repairs", "not_select"),
        ("COPY repairs TO '/tmp/leak.csv'", "not_select"),
        ("SELECT * FROM read_csv('/etc/passwd')", "forbidden"),
        ("SELECT 1; SELECT 2", "several_statements"),
    ],
)
def test_explore_refuses_writes_files_and_several_statements(small_db, wh, lang, sql, code):
    at = run_sql(open_page("explore", lang=lang), sql)
    start = t(f"explore.refused.{code}", lang, detail="\x00").split("\x00")[0]
    assert len(at.error) == 1 and at.error[0].value.startswith(start), at.error[0].value
    assert wh.query("SELECT count(*) FROM repairs") == [(6,)]


def test_explore_caps_rows_with_a_note(small_db, tmp_path, monkeypatch):
    rules = Path(__file__).resolve().parent.parent / "rules.toml"
    capped = tmp_path / "rules.toml"
    capped.write_text(rules.read_text(encoding="utf-8").replace("row_limit = 10000", "row_limit = 5"), encoding="utf-8")
    monkeypatch.setenv("SERVICE_QC_RULES", str(capped))
    at = run_sql(open_page("explore", lang="en"), "SELECT * FROM range(12)")
    assert len(frame_with(at, "range")) == 5
    assert at.warning[0].value == t("explore.truncated", "en", limit="5")


def test_explore_pivot_shows_the_rolled_up_values(small_db):
    at = open_page("explore", lang="en")
    at.selectbox(key="_pivot_measure").set_value("services").run()
    pivot = at.dataframe[-1].value
    assert pivot.to_dict()["Services"] == {"华东": 5, "华南": 1}
    at.selectbox(key="_pivot_cols").set_value("month").run()
    pivot = at.dataframe[-1].value
    assert pivot.loc["华东", "2025-03"] == 4 and pivot.loc["华东", "2025-04"] == 1 and pivot.loc["华南", "2025-03"] == 1
    at.selectbox(key="_pivot_measure").set_value("dissatisfaction_rate").run()
    pivot = at.dataframe[-1].value
    assert pivot.loc["华东", "2025-03"] == pytest.approx(0.5) and pivot.loc["华南", "2025-03"] == 0


def test_explore_pivot_follows_the_sidebars_months(small_db):
    """Issue 14: no second months slider: the pivot sums the sidebar's months (April: D1's one service in 华东)."""
    at = open_page("explore", lang="en", **{"from": "2025-04", "to": "2025-04"})
    assert len(at.select_slider) == 1 and at.sidebar.select_slider[0].value == ("2025-04", "2025-04")
    at.selectbox(key="_pivot_measure").set_value("services").run()
    assert at.dataframe[-1].value.to_dict()["Services"] == {"华东": 1}


# --- many readers, one writer ---------------------------------------------------------------------


def test_a_terminal_load_while_a_session_reads_both_succeed(small_db, wh):
    files = [
        write_csv(
            wh.folder / f"repairs_2025-{m:02d}.csv",
            [REPAIR_HEADER]
            + [
                [
                    f"T{m}-{n}",
                    "D1",
                    f"2025-{m:02d}",
                    f"2025-{m + 1:02d}-10",
                    "某",
                    "13800000000",
                    "",
                    "repair",
                    f"2025-{m:02d}-02 09:00",
                    "",
                    "",
                    "open",
                    0,
                    0,
                    "N",
                ]
                for n in range(300)
            ],
        )
        for m in range(5, 10)
    ]
    at = open_page("callbacks", lang="en")
    process = subprocess.Popen(
        [sys.executable, "-m", "etl", "load", "--db", str(wh.path), *map(str, files)],
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    renders = 0
    deadline = time.monotonic() + 120
    while (process.poll() is None or renders < 3) and time.monotonic() < deadline:
        at.switch_page(PAGES["data" if renders % 2 else "callbacks"]).run()
        assert not at.exception, [e.value for e in at.exception]
        assert "Traceback" not in texts(at)
        renders += 1
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert renders >= 3
    at.switch_page(PAGES["data"]).run()
    assert "repairs_2025-09.csv" in frame_with(at, "Rows loaded")["File"].tolist()
