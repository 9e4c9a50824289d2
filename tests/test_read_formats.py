"""Reading files (spec 2 and 6): encodings, Excel cells, headers, title rows, totals rows,
blank lines, row numbers and the kind of a file. Every file is written by the test."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from etl.read import open_file, read_cells

pytestmark = pytest.mark.usefixtures("prebuilt_warehouse")

CN_REPAIRS = [
    "维修单号",
    "经销商编号",
    "提交日期",
    "用户姓名",
    "服务类型",
    "报修时间",
    "上门时间",
    "状态",
    "保修期内",
    "人工费",
]
UNKNOWN_KIND = (
    "cannot tell what kind of file this is: its name does not start with one of dealers, 经销商, "
    "sales, 销量, repairs, 维修, callbacks, 回访, hotline, 热线, notices, 通报, and none of its "
    "first 50 rows is a header row of a known kind"
)


def outcome(results):
    return [(r.file, r.status, r.kind, r.rows_read, r.rows_loaded, r.rows_rejected, r.message) for r in results]


def rejects(wh):
    return wh.query("SELECT file_name, row_no, reason FROM rejects ORDER BY load_id, row_no")


def repairs(wh, columns="record_no, dealer_id, row_no"):
    return wh.query(f"SELECT {columns} FROM repairs ORDER BY dealer_id, record_no")


# ---------------------------------------------------------------- encodings


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_every_encoding_with_title_and_totals(wh, encoding):
    wh.dealers(["JX101", "杭州西湖家电服务部"])
    second_name = "刘䶮" if encoding == "gb18030" else "李秀英"  # 䶮 is in GB18030, not in GBK
    path = wh.file(
        "维修_JX101_202603.csv",
        [
            ["杭州西湖家电服务部 2026年3月 维修质量信息反馈单"],
            CN_REPAIRS,
            ["WX001", "JX101", "2026/4/9", "王建国", "维修", "2026/3/2 9:15", "2026/3/2 15:40", "已完成", "是", "80"],
            ["WX002", "JX101", "2026/4/9", second_name, "安装", "2026/3/4 10:00", "", "未完成", "否", "0"],
            ["合计", "", "", "", "", "", "", "", "", "80"],
        ],
        encoding,
    )
    content = path.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    if encoding in ("gbk", "gb18030"):
        with pytest.raises(UnicodeDecodeError):
            content.decode("utf-8")
    expected_encoding = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gbk": "gb18030", "gb18030": "gb18030"}
    assert read_cells(open_file(path)).encoding == expected_encoding[encoding]

    assert outcome(wh.load(path)) == [("维修_JX101_202603.csv", "loaded", "repairs", 2, 2, 0, "")]
    assert repairs(
        wh,
        "record_no, dealer_id, report_month, submitted_on, customer_name, service_type, "
        "requested_at, arrived_at, status, in_warranty, labor_fee, row_no",
    ) == [
        (
            "WX001",
            "JX101",
            dt.date(2026, 3, 1),
            dt.date(2026, 4, 9),
            "王建国",
            "repair",
            dt.datetime(2026, 3, 2, 9, 15),
            dt.datetime(2026, 3, 2, 15, 40),
            "completed",
            True,
            Decimal("80.00"),
            3,
        ),
        (
            "WX002",
            "JX101",
            dt.date(2026, 3, 1),
            dt.date(2026, 4, 9),
            second_name,
            "install",
            dt.datetime(2026, 3, 4, 10, 0),
            None,
            "open",
            False,
            Decimal("0.00"),
            4,
        ),
    ]
    assert rejects(wh) == []


def test_gbk_reject_keeps_chinese_raw_values(wh):
    wh.dealers(["JX101", "杭州西湖家电服务部"])
    path = wh.file(
        "维修_202603.csv",
        [
            CN_REPAIRS,
            ["WX009", "JX101", "2026/4/9", "张三", "换机", "2026/3/2 9:15", "", "已完成", "是", "80"],
        ],
        "gbk",
    )
    wh.load(path)
    [(row_no, reason, raw)] = wh.query("SELECT row_no, reason, raw_values FROM rejects")
    assert (row_no, reason) == (2, 'service_type "换机" is not one of install, repair, maintenance (安装, 维修, 保养)')
    assert json.loads(raw) == {
        "维修单号": "WX009",
        "经销商编号": "JX101",
        "提交日期": "2026/4/9",
        "用户姓名": "张三",
        "服务类型": "换机",
        "报修时间": "2026/3/2 9:15",
        "上门时间": "",
        "状态": "已完成",
        "保修期内": "是",
        "人工费": "80",
    }


# ---------------------------------------------------------------- Excel

XLSX_HEADER = [
    "record_no",
    "dealer_id",
    "report_month",
    "submitted_on",
    "customer_phone",
    "service_type",
    "requested_at",
    "arrived_at",
    "completed_at",
    "status",
    "in_warranty",
    "labor_fee",
    "dealer_callback",
]


def test_xlsx_real_cells_title_block_blank_row_and_totals(wh):
    wh.dealers(["JX101", "a"], ["JX102", "b"])
    path = wh.file(
        "repairs_export.xlsx",
        [
            ["杭州西湖家电服务部 维修记录"],  # row 1
            ["制表: 张三", None, dt.date(2026, 4, 9)],  # row 2
            [None],  # row 3
            XLSX_HEADER,  # row 4
            [
                1001,
                "JX101",
                202603,
                dt.date(2026, 4, 9),
                13805712345,
                "repair",  # row 5
                dt.datetime(2026, 3, 5, 9, 15),
                46086.5,
                46086.75,
                "completed",
                True,
                80,
                False,
            ],
            [
                "R2",
                "JX101",
                dt.date(2026, 3, 1),
                46121,
                13957100001,
                "维修",  # row 6
                "2026/3/6 8:00",
                None,
                None,
                "open",
                False,
                12.5,
                1,
            ],
            [None],  # row 7
            [
                "R3",
                "JX102",
                "2026年3月",
                "2026-04-10",
                "138 0000 0000",
                "install",  # row 8
                46087.25,
                dt.datetime(2026, 3, 6, 7, 0),
                None,
                "completed",
                "是",
                0,
                0,
            ],
            [
                "R4",
                "JX102",
                202603,
                dt.date(2026, 4, 10),
                13900000000,
                "repair",  # row 9
                46087.25,
                None,
                None,
                True,
                "否",
                45735.5,
                "Y",
            ],
            ["合计", None, None, None, None, None, None, None, None, None, None, 92.5],  # row 10
        ],
    )
    assert outcome(wh.load(path)) == [("repairs_export.xlsx", "loaded", "repairs", 4, 3, 1, "")]
    assert repairs(
        wh,
        "record_no, dealer_id, report_month, submitted_on, customer_phone, service_type, "
        "requested_at, arrived_at, completed_at, status, in_warranty, labor_fee, "
        "dealer_callback, row_no",
    ) == [
        (
            "1001",
            "JX101",
            dt.date(2026, 3, 1),
            dt.date(2026, 4, 9),
            "13805712345",
            "repair",
            dt.datetime(2026, 3, 5, 9, 15),
            dt.datetime(2026, 3, 5, 12, 0),
            dt.datetime(2026, 3, 5, 18, 0),
            "completed",
            True,
            Decimal("80.00"),
            False,
            5,
        ),
        (
            "R2",
            "JX101",
            dt.date(2026, 3, 1),
            dt.date(2026, 4, 9),
            "13957100001",
            "repair",
            dt.datetime(2026, 3, 6, 8, 0),
            None,
            None,
            "open",
            False,
            Decimal("12.50"),
            True,
            6,
        ),
        (
            "R3",
            "JX102",
            dt.date(2026, 3, 1),
            dt.date(2026, 4, 10),
            "138 0000 0000",
            "install",
            dt.datetime(2026, 3, 6, 6, 0),
            dt.datetime(2026, 3, 6, 7, 0),
            None,
            "completed",
            True,
            Decimal("0.00"),
            False,
            8,
        ),
    ]
    row = wh.query("SELECT file_name, row_no, reason, raw_values FROM rejects")
    assert [r[:3] for r in row] == [
        (
            "repairs_export.xlsx",
            9,
            'status "true" is not one of completed, returned_to_factory, open (已完成, 返厂, 未完成)',
        )
    ]
    assert json.loads(row[0][3]) == {
        "record_no": "R4",
        "dealer_id": "JX102",
        "report_month": "202603",
        "submitted_on": "2026-04-10",
        "customer_phone": "13900000000",
        "service_type": "repair",
        "requested_at": "46087.25",
        "arrived_at": "",
        "completed_at": "",
        "status": "true",
        "in_warranty": "否",
        "labor_fee": "45735.5",
        "dealer_callback": "Y",
    }


def test_xlsx_callbacks_with_chinese_headers_and_number_cells(wh):
    wh.dealers(["JX101", "a"])
    wh.load(
        wh.file(
            "repairs_2026-03.xlsx",
            [
                ["record_no", "dealer_id", "service_type", "requested_at", "status"],
                [2503001, "JX101", "repair", dt.datetime(2026, 3, 2, 9, 0), "completed"],
            ],
        )
    )
    path = wh.file(
        "回访_2026-04.xlsx",
        [
            ["总部回访记录 2026年4月"],
            ["回访编号", "维修单号", "经销商编号", "回访时间", "是否接通", "服务属实", "问题已解决", "满意度", "投诉"],
            [1, 2503001, "JX101", dt.datetime(2026, 4, 12, 10, 5), True, 1, "是", 5, False],
            [2, 2503001, "JX101", 46124.5, 0, None, None, None, None],
            [3, 2503001, "JX101", "2026/4/13 15:00", "Y", "N", 0, "不满意", 1],
        ],
    )
    assert outcome(wh.load(path)) == [("回访_2026-04.xlsx", "loaded", "callbacks", 3, 3, 0, "")]
    assert wh.query(
        "SELECT callback_id, record_no, called_at, reached, service_confirmed, resolved, "
        "satisfaction, complaint, row_no FROM callbacks ORDER BY callback_id"
    ) == [
        ("1", "2503001", dt.datetime(2026, 4, 12, 10, 5), True, True, True, 5, False, 3),
        ("2", "2503001", dt.datetime(2026, 4, 12, 12, 0), False, None, None, None, None, 4),
        ("3", "2503001", dt.datetime(2026, 4, 13, 15, 0), True, False, False, 2, True, 5),
    ]


def test_xlsx_every_visible_sheet_of_the_kind_is_read_hidden_ones_never(wh):
    import openpyxl

    wh.dealers(["JX101", "a"])
    workbook = openpyxl.Workbook()
    workbook.active.append(["record_no", "dealer_id", "service_type", "requested_at", "status"])
    workbook.active.append(["S1", "JX101", "repair", "2026-03-02", "open"])
    second = workbook.create_sheet("more")
    second.append(["record_no", "dealer_id", "service_type", "requested_at", "status"])
    second.append(["S2", "JX101", "repair", "2026-03-02", "open"])
    hidden = workbook.create_sheet("old")
    hidden.append(["record_no", "dealer_id", "service_type", "requested_at", "status"])
    hidden.append(["S3", "JX101", "repair", "2026-03-02", "open"])
    hidden.sheet_state = "hidden"
    path = wh.folder / "repairs_2026-03.xlsx"
    workbook.save(path)
    assert outcome(wh.load(path)) == [("repairs_2026-03.xlsx", "loaded", "repairs", 2, 2, 0, "")]
    assert repairs(wh) == [("S1", "JX101", 2), ("S2", "JX101", 2)]


def test_xlsx_sheet_starting_below_and_right_of_a1_keeps_excel_row_numbers(wh):
    import openpyxl

    wh.dealers(["JX101", "a"])
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for column, value in zip("BCDEF", ["record_no", "dealer_id", "service_type", "requested_at", "status"]):
        sheet[f"{column}3"] = value
    for column, value in zip("BCDEF", ["F1", "JX101", "repair", "2026-03-05", "done"]):
        sheet[f"{column}4"] = value
    for column, value in zip("BCDEF", ["F2", "JX101", "repair", "2026-03-05", "open"]):
        sheet[f"{column}6"] = value
    path = wh.folder / "repairs_2026-03.xlsx"
    workbook.save(path)
    assert outcome(wh.load(path)) == [("repairs_2026-03.xlsx", "loaded", "repairs", 2, 1, 1, "")]
    assert repairs(wh) == [("F2", "JX101", 6)]
    assert rejects(wh) == [
        (
            "repairs_2026-03.xlsx",
            4,
            'status "done" is not one of completed, returned_to_factory, open (已完成, 返厂, 未完成)',
        )
    ]


# ---------------------------------------------------------------- headers

HEADER_VARIANTS = {
    "english, any case and order": [
        "STATUS",
        "Requested_At",
        "dealer_id",
        "Record_No",
        "Service_Type",
        "REPORT_MONTH",
        "备注",
        "Remark",
    ],
    "chinese": ["状态", "报修时间", "经销商编号", "维修单号", "服务类型", "报表月份", "备注", "Remark"],
    "mixed, with blanks and full-width blanks": [
        "　状态　",
        " requested_at",
        " 经销商编号 ",
        "RECORD_NO",
        "服务类型",
        "Report_Month ",
        "备注",
        "Remark",
    ],
}


@pytest.mark.parametrize("header", HEADER_VARIANTS.values(), ids=HEADER_VARIANTS.keys())
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_headers_english_any_case_chinese_or_mixed_and_extra_columns_kept(wh, header, suffix):
    wh.dealers(["JX101", "a"])
    path = wh.file(
        "repairs_x" + suffix,
        [
            header,
            ["open", "2026-03-05 09:00", "JX101", "R1", "repair", "2026-03", "上门两次", "call first"],
            ["已完成", "2026-03-06 10:00", "JX101", "R2", "安装", "2026-03", "", ""],
        ],
    )
    assert outcome(wh.load(path, submitted_on=dt.date(2026, 4, 9))) == [
        ("repairs_x" + suffix, "loaded", "repairs", 2, 2, 0, "")
    ]
    rows = repairs(wh, "record_no, dealer_id, report_month, service_type, requested_at, status, extra_columns, row_no")
    assert [r[:6] + (json.loads(r[6]), r[7]) for r in rows] == [
        (
            "R1",
            "JX101",
            dt.date(2026, 3, 1),
            "repair",
            dt.datetime(2026, 3, 5, 9, 0),
            "open",
            {"备注": "上门两次", "Remark": "call first"},
            2,
        ),
        (
            "R2",
            "JX101",
            dt.date(2026, 3, 1),
            "install",
            dt.datetime(2026, 3, 6, 10, 0),
            "completed",
            {"备注": None, "Remark": None},
            3,
        ),
    ]


def test_no_extra_columns_is_null(wh):
    wh.dealers(["JX101", "a"])
    wh.load(
        wh.file(
            "repairs_2026-03.csv",
            [
                ["record_no", "dealer_id", "service_type", "requested_at", "status"],
                ["R1", "JX101", "repair", "2026-03-05", "open"],
            ],
        )
    )
    assert wh.query("SELECT extra_columns FROM repairs") == [(None,)]


# ---------------------------------------------------------------- title rows, totals, blank lines


def test_title_block_that_names_columns_is_not_taken_for_the_header(wh):
    """A 维修质量信息反馈单 often starts with 经销商编号 | JX101 | 报表月份 | 2026年3月."""
    wh.dealers(["JX101", "a"])
    rows = [
        ["维修质量信息反馈单"],  # line 1
        ["经销商编号", "JX101", "报表月份", "2026年3月"],  # line 2
        ["制表日期", "2026-04-09"],  # line 3
        [],  # line 4
        ["维修单号", "经销商编号", "报表月份", "服务类型", "报修时间", "状态"],  # line 5
        ["T1", "JX101", "2026年3月", "维修", "2026-03-05 09:00", "已完成"],  # line 6
        ["T2", "JX101", "2026年3月", "维修", "2026-03-05 09:00", "坏了"],  # line 7
    ]
    named = wh.file("维修_JX101.csv", rows)
    april = [[("T3" if v == "T1" else "2026年4月" if v == "2026年3月" else v) for v in r] for r in rows]
    unnamed = wh.file("JX101_april_report.csv", april)
    assert outcome(wh.load(named, unnamed)) == [
        ("维修_JX101.csv", "loaded", "repairs", 2, 1, 1, ""),
        ("JX101_april_report.csv", "loaded", "repairs", 2, 1, 1, ""),
    ]
    assert repairs(wh, "record_no, report_month, row_no") == [
        ("T1", dt.date(2026, 3, 1), 6),
        ("T3", dt.date(2026, 4, 1), 6),
    ]
    reason = 'status "坏了" is not one of completed, returned_to_factory, open (已完成, 返厂, 未完成)'
    assert rejects(wh) == [("维修_JX101.csv", 7, reason), ("JX101_april_report.csv", 7, reason)]


@pytest.mark.parametrize("label", ["合计", "总计", "Total", "TOTAL", "total:", "合计（2条）"])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_totals_row_is_ignored_not_rejected_not_counted(wh, label, suffix):
    wh.dealers(["JX101", "a"])
    path = wh.file(
        "sales_2026" + suffix,
        [
            ["销量统计 2026年"],
            ["dealer_id", "month", "units_sold", "sales_amount"],
            ["JX101", "2026-01", "100", "150000"],
            ["JX101", "2026-02", "120", "180000.50"],
            [label, "", "220", "330000.50"],
        ],
    )
    assert outcome(wh.load(path)) == [("sales_2026" + suffix, "loaded", "sales", 2, 2, 0, "")]
    assert wh.query("SELECT dealer_id, month, units_sold, sales_amount, row_no FROM sales ORDER BY month") == [
        ("JX101", dt.date(2026, 1, 1), 100, Decimal("150000.00"), 3),
        ("JX101", dt.date(2026, 2, 1), 120, Decimal("180000.50"), 4),
    ]
    assert rejects(wh) == []


HEADER = "record_no,dealer_id,service_type,requested_at,status"


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_blank_lines_are_skipped_and_row_numbers_count_every_line(wh, newline):
    wh.dealers(["JX101", "a"])
    lines = [
        "维修记录",
        "",
        HEADER,
        "B1,JX101,repair,2026-03-05,open",
        "",
        ",,,,",
        "B2,JX101,repair,2026-03-05,bad",
        "",
        "",
        "B3,JX101,repair,2026-03-05,open",
        "合计,,,,",
        "",
    ]
    path = wh.folder / "repairs_2026-03.csv"
    path.write_bytes(newline.join(lines).encode("utf-8"))
    assert outcome(wh.load(path)) == [("repairs_2026-03.csv", "loaded", "repairs", 3, 2, 1, "")]
    assert repairs(wh) == [("B1", "JX101", 4), ("B3", "JX101", 10)]
    assert rejects(wh) == [
        (
            "repairs_2026-03.csv",
            7,
            'status "bad" is not one of completed, returned_to_factory, open (已完成, 返厂, 未完成)',
        )
    ]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_ragged_rows_whitespace_lines_and_more_values_than_headers(wh, newline):
    wh.dealers(["JX101", "a"])
    lines = [
        "title",
        "",
        HEADER,
        "G1,JX101,repair,2026-03-05,open",
        "   ",
        "",
        "G2,JX101,repair",
        "G3,JX101,repair,2026-03-05,open,surplus,,more",
        "G4,JX101,repair,2026-03-05,open,,",
        "Total,,,,",
    ]
    path = wh.folder / "repairs_2026-03.csv"
    path.write_bytes(newline.join(lines).encode("utf-8"))
    assert outcome(wh.load(path)) == [("repairs_2026-03.csv", "loaded", "repairs", 4, 2, 2, "")]
    assert repairs(wh) == [("G1", "JX101", 4), ("G4", "JX101", 9)]
    assert rejects(wh) == [
        ("repairs_2026-03.csv", 7, "requested_at is empty; status is empty"),
        ("repairs_2026-03.csv", 8, "the row has more values than the header has columns: surplus\tmore"),
    ]


def test_value_spanning_lines_numbers_the_row_by_its_first_line(wh):
    wh.dealers(["JX101", "a"])
    text = (
        "record_no,dealer_id,service_type,requested_at,status,fault_category\n"
        'M1,JX101,repair,2026-03-05,open,"不制冷\n外机异响"\n'
        "\n"
        "M2,JX101,repair,2026-03-05,bad,\n"
        'M3,JX101,repair,2026-03-05,open,"a\n\nb"\n'
        "M4,JX101,repair,2026-03-05,none,\n"
    )
    path = wh.folder / "repairs_2026-03.csv"
    path.write_bytes(text.encode("utf-8"))
    assert outcome(wh.load(path)) == [("repairs_2026-03.csv", "loaded", "repairs", 4, 2, 2, "")]
    assert repairs(wh, "record_no, fault_category, row_no") == [("M1", "不制冷\n外机异响", 2), ("M3", "a\n\nb", 6)]
    assert [r[1] for r in rejects(wh)] == [5, 9]


def test_gbk_file_whose_first_hundred_thousand_lines_are_ascii_is_still_read_as_gbk(wh):
    """The UTF-8 check covers the whole file, not its head: GBK text far down is not garbled."""
    wh.dealers(["JX101", "a"])
    header = "record_no,dealer_id,service_type,requested_at,status,technician\n"
    ascii_rows = "".join(f"A{i},JX101,repair,2026-03-05,open,Li\n" for i in range(100_000))
    path = wh.folder / "repairs_2026-03.csv"
    path.write_bytes((header + ascii_rows + "Z1,JX101,维修,2026-03-05,已完成,赵师傅\n").encode("gbk"))
    assert outcome(wh.load(path)) == [("repairs_2026-03.csv", "loaded", "repairs", 100_001, 100_001, 0, "")]
    assert wh.query("SELECT service_type, status, technician FROM repairs WHERE record_no = 'Z1'") == [
        ("repair", "completed", "赵师傅")
    ]


# ---------------------------------------------------------------- kind of a file


def _one_row_files(kind):
    """A header and one good row of each kind (dealer JX101, repair R1 of JX101 exist)."""
    return {
        "dealers": (["dealer_id", "dealer_name", "area_type"], ["JX201", "新店", "county"]),
        "sales": (["经销商编号", "月份", "销量", "结算金额"], ["JX101", "2026-03", "10", "5000"]),
        "repairs": (
            ["record_no", "dealer_id", "report_month", "service_type", "requested_at", "status"],
            ["R2", "JX101", "2026-03", "repair", "2026-03-05", "open"],
        ),
        "callbacks": (
            ["回访编号", "维修单号", "经销商编号", "回访时间", "是否接通"],
            ["HF1", "R1", "JX101", "2026-04-01 10:00", "是"],
        ),
        "hotline": (
            ["ticket_id", "received_at", "dealer_id", "ticket_type"],
            ["T1", "2026-03-04 08:00", "JX101", "报修"],
        ),
        "notices": (
            ["编号", "经销商编号", "日期", "来源", "内容"],
            ["N1", "JX101", "2026-05-01", "市场监管局", "通报"],
        ),
    }[kind]


def _prepare(wh):
    wh.dealers(["JX101", "a"])
    wh.load(
        wh.file(
            "repairs_2026-02.csv",
            [
                ["record_no", "dealer_id", "service_type", "requested_at", "status"],
                ["R1", "JX101", "repair", "2026-02-05", "completed"],
            ],
        )
    )


KIND_TABLE_KEY = {
    "dealers": "dealer_id",
    "sales": "units_sold",
    "repairs": "record_no",
    "callbacks": "callback_id",
    "hotline": "ticket_id",
    "notices": "notice_id",
}


@pytest.mark.parametrize(
    "name, kind",
    [
        ("dealers_2026.csv", "dealers"),
        ("经销商档案.csv", "dealers"),
        ("sales_2026-03.csv", "sales"),
        ("销量_三月.xlsx", "sales"),
        ("Repairs_JX101_202603.CSV", "repairs"),
        ("维修_JX101_2026-03.csv", "repairs"),
        ("callbacks.xlsx", "callbacks"),
        ("回访_2026-04.csv", "callbacks"),
        ("HOTLINE_2026.csv", "hotline"),
        ("热线工单.csv", "hotline"),
        ("notices_2026.csv", "notices"),
        ("通报.xlsx", "notices"),
    ],
)
def test_kind_from_file_name(wh, name, kind):
    _prepare(wh)
    header, row = _one_row_files(kind)
    assert outcome(wh.load(wh.file(name, [header, row]))) == [(name, "loaded", kind, 1, 1, 0, "")]
    column = KIND_TABLE_KEY[kind]
    assert wh.query(f"SELECT {column} FROM {kind} WHERE load_id = (SELECT max(load_id) FROM load_log)") == [
        (int(row[2]) if kind == "sales" else row[0],)
    ]


@pytest.mark.parametrize("kind", ["dealers", "sales", "repairs", "callbacks", "hotline", "notices"])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_kind_from_header_row_when_the_name_does_not_tell(wh, kind, suffix):
    _prepare(wh)
    header, row = _one_row_files(kind)
    name = "export_2026-03" + suffix
    path = wh.file(name, [["导出数据"], [], header, row])
    assert outcome(wh.load(path)) == [(name, "loaded", kind, 1, 1, 0, "")]
    assert wh.query("SELECT kind, status FROM load_log ORDER BY load_id DESC LIMIT 1") == [(kind, "loaded")]


def test_file_name_decides_over_the_header(wh):
    """A callbacks header in a file named repairs_...: read as repairs, so columns are missing."""
    _prepare(wh)
    header, row = _one_row_files("callbacks")
    path = wh.file("repairs_2026-04.csv", [header, row])
    assert outcome(wh.load(path)) == [
        (
            "repairs_2026-04.csv",
            "rejected",
            "repairs",
            0,
            0,
            0,
            "missing required columns service_type (服务类型), requested_at (报修时间), status (状态); "
            "headers found: 回访编号, 维修单号, 经销商编号, 回访时间, 是否接通",
        )
    ]
    assert wh.query("SELECT count(*) FROM callbacks") == [(0,)]


@pytest.mark.parametrize(
    "name, rows",
    [
        ("mystery.csv", [["a", "b", "c"], ["1", "2", "3"]]),
        ("mystery.xlsx", [["title"], ["编号", "名称"], ["1", "x"]]),  # one known header is not enough
        ("empty.csv", []),
    ],
)
def test_file_whose_kind_cannot_be_told_is_rejected_whole(wh, name, rows):
    wh.dealers(["JX101", "a"])
    message = UNKNOWN_KIND
    if name.endswith(".xlsx"):  # a message about a workbook names its sheet (issue 10)
        message = UNKNOWN_KIND.replace(
            "none of its first 50 rows is", 'none of the first 50 rows of its sheet "Sheet" is'
        )
    assert outcome(wh.load(wh.file(name, rows))) == [(name, "rejected", None, 0, 0, 0, message)]
    assert wh.query("SELECT file_name, kind, status, message FROM load_log WHERE file_name = ?", [name]) == [
        (name, None, "rejected", message)
    ]
