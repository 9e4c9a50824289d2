"""Loading rules (spec 2.7 and 6): bad files rejected whole, order of kinds, same file twice,
resubmission per dealer-month and the first submission, upserts, the load log and the archive,
and a failure mid-file leaving the database as it was."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest

import etl.load
from etl.load import load_paths

pytestmark = pytest.mark.usefixtures("prebuilt_warehouse")

REPAIR_HEADER = [
    "record_no",
    "dealer_id",
    "report_month",
    "submitted_on",
    "service_type",
    "requested_at",
    "status",
    "labor_fee",
]
TODAY = dt.date(2026, 11, 23)  # the load date the `wh` fixture passes


def outcome(results):
    return [(r.file, r.status, r.kind, r.rows_read, r.rows_loaded, r.rows_rejected, r.message) for r in results]


def rep(no, dealer="JX101", month="2026-03", submitted="2026-04-09", status="completed", fee="80"):
    day = month + "-05 09:00"
    return [no, dealer, month, submitted, "repair", day, status, fee]


def repairs(wh):
    return wh.query(
        "SELECT dealer_id, strftime(report_month, '%Y-%m'), record_no, status, labor_fee FROM repairs ORDER BY 1, 2, 3"
    )


def submissions(wh):
    return wh.query(
        "SELECT dealer_id, strftime(report_month, '%Y-%m'), first_submitted_on, last_submitted_on, "
        "submissions FROM report_submissions ORDER BY 1, 2"
    )


def snapshot(wh):
    """Everything a load can touch."""
    tables = [
        "dealers",
        "sales",
        "repairs",
        "callbacks",
        "hotline",
        "notices",
        "rejects",
        "report_submissions",
        "load_log",
    ]
    return {t: wh.query(f"SELECT * FROM {t} ORDER BY ALL") for t in tables}


@pytest.fixture
def roster(wh):
    wh.dealers(["JX101", "杭州西湖家电服务部"], ["JX102", "宁波江北家电"])
    return wh


# ---------------------------------------------------------------- bad files

MISSING = [
    (
        "repairs_2026-03.csv",
        [["record_no", "Dealer_ID", "requested_at", "备注"], ["R1", "JX101", "2026-03-05", "x"]],
        "missing required columns service_type (服务类型), status (状态); "
        "headers found: record_no, Dealer_ID, requested_at, 备注",
    ),
    (
        "dealers_new.csv",
        [["dealer_id", "area_type"], ["JX301", "urban"]],
        "missing required column dealer_name (经销商名称); headers found: dealer_id, area_type",
    ),
    (
        "销量_2026.xlsx",
        [["销量表"], ["经销商编号", "月份", "结算金额", ""], ["JX101", "2026-03", "1000", ""]],
        'sheet "Sheet": missing required column units_sold (销量); headers found: 经销商编号, 月份, 结算金额',
    ),
    (
        "回访_2026-04.csv",
        [["回访编号", "维修单号", "经销商编号", "回访时间", "满意度"], ["HF1", "R1", "JX101", "2026-04-01", "5"]],
        "missing required column reached (是否接通); headers found: 回访编号, 维修单号, 经销商编号, 回访时间, 满意度",
    ),
    (
        "hotline.csv",
        [["ticket_id", "received_at", "dealer_id"], ["T1", "2026-03-01", "JX101"]],
        "missing required column ticket_type (工单类型); headers found: ticket_id, received_at, dealer_id",
    ),
    (
        "notices.csv",
        [["notice_id", "dealer_id", "source"], ["N1", "JX101", "报纸"]],
        "missing required column notice_date (日期); headers found: notice_id, dealer_id, source",
    ),
]


@pytest.mark.parametrize("name, rows, message", MISSING, ids=[m[0] for m in MISSING])
def test_missing_required_column_rejects_the_whole_file(roster, name, rows, message):
    wh = roster
    before = snapshot(wh)
    [result] = wh.load(wh.file(name, rows))
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_rejected, result.message) == (
        "rejected",
        0,
        0,
        0,
        message,
    )
    after = snapshot(wh)
    assert {t: v for t, v in after.items() if t != "load_log"} == {t: v for t, v in before.items() if t != "load_log"}
    assert after["load_log"][:-1] == before["load_log"]
    assert wh.query(
        "SELECT file_name, status, rows_read, rows_loaded, rows_rejected, message FROM load_log "
        "ORDER BY load_id DESC LIMIT 1"
    ) == [(name, "rejected", 0, 0, 0, message)]


def test_column_named_twice_rejects_the_whole_file(roster):
    wh = roster
    path = wh.file(
        "repairs_2026-03.csv",
        [
            ["record_no", "dealer_id", "经销商编号", "service_type", "requested_at", "status"],
            ["R1", "JX101", "JX101", "repair", "2026-03-05", "open"],
        ],
    )
    assert outcome(wh.load(path)) == [
        (
            "repairs_2026-03.csv",
            "rejected",
            "repairs",
            0,
            0,
            0,
            'column dealer_id appears twice ("dealer_id" and "经销商编号")',
        )
    ]
    assert wh.query("SELECT count(*) FROM repairs") == [(0,)]


def test_repairs_without_report_month_column_or_month_in_name_is_rejected(roster):
    wh = roster
    path = wh.file("repairs_JX101.csv", [REPAIR_HEADER[:2] + REPAIR_HEADER[3:], rep("R1")[:2] + rep("R1")[3:]])
    assert outcome(wh.load(path)) == [
        (
            "repairs_JX101.csv",
            "rejected",
            "repairs",
            0,
            0,
            0,
            "report month cannot be told: there is no report_month (报表月份) column and the file name has no "
            "YYYY-MM or YYYYMM in it",
        )
    ]
    assert wh.query("SELECT count(*) FROM repairs") == [(0,)]
    assert submissions(wh) == []


@pytest.mark.parametrize(
    "name, month",
    [
        ("repairs_JX101_2026-02.csv", "2026-02"),
        ("维修_JX101_202602.csv", "2026-02"),
        ("repairs_202610_JX101.csv", "2026-10"),
    ],
)
def test_report_month_from_the_file_name(roster, name, month):
    wh = roster
    # requested in the month the name gives, submitted after it (issue 10 rejects anything else)
    row = rep("R1", month=month, submitted="2026-11-09")
    path = wh.file(name, [REPAIR_HEADER[:2] + REPAIR_HEADER[3:], row[:2] + row[3:]])
    assert outcome(wh.load(path)) == [(name, "loaded", "repairs", 1, 1, 0, "")]
    assert repairs(wh) == [("JX101", month, "R1", "completed", Decimal("80.00"))]


def test_unreadable_files_are_rejected_whole(roster):
    wh = roster
    folder = wh.folder / "in"
    folder.mkdir(exist_ok=True)
    garbage = folder / "repairs_2026-03.xlsx"
    garbage.write_bytes(bytes(range(256)) * 8)
    head = b"record_no,dealer_id,service_type,requested_at,status\nR1,JX101,repair,2026-03-05,open\n"
    bad_text = folder / "repairs_2026-04.csv"
    bad_text.write_bytes(head + b"R2,JX101,repair,2026-03-05,\xff\xfe\n")  # neither UTF-8 nor GB18030
    unknown_xlsx = folder / "export.xlsx"
    unknown_xlsx.write_bytes(b"PK\x03\x04 this is no workbook")
    pdf = folder / "repairs_2026-05.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    before = snapshot(wh)
    results = wh.load(garbage, bad_text, unknown_xlsx, pdf)
    by_name = {r.file: r for r in results}
    assert {r.file: (r.status, r.rows_read, r.rows_loaded) for r in results} == {
        "repairs_2026-03.xlsx": ("rejected", 0, 0),
        "repairs_2026-04.csv": ("rejected", 0, 0),
        "export.xlsx": ("rejected", 0, 0),
        "repairs_2026-05.pdf": ("rejected", 0, 0),
    }
    assert by_name["repairs_2026-03.xlsx"].message.startswith("cannot read the workbook: ")
    assert by_name["export.xlsx"].message.startswith("cannot read the workbook: ")
    assert by_name["repairs_2026-04.csv"].message == (
        "cannot read the file: it is neither UTF-8 nor GBK/GB18030 text "
        f"(bad byte at {len(head) + len(b'R2,JX101,repair,2026-03-05,')})"
    )
    assert by_name["repairs_2026-05.pdf"].message == (
        'unsupported file type ".pdf": expected a CSV, TSV or TXT text file or an Excel / WPS / LibreOffice '
        "workbook (.xlsx .xlsm .xls .xlsb .ods)"
    )
    after = snapshot(wh)
    assert {t: v for t, v in after.items() if t != "load_log"} == {t: v for t, v in before.items() if t != "load_log"}
    assert wh.query("SELECT file_name, status FROM load_log WHERE status = 'rejected' ORDER BY file_name") == [
        ("export.xlsx", "rejected"),
        ("repairs_2026-03.xlsx", "rejected"),
        ("repairs_2026-04.csv", "rejected"),
        ("repairs_2026-05.pdf", "rejected"),
    ]


def test_a_named_file_without_its_header_row_is_rejected(roster):
    wh = roster
    path = wh.file("repairs_2026-03.csv", [["维修记录"], ["a", "b", "c"], ["1", "2", "3"]])
    assert outcome(wh.load(path)) == [
        (
            "repairs_2026-03.csv",
            "rejected",
            "repairs",
            0,
            0,
            0,
            "no header row found: none of the first 50 rows has the columns of a repairs file (record_no/维修单号, "
            "dealer_id/经销商编号, service_type/服务类型, requested_at/报修时间, status/状态)",
        )
    ]


def test_a_bad_file_does_not_stop_the_good_files_of_the_same_load(roster):
    wh = roster
    good = wh.file("repairs_2026-03.csv", [REPAIR_HEADER, rep("R1")])
    bad = wh.file("repairs_2026-04.csv", [["record_no", "dealer_id"], ["R2", "JX101"]])
    results = wh.load(bad, good)
    assert [(r.file, r.status) for r in results] == [
        ("repairs_2026-04.csv", "rejected"),
        ("repairs_2026-03.csv", "loaded"),
    ]
    assert repairs(wh) == [("JX101", "2026-03", "R1", "completed", Decimal("80.00"))]


# ---------------------------------------------------------------- order of kinds


def test_kinds_apply_in_spec_order_whatever_the_order_given(wh):
    files = [
        wh.file("notices.csv", [["notice_id", "dealer_id", "notice_date"], ["N1", "JX101", "2026-05-01"]]),
        wh.file(
            "hotline.csv",
            [["ticket_id", "received_at", "dealer_id", "ticket_type"], ["T1", "2026-03-01 08:00", "JX101", "报修"]],
        ),
        wh.file(
            "hq_export.csv",
            [
                ["callback_id", "record_no", "dealer_id", "called_at", "reached"],  # by header
                ["HF1", "R1", "JX101", "2026-04-01 10:00", "Y"],
            ],
        ),
        wh.file(
            "回访.csv",
            [
                ["回访编号", "维修单号", "经销商编号", "回访时间", "是否接通"],
                ["HF2", "R1", "JX101", "2026-04-02 10:00", "N"],
            ],
        ),
        wh.file("repairs_2026-03.csv", [REPAIR_HEADER, rep("R1")]),
        wh.file("sales.csv", [["dealer_id", "month", "units_sold", "sales_amount"], ["JX101", "2026-03", "5", "100"]]),
        wh.file("roster.csv", [["dealer_id", "dealer_name", "area_type"], ["JX101", "A", "urban"]]),  # by header
    ]
    results = wh.load(*files)
    assert [(r.file, r.kind, r.rows_loaded, r.rows_rejected) for r in results] == [
        ("roster.csv", "dealers", 1, 0),
        ("sales.csv", "sales", 1, 0),
        ("repairs_2026-03.csv", "repairs", 1, 0),
        ("hq_export.csv", "callbacks", 1, 0),
        ("回访.csv", "callbacks", 1, 0),
        ("hotline.csv", "hotline", 1, 0),
        ("notices.csv", "notices", 1, 0),
    ]
    assert wh.query("SELECT file_name FROM load_log ORDER BY load_id") == [(r.file,) for r in results]
    assert wh.query("SELECT count(*) FROM rejects") == [(0,)]


# ---------------------------------------------------------------- same file twice

ALREADY = re.compile(
    r"same content as (.+?), load #(\d+) at \d{4}-\d{2}-\d{2} \d{2}:\d{2}"
    r"(?:; \d+ of its rows were rejected then .*)?$"
)


def test_same_content_twice_is_a_no_op_reported_as_already_loaded(roster):
    wh = roster
    first = wh.file("repairs_2026-03.csv", [REPAIR_HEADER, rep("R1"), rep("R2", status="bad")])
    [loaded] = wh.load(first)
    before = snapshot(wh)
    copy = wh.folder / "in" / "renamed copy.csv"
    copy.write_bytes(first.read_bytes())
    results = wh.load(first, copy)
    assert [(r.file, r.status, r.kind, r.rows_read, r.rows_loaded, r.rows_rejected) for r in results] == [
        ("repairs_2026-03.csv", "already_loaded", "repairs", 0, 0, 0),
        ("renamed copy.csv", "already_loaded", "repairs", 0, 0, 0),
    ]
    for result in results:
        assert ALREADY.match(result.message).groups() == ("repairs_2026-03.csv", str(loaded.load_id))
    after = snapshot(wh)
    assert {t: v for t, v in after.items() if t != "load_log"} == {t: v for t, v in before.items() if t != "load_log"}
    assert wh.query(
        "SELECT file_name, status, rows_read, rows_loaded, rows_rejected FROM load_log "
        "WHERE load_id > ? ORDER BY load_id",
        [loaded.load_id],
    ) == [("repairs_2026-03.csv", "already_loaded", 0, 0, 0), ("renamed copy.csv", "already_loaded", 0, 0, 0)]
    assert submissions(wh) == [("JX101", "2026-03", dt.date(2026, 4, 9), dt.date(2026, 4, 9), 1)]


def test_same_content_twice_in_one_call(roster):
    wh = roster
    first = wh.file(
        "sales_a.csv", [["dealer_id", "month", "units_sold", "sales_amount"], ["JX101", "2026-03", "5", "100"]]
    )
    second = wh.folder / "sales_b.csv"
    second.write_bytes(first.read_bytes())
    results = wh.load(first, second)
    assert [(r.file, r.status) for r in results] == [("sales_a.csv", "loaded"), ("sales_b.csv", "already_loaded")]
    assert ALREADY.match(results[1].message).group(1) == "sales_a.csv"


def test_a_different_file_with_a_loaded_files_name_is_new(roster):
    wh = roster
    header = ["dealer_id", "month", "units_sold", "sales_amount"]
    wh.load(wh.file("sales.csv", [header, ["JX101", "2026-03", "5", "100"], ["JX101", "2026-04", "6", "120"]]))
    results = wh.load(wh.file("sales.csv", [header, ["JX101", "2026-03", "7", "140"]]))
    assert outcome(results) == [("sales.csv", "loaded", "sales", 1, 1, 0, "")]
    assert wh.query("SELECT strftime(month, '%Y-%m'), units_sold, sales_amount FROM sales ORDER BY 1") == [
        ("2026-03", 7, Decimal("140.00")),
        ("2026-04", 6, Decimal("120.00")),
    ]


# ---------------------------------------------------------------- resubmission and first submission


def test_resubmission_replaces_only_its_dealer_months(roster):
    wh = roster
    wh.load(
        wh.file(
            "repairs_batch.csv",
            [
                REPAIR_HEADER,
                rep("R1"),
                rep("R2"),
                rep("R3"),
                rep("R4", month="2026-04", submitted="2026-05-10"),
                rep("R1", dealer="JX102"),
                rep("R5", dealer="JX102"),
            ],
        )
    )
    assert submissions(wh) == [
        ("JX101", "2026-03", dt.date(2026, 4, 9), dt.date(2026, 4, 9), 1),
        ("JX101", "2026-04", dt.date(2026, 5, 10), dt.date(2026, 5, 10), 1),
        ("JX102", "2026-03", dt.date(2026, 4, 9), dt.date(2026, 4, 9), 1),
    ]
    # JX101 resubmits March: R1 changed, R2 and R3 gone, R6 new; its April and JX102's March stay.
    results = wh.load(
        wh.file(
            "repairs_JX101_2026-03.csv",
            [
                REPAIR_HEADER,
                rep("R1", submitted="2026-04-20", status="open", fee="0"),
                rep("R6", submitted="2026-04-20"),
                rep("R7", submitted="2026-04-20", status="bad"),
            ],
        )
    )
    assert [(r.status, r.rows_read, r.rows_loaded, r.rows_rejected) for r in results] == [("loaded", 3, 2, 1)]
    assert repairs(wh) == [
        ("JX101", "2026-03", "R1", "open", Decimal("0.00")),
        ("JX101", "2026-03", "R6", "completed", Decimal("80.00")),
        ("JX101", "2026-04", "R4", "completed", Decimal("80.00")),
        ("JX102", "2026-03", "R1", "completed", Decimal("80.00")),
        ("JX102", "2026-03", "R5", "completed", Decimal("80.00")),
    ]
    assert submissions(wh) == [
        ("JX101", "2026-03", dt.date(2026, 4, 9), dt.date(2026, 4, 20), 2),
        ("JX101", "2026-04", dt.date(2026, 5, 10), dt.date(2026, 5, 10), 1),
        ("JX102", "2026-03", dt.date(2026, 4, 9), dt.date(2026, 4, 9), 1),
    ]
    untouched = wh.query(
        "SELECT dealer_id, record_no, load_id FROM repairs WHERE load_id = ? ORDER BY 1, 2", [results[0].load_id - 1]
    )
    assert untouched == [
        ("JX101", "R4", results[0].load_id - 1),
        ("JX102", "R1", results[0].load_id - 1),
        ("JX102", "R5", results[0].load_id - 1),
    ]


def test_first_submission_is_the_first_file_in_load_order_not_the_earliest_date(roster):
    wh = roster
    a = wh.file("repairs_a.csv", [REPAIR_HEADER, rep("R1", submitted="2026-04-12")])
    b = wh.file("repairs_b.csv", [REPAIR_HEADER, rep("R1", submitted="2026-04-08", fee="90")])
    wh.load(a, b)
    assert submissions(wh) == [("JX101", "2026-03", dt.date(2026, 4, 12), dt.date(2026, 4, 8), 2)]
    assert repairs(wh) == [("JX101", "2026-03", "R1", "completed", Decimal("90.00"))]
    c = wh.file("repairs_c.csv", [REPAIR_HEADER, rep("R1", submitted="2026-04-01", fee="95")])
    wh.load(c)
    assert submissions(wh) == [("JX101", "2026-03", dt.date(2026, 4, 12), dt.date(2026, 4, 1), 3)]
    assert repairs(wh) == [("JX101", "2026-03", "R1", "completed", Decimal("95.00"))]


def test_rejected_files_and_same_content_reloads_are_not_submissions(roster):
    wh = roster
    first = wh.file("repairs_2026-03.csv", [REPAIR_HEADER, rep("R1", submitted="2026-04-20")])
    rejected_whole = wh.file("repairs_2026-03_early.csv", [REPAIR_HEADER[:-3], rep("R1", submitted="2026-04-02")[:-3]])
    only_bad_rows = wh.file("repairs_2026-03_bad.csv", [REPAIR_HEADER, rep("R1", submitted="2026-04-03", status="??")])
    results = wh.load(rejected_whole, only_bad_rows, first)
    assert [(r.file, r.status, r.rows_loaded) for r in results] == [
        ("repairs_2026-03_early.csv", "rejected", 0),
        ("repairs_2026-03_bad.csv", "loaded", 0),
        ("repairs_2026-03.csv", "loaded", 1),
    ]
    wh.load(first)
    assert submissions(wh) == [("JX101", "2026-03", dt.date(2026, 4, 20), dt.date(2026, 4, 20), 1)]


def test_a_dealer_month_with_some_good_rows_replaces_the_whole_dealer_month(roster):
    wh = roster
    wh.load(wh.file("repairs_2026-03.csv", [REPAIR_HEADER, rep("R1"), rep("R2"), rep("R3", dealer="JX102")]))
    wh.load(
        wh.file(
            "repairs_2026-03_v2.csv",
            [
                REPAIR_HEADER,
                rep("R1", submitted="2026-04-15"),
                rep("R2", submitted="2026-04-15", status="??"),
                rep("R3", dealer="JX102", status="??"),
            ],
        )
    )
    assert repairs(wh) == [
        ("JX101", "2026-03", "R1", "completed", Decimal("80.00")),
        ("JX102", "2026-03", "R3", "completed", Decimal("80.00")),
    ]
    assert submissions(wh) == [
        ("JX101", "2026-03", dt.date(2026, 4, 9), dt.date(2026, 4, 15), 2),
        ("JX102", "2026-03", dt.date(2026, 4, 9), dt.date(2026, 4, 9), 1),
    ]


# ---------------------------------------------------------------- submitted_on: column, option, load date


def test_submitted_on_option_applies_only_to_files_without_the_column(roster):
    wh = roster
    without = wh.file("repairs_2026-03.csv", [REPAIR_HEADER[:3] + REPAIR_HEADER[4:], rep("R1")[:3] + rep("R1")[4:]])
    with_column = wh.file(
        "repairs_2026-04.csv",
        [
            REPAIR_HEADER,
            rep("R2", month="2026-04", submitted="2026-05-06"),
            rep("R3", month="2026-04", submitted=""),
            rep("R4", dealer="JX102", month="2026-04", submitted=""),
        ],
    )
    results = wh.load(without, with_column, submitted_on=dt.date(2026, 4, 12))
    assert [(r.file, r.status, r.rows_loaded, r.warnings) for r in results] == [
        (
            "repairs_2026-03.csv",
            "loaded",
            1,
            ["no submitted_on column: used --submitted-on 2026-04-12 as the submission date"],
        ),
        ("repairs_2026-04.csv", "loaded", 3, ["2 rows have no submitted_on: used the load date 2026-11-23 for them"]),
    ]
    assert wh.query("SELECT record_no, submitted_on FROM repairs ORDER BY 1") == [
        ("R1", dt.date(2026, 4, 12)),
        ("R2", dt.date(2026, 5, 6)),
        ("R3", TODAY),
        ("R4", TODAY),
    ]
    assert submissions(wh) == [
        ("JX101", "2026-03", dt.date(2026, 4, 12), dt.date(2026, 4, 12), 1),
        ("JX101", "2026-04", dt.date(2026, 5, 6), dt.date(2026, 5, 6), 1),
        ("JX102", "2026-04", TODAY, TODAY, 1),
    ]
    assert wh.query("SELECT file_name, warnings FROM load_log WHERE kind = 'repairs' ORDER BY load_id") == [
        ("repairs_2026-03.csv", "no submitted_on column: used --submitted-on 2026-04-12 as the submission date"),
        ("repairs_2026-04.csv", "2 rows have no submitted_on: used the load date 2026-11-23 for them"),
    ]


def test_no_column_and_no_option_uses_the_load_date_with_a_warning(roster):
    wh = roster
    path = wh.file("repairs_2026-03.csv", [REPAIR_HEADER[:3] + REPAIR_HEADER[4:], rep("R1")[:3] + rep("R1")[4:]])
    [result] = wh.load(path, today=dt.date(2026, 4, 16))
    assert result.warnings == [
        "no submitted_on column and no --submitted-on: used the load date 2026-04-16 as the submission date"
    ]
    assert submissions(wh) == [("JX101", "2026-03", dt.date(2026, 4, 16), dt.date(2026, 4, 16), 1)]


# ---------------------------------------------------------------- other kinds upsert by key


def test_other_kinds_upsert_by_key_the_later_load_wins(roster):
    wh = roster
    wh.load(wh.file("repairs_2026-03.csv", [REPAIR_HEADER, rep("R1"), rep("R2")]))
    first = [
        wh.file(
            "dealers_2.csv",
            [
                ["dealer_id", "dealer_name", "area_type", "technicians"],
                ["JX101", "旧名", "urban", "2"],
                ["JX103", "新店", "county", "1"],
            ],
        ),
        wh.file(
            "sales_1.csv",
            [
                ["dealer_id", "month", "units_sold", "sales_amount"],
                ["JX101", "2026-03", "10", "1000"],
                ["JX101", "2026-04", "11", "1100"],
            ],
        ),
        wh.file(
            "callbacks_1.csv",
            [
                ["callback_id", "record_no", "dealer_id", "called_at", "reached", "satisfaction"],
                ["HF1", "R1", "JX101", "2026-04-01 10:00", "Y", "5"],
                ["HF2", "R2", "JX101", "2026-04-01 11:00", "Y", "4"],
            ],
        ),
        wh.file(
            "hotline_1.csv",
            [
                ["ticket_id", "received_at", "dealer_id", "ticket_type", "verified"],
                ["T1", "2026-03-01 08:00", "JX101", "投诉", "N"],
                ["T2", "2026-03-02 08:00", "JX101", "咨询", ""],
            ],
        ),
        wh.file(
            "notices_1.csv",
            [
                ["notice_id", "dealer_id", "notice_date", "source"],
                ["N1", "JX101", "2026-05-01", "报纸"],
                ["N2", "JX102", "2026-05-02", "电视"],
            ],
        ),
    ]
    wh.load(*first)
    second = [
        wh.file(
            "dealers_3.csv",
            [["dealer_id", "dealer_name", "area_type", "technicians"], ["JX101", "新名", "county", "5"]],
        ),
        wh.file(
            "sales_2.csv", [["dealer_id", "month", "units_sold", "sales_amount"], ["JX101", "2026-03", "12", "1200"]]
        ),
        wh.file(
            "callbacks_2.csv",
            [
                ["callback_id", "record_no", "dealer_id", "called_at", "reached", "satisfaction"],
                ["HF1", "R1", "JX101", "2026-04-03 10:00", "Y", "1"],
            ],
        ),
        wh.file(
            "hotline_2.csv",
            [
                ["ticket_id", "received_at", "dealer_id", "ticket_type", "verified"],
                ["T1", "2026-03-01 08:00", "JX101", "投诉", "Y"],
            ],
        ),
        wh.file(
            "notices_2.csv",
            [["notice_id", "dealer_id", "notice_date", "source"], ["N2", "JX102", "2026-05-03", "网络"]],
        ),
    ]
    wh.load(*second)
    assert wh.query("SELECT dealer_id, dealer_name, area_type, technicians FROM dealers ORDER BY 1") == [
        ("JX101", "新名", "county", 5),
        ("JX102", "宁波江北家电", "urban", 2),
        ("JX103", "新店", "county", 1),
    ]
    assert wh.query("SELECT strftime(month, '%Y-%m'), units_sold, sales_amount FROM sales ORDER BY 1") == [
        ("2026-03", 12, Decimal("1200.00")),
        ("2026-04", 11, Decimal("1100.00")),
    ]
    assert wh.query("SELECT callback_id, called_at, satisfaction FROM callbacks ORDER BY 1") == [
        ("HF1", dt.datetime(2026, 4, 3, 10, 0), 1),
        ("HF2", dt.datetime(2026, 4, 1, 11, 0), 4),
    ]
    assert wh.query("SELECT ticket_id, ticket_type, verified FROM hotline ORDER BY 1") == [
        ("T1", "complaint", True),
        ("T2", "inquiry", None),
    ]
    assert wh.query("SELECT notice_id, notice_date, source FROM notices ORDER BY 1") == [
        ("N1", dt.date(2026, 5, 1), "报纸"),
        ("N2", dt.date(2026, 5, 3), "网络"),
    ]
    assert wh.query("SELECT count(*) FROM rejects") == [(0,)]


# ---------------------------------------------------------------- load log and archive


def test_every_load_is_logged_and_the_original_archived_byte_for_byte(roster):
    wh = roster
    good = wh.file("repairs_2026-03.csv", [REPAIR_HEADER, rep("R1"), rep("R2", status="bad")])
    gbk = wh.file(
        "维修_2026-04.csv",
        [["维修单号", "经销商编号", "服务类型", "报修时间", "状态"], ["W1", "JX101", "维修", "2026-04-02", "未完成"]],
        "gbk",
    )
    bad = wh.file("sales.csv", [["dealer_id", "month"], ["JX101", "2026-03"]])
    copy = wh.folder / "again.csv"
    copy.write_bytes(good.read_bytes())
    started = dt.datetime.now().replace(microsecond=0)
    results = wh.load(good, gbk, bad, copy, submitted_on=dt.date(2026, 5, 2))
    rows = wh.query(
        "SELECT load_id, file_name, archived_as, sha256, kind, status, rows_read, rows_loaded, "
        "rows_rejected, message, warnings, started_at, finished_at FROM load_log WHERE load_id > 1 "
        "ORDER BY load_id"
    )
    sources = {"repairs_2026-03.csv": good, "维修_2026-04.csv": gbk, "sales.csv": bad, "again.csv": copy}
    expected = {
        "sales.csv": (
            "sales",
            "rejected",
            0,
            0,
            0,
            "missing required columns units_sold (销量), sales_amount (结算金额); headers found: dealer_id, month",
            "",
        ),
        "repairs_2026-03.csv": ("repairs", "loaded", 2, 1, 1, "", ""),
        "维修_2026-04.csv": (
            "repairs",
            "loaded",
            1,
            1,
            0,
            "",
            "no submitted_on column: used --submitted-on 2026-05-02 as the submission date",
        ),
        "again.csv": ("repairs", "already_loaded", 0, 0, 0, None, ""),
    }
    assert [r[1] for r in rows] == ["sales.csv", "repairs_2026-03.csv", "维修_2026-04.csv", "again.csv"]
    assert [r.load_id for r in results] == [r[0] for r in rows]
    for _load_id, name, archived_as, sha, *logged, started_at, finished_at in rows:
        content = sources[name].read_bytes()
        assert sha == hashlib.sha256(content).hexdigest()
        assert archived_as == str(wh.folder / "archive" / sha[:16] / name)
        assert Path(archived_as).read_bytes() == content
        kind, status, read, loaded, rejected, message, warnings = expected[name]
        assert logged[:5] == [kind, status, read, loaded, rejected]
        assert logged[6] == warnings
        if message is None:
            assert ALREADY.match(logged[5]).group(1) == "repairs_2026-03.csv"
        else:
            assert logged[5] == message
        assert started <= started_at <= finished_at


def test_an_archived_file_loads_again_into_another_database(roster, tmp_path):
    wh = roster
    path = wh.file(
        "dealers_2.csv", [["dealer_id", "dealer_name", "area_type"], ["JX105", "杭州五店", "urban"]], "gb18030"
    )
    [result] = wh.load(path)
    [(archived,)] = wh.query("SELECT archived_as FROM load_log WHERE load_id = ?", [result.load_id])
    other = tmp_path / "other" / "warehouse.duckdb"
    [again] = load_paths([Path(archived)], other, wh.rules, today=TODAY)
    assert (again.status, again.kind, again.rows_loaded) == ("loaded", "dealers", 1)


def test_a_load_interrupted_while_archiving_leaves_no_partial_archive_and_no_change(roster, monkeypatch):
    wh = roster
    path = wh.file("repairs_2026-03.csv", [REPAIR_HEADER, rep("R1")])
    before = snapshot(wh)

    def killed(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(etl.load.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        wh.load(path)
    monkeypatch.undo()
    assert snapshot(wh) == before
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    target = wh.folder / "archive" / sha[:16] / path.name
    assert not target.exists()
    [result] = wh.load(path)
    assert result.status == "loaded"
    assert target.read_bytes() == path.read_bytes()
    assert sorted(p.name for p in target.parent.iterdir() if not p.name.startswith(".")) == [path.name]


def test_a_failure_mid_file_rolls_the_whole_file_back(roster, monkeypatch):
    """The replacement of a dealer-month has run when the failure comes: all of it is undone."""
    wh = roster
    wh.load(wh.file("repairs_2026-03.csv", [REPAIR_HEADER, rep("R1"), rep("R2")]))
    before = snapshot(wh)
    original = etl.load._apply_repairs

    def apply_then_fail(con, load_id):
        original(con, load_id)
        assert con.execute("SELECT count(*) FROM repairs WHERE record_no = 'R9'").fetchone() == (1,)
        raise RuntimeError("disk full")

    monkeypatch.setattr(etl.load, "_apply_repairs", apply_then_fail)
    [result] = wh.load(wh.file("repairs_2026-03_v2.csv", [REPAIR_HEADER, rep("R9"), rep("R8", status="bad")]))
    assert (result.status, result.message) == (
        "rejected",
        "could not be loaded, nothing of it was stored: something unexpected went wrong while storing "
        "its rows in the database (the load log's details keep the technical message)",
    )
    assert result.details["failure"] == {
        "while": "storing its rows in the database",
        "error": "RuntimeError",
        "detail": "disk full",
    }
    after = snapshot(wh)
    assert {t: v for t, v in after.items() if t != "load_log"} == {t: v for t, v in before.items() if t != "load_log"}
    assert after["load_log"][:-1] == before["load_log"]
    assert wh.query("SELECT file_name, status, rows_loaded FROM load_log ORDER BY load_id DESC LIMIT 1") == [
        ("repairs_2026-03_v2.csv", "rejected", 0)
    ]
    monkeypatch.undo()
    [retry] = wh.load(wh.folder / "in" / "repairs_2026-03_v2.csv")
    assert (retry.status, retry.rows_loaded, retry.rows_rejected) == ("loaded", 1, 1)
    assert repairs(wh) == [("JX101", "2026-03", "R9", "completed", Decimal("80.00"))]
    assert os.path.exists(wh.folder / "archive")
