"""Issue 11: every export is inert. A dealer's text that starts with = + - @ tab or CR is a string
cell in .xlsx (never a formula, the value as written) and is escaped with a leading quote in CSV;
numbers and dates stay what they are.

The warehouse: five dealers whose ids and names are payloads (-X1 "=1+1", =X2 "+cmd", @X3 "-2+3",
+X4 "@SUM(A1)", X5 "\t=x", which the loader trims to "=x"), region "+华东", province "-浙江"; one
repair each in March 2025 (record numbers "=1+1", "+cmd", "-2+3", "@SUM(A1)", "\t=x" -> "=x", customer
=HYPERLINK(...), serial "-SN"); 100 units and ¥10,000 of sales each; callback CB1 on -X1's record
reached, service not confirmed (a fake record), conduct "=1+1、@SUM(A1)", comment "+cmd"; CB2 on =X2's
record not reached, comment "-2+3". A workbook whose sheet is named "=1+1" has one rejected row
(status "+done"). Tab and CR do not survive the loader's trimming; they are sent through each
builder directly and through an Explore query.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from app import charts, data, excel, tables
from conftest import DEALER_HEADER, Warehouse
from etl import corrections, inert, reports
from etl.cli import main
from etl.db import reader
from etl.metrics.drilldown import Scope
from etl.metrics.operations import CALLBACK_FORM_QUESTIONS
from test_pages_apptest import CALLBACK_HEADER, REPAIR_HEADER

PAYLOADS = ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\t=x", "\r=x"]
IDS = ["-X1", "=X2", "@X3", "+X4", "X5"]
MARCH, AS_OF = dt.date(2025, 3, 1), dt.date(2025, 6, 30)


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory) -> Warehouse:
    wh = Warehouse(tmp_path_factory.mktemp("poisoned"))
    wh.load(
        wh.file(
            "dealers.csv",
            [DEALER_HEADER]
            + [[i, n, "+华东", "-浙江", "@杭州", "urban", 2, "Y", "", ""] for i, n in zip(IDS, PAYLOADS)],
        )
    )
    wh.load(
        wh.file(
            "repairs.csv",
            [REPAIR_HEADER]
            + [
                [
                    record,
                    dealer,
                    "2025-03",
                    "2025-04-10",
                    '=HYPERLINK("http://x")',
                    f"1381234567{k}",
                    "-SN",
                    "repair",
                    "2025-03-02 09:00",
                    "2025-03-02 20:00",
                    "2025-03-02 22:00",
                    "completed",
                    100,
                    50,
                    "Y",
                ]
                for k, (record, dealer) in enumerate(zip(PAYLOADS, IDS))
            ],
        )
    )
    wh.load(
        wh.file(
            "callbacks.csv",
            [
                CALLBACK_HEADER + ["conduct_issue", "comment"],
                ["CB1", "=1+1", "-X1", "2025-03-20 10:00", "Y", "N", "Y", "5", "N", "=1+1、@SUM(A1)", "+cmd"],
                ["CB2", "+cmd", "=X2", "2025-03-21 10:00", "N", "", "", "", "", "", "-2+3"],
            ],
        )
    )
    wh.load(
        wh.file(
            "sales.csv",
            [["dealer_id", "month", "units_sold", "sales_amount"]] + [[d, "2025-03", 100, 10000] for d in IDS],
        )
    )
    book = openpyxl.Workbook()
    book.active.title = "=1+1"
    book.active.append(REPAIR_HEADER)
    book.active.append(
        ["R9", "-X1", "2025-03", "2025-04-10", "x", "1", "", "repair", "2025-03-02 09:00", "", "", "+done", 0, 0, "N"]
    )
    book.save(wh.folder / "repairs_2025-03_b.xlsx")
    [result] = wh.load(wh.folder / "repairs_2025-03_b.xlsx")
    assert (result.rows_loaded, result.rows_rejected) == (0, 1)
    assert wh.query("SELECT count(*) FROM repairs") == [(5,)]
    return wh


def source(wh: Warehouse) -> data.Source:
    return data.Source.of(wh.path, wh.rules)


def xlsx_cells(content: bytes) -> list:
    """Every cell's value; fails on any formula cell."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    formulas = [(cell.parent.title, cell.coordinate, cell.value) for cell in cells if cell.data_type == "f"]
    assert not formulas
    return [cell.value for cell in cells]


def csv_cells(content: bytes) -> list[list[str]]:
    """The rows of a CSV; fails on a cell that starts like a formula and is not a number."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    for cell in (cell for row in rows for cell in row):
        if cell.startswith(inert.RISKY):
            float(cell)  # only a number may start with - or +
    return rows


def column(rows: list[list[str]], name: str) -> list[str]:
    return [row[rows[0].index(name)] for row in rows[1:]]


# --- the rule -----------------------------------------------------------------------------------


def test_the_rule_escapes_risky_text_and_leaves_numbers_and_dates():
    assert [inert.csv_cell(p) for p in PAYLOADS] == ["'=1+1", "'+cmd", "'-2+3", "'@SUM(A1)", "'\t=x", "'\r=x"]
    assert [inert.csv_cell(v) for v in (-5, -2.5, dt.date(2025, 3, 1), None, True, "X5", "杭州")] == [
        -5,
        -2.5,
        dt.date(2025, 3, 1),
        None,
        True,
        "X5",
        "杭州",
    ]
    frame = pd.DataFrame({"=h": ["-5", "a"], "n": [-5, 3], "mixed": [-5, "=x"]})
    assert csv_cells(inert.csv_bytes(frame)) == [["'=h", "n", "mixed"], ["'-5", "-5", "-5"], ["a", "3", "'=x"]]


def test_every_builder_writes_all_six_payloads_as_text(tmp_path):
    """The payloads the loader would trim (tab, CR) sent straight through each builder."""
    people = pd.DataFrame(
        {
            "dealer_id": PAYLOADS,
            "dealer_name": PAYLOADS,
            "region": PAYLOADS,
            "province": PAYLOADS,
            "area_type": ["urban"] * 6,
            "services": [-5, 1, 2, 3, 4, 5],
        }
    )
    values = xlsx_cells(
        excel.workbook([excel.Sheet("x", people, tables.DEALER + [("services", "count")])], [("SQL", "=1+1")], "en")
    )
    # XML reads a CR back as a line feed; every other payload comes back exactly as written
    assert {p.replace("\r", "\n") for p in PAYLOADS} <= set(values) and -5 in values
    report = pd.DataFrame(
        {
            "dealer_id": PAYLOADS,
            "units_sold": [-5, 1, 2, 3, 4, 5],
            "month": ["2025-03"] * 6,
            "eligible": [True, False, None, True, True, True],
        }
    )
    for suffix in ("csv", "xlsx"):
        out = tmp_path / f"r.{suffix}"
        reports.write(report, out)
        if suffix == "xlsx":
            assert -5 in xlsx_cells(out.read_bytes())
        else:
            rows = csv_cells(out.read_bytes())
            assert column(rows, "dealer_id") == ["'" + p for p in PAYLOADS]
            assert column(rows, "units_sold")[0] == "-5" and column(rows, "eligible")[:3] == ["true", "false", ""]
    call_list = pd.DataFrame(
        {
            c: PAYLOADS
            for c in (
                "callback_id",
                "record_no",
                "dealer_id",
                "dealer_name",
                "customer_name",
                "customer_phone",
                "address",
                "product_model",
            )
        }
    )
    call_list["service_type"] = "repair"
    call_list["recheck_case"] = pd.Series([7, None, None, None, None, None], dtype="Int64")  # a case's re-check first
    call_list["requested_at"] = call_list["completed_at"] = dt.datetime(2025, 3, 2, 9)
    values = xlsx_cells(excel.call_list_workbook(call_list, CALLBACK_FORM_QUESTIONS, "=notice", [("+x", "-y")], "zh"))
    assert {"\t=x", "@SUM(A1)", "=1+1", "⚠ =notice"} <= set(values) and dt.datetime(2025, 3, 2, 9) in values


# --- the command line's reports -------------------------------------------------------------------

REPORTS = {
    "monthly": ["--year", "2025"],
    "award": ["--year", "2025", "--as-of", "2026-03-01"],
    "settlement": ["--year", "2025", "--as-of", "2026-03-01"],
    "funnel": ["--metric", "complaint_rate", "--year", "2025"],
    "watchlist": ["--month", "2025-03", "--as-of", "2025-06-30"],
}


@pytest.mark.parametrize("name", REPORTS)
def test_command_line_reports_are_inert(poisoned, tmp_path, name):
    for suffix in ("csv", "xlsx"):
        out = tmp_path / f"{name}.{suffix}"
        assert main(["report", name, *REPORTS[name], "--db", str(poisoned.path), "--out", str(out)]) == 0
        if suffix == "xlsx":
            values = xlsx_cells(out.read_bytes())
            assert "-X1" in values and ("=X2" in values or name == "watchlist")
            continue
        rows = csv_cells(out.read_bytes())
        ids = column(rows, "dealer_id")
        assert "'-X1" in ids and ("'=X2" in ids or name == "watchlist")  # -X1's fake record: its one line
        if name == "monthly":  # one repair, 100 units each: numbers stay plain numbers
            assert sorted(ids) == sorted(["'-X1", "'=X2", "'@X3", "'+X4", "X5"])
            assert set(column(rows, "services")) == {"1"} and set(column(rows, "units_sold")) == {"100"}
        if name in ("award", "settlement", "watchlist"):
            assert "'=1+1" in column(rows, "dealer_name")
        if name == "settlement":
            fakes = dict(zip(ids, column(rows, "fake_records")))
            assert set(column(rows, "sales_amount")) == {"10000.0"} and fakes == {
                "'-X1": "1",
                "'=X2": "0",
                "'@X3": "0",
                "'+X4": "0",
                "X5": "0",
            }


# --- the dashboard's downloads ----------------------------------------------------------------------


def test_ranking_award_and_settlement_workbooks_are_inert(poisoned):
    scope = Scope(MARCH, MARCH)
    rows = data.load_metric_rows(source(poisoned), scope)
    ranking = data.load_ranking(source(poisoned), scope, rows)
    values = xlsx_cells(excel.workbook([excel.Sheet("Dealers", ranking, tables.RANKING_EXPORT)], [], "en"))
    assert {"=X2", "=1+1", "+cmd", "+华东", "-浙江"} <= set(values) and 1 in values  # services
    award = data.load_award(source(poisoned), 2025, dt.date(2026, 3, 1), "en", Scope())
    values = xlsx_cells(excel.workbook([excel.Sheet("Award", award, tables.AWARD)], [], "en"))
    assert {"@X3", "-2+3"} <= set(values)
    settlement = data.load_settlement(source(poisoned), 2025, dt.date(2026, 3, 1), Scope())
    values = xlsx_cells(
        excel.workbook([excel.Sheet("Settlement", settlement.dealers, tables.SETTLEMENT, settlement.totals)], [], "zh")
    )
    assert {"+X4", "@SUM(A1)"} <= set(values) and 50000 in values  # the totals row: 5 x ¥10,000


def test_data_page_workbooks_are_inert(poisoned):
    rejected = data.load_rejects(source(poisoned), None, None)
    assert rejected["sheet"].tolist() == ["=1+1"]
    values = xlsx_cells(
        excel.workbook([excel.Sheet("Rejected rows", rejected, tables.REJECTS)], [("Reason contains", "=1+1")], "en")
    )
    assert "=1+1" in values and 2 in values  # the sheet as written; the row number a number
    due = data.load_data_status(source(poisoned), AS_OF).report_status
    missing, late = due[due["status"] == "missing"], due[due["status"] == "late"]
    assert len(missing) == 10  # April and May of five dealers
    values = xlsx_cells(
        excel.workbook(
            [excel.Sheet("Missing", missing, tables.MISSING_REPORTS), excel.Sheet("Late", late, tables.LATE_REPORTS)],
            [],
            "en",
        )
    )
    # April's report was due 05-15, 46 days before 06-30; May's 06-15, 15 days
    assert {"-X1", "=1+1", "+华东", "-浙江"} <= set(values) and {46, 15} <= set(values)


def test_callbacks_workbook_and_call_list_are_inert(poisoned):
    found = data.load_callback_analysis(source(poisoned), Scope(MARCH, MARCH))
    assert found.fakes["comment"].tolist() == ["+cmd"] and found.unreached["comment"].tolist() == ["-2+3"]
    assert sorted(found.issues["conduct_issue"]) == ["=1+1", "@SUM(A1)"]
    values = xlsx_cells(
        excel.workbook(
            [
                excel.Sheet("Answers", charts.answers_in_words(found.answers, "en"), tables.ANSWERS),
                excel.Sheet("By dealer", found.by_dealer, tables.CALLBACK_DEALERS),
                excel.Sheet("Conduct", found.issues, tables.CONDUCT),
                excel.Sheet("Fakes", found.fakes, tables.CALLBACK_PEOPLE),
                excel.Sheet("Unreached", found.unreached, tables.CALLBACK_PEOPLE),
            ],
            [],
            "en",
        )
    )
    assert {"=1+1", "@SUM(A1)", "+cmd", "-2+3", "=X2"} <= set(values)
    full, _ = data.load_call_list(source(poisoned), MARCH, AS_OF, 1.0, 0, 1)
    assert sorted(full["record_no"]) == sorted(["=1+1", "+cmd", "-2+3", "@SUM(A1)", "=x"])
    values = xlsx_cells(excel.call_list_workbook(full, CALLBACK_FORM_QUESTIONS, "notice", [("seed", "1")], "zh"))
    assert {"=1+1", "@SUM(A1)", '=HYPERLINK("http://x")', "-X1"} <= set(values)


def test_explore_downloads_are_inert(poisoned):
    sql = (
        "SELECT dealer_id, dealer_name, -5 AS n, chr(9) || '=x' AS tab, chr(13) || '=x' AS cr, "
        "DATE '2025-03-01' AS d FROM dealers ORDER BY n, dealer_name"
    )
    frame = data.load_query(source(poisoned), sql).frame
    values = xlsx_cells(
        excel.workbook([excel.Sheet("Explore", frame, [(c, "text") for c in frame.columns])], [("SQL", sql)], "en")
    )
    assert {"=X2", "=1+1", "\t=x", "\n=x"} <= set(values) and -5 in values
    rows = csv_cells(inert.csv_bytes(frame))
    assert rows[0] == ["dealer_id", "dealer_name", "n", "tab", "cr", "d"]
    assert rows[1] == ["'=X2", "'+cmd", "-5", "'\t=x", "'\r=x", "2025-03-01"]
    pivot = data.load_pivot(source(poisoned), ("region", "dealer_id"), (MARCH, MARCH), Scope())
    table = pivot.pivot(index="region", columns="dealer_id", values="services").reset_index()
    values = xlsx_cells(excel.workbook([excel.Sheet("Pivot", table, [(c, "text") for c in table.columns])], [], "en"))
    assert {"+华东", "-X1", "=X2"} <= set(values) and 1 in values


def test_the_correction_sheet_is_inert(poisoned):
    with reader(poisoned.path, poisoned.rules) as con:
        values = xlsx_cells(corrections.correction_workbook(con, "repairs_2025-03_b.xlsx", "en"))
    assert {"=1+1", "+done", "-X1"} <= set(values)
