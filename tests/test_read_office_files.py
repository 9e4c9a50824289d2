"""Files as dealers' offices make them (issue: office files): every format and encoding,
workbooks with hidden and several sheets, headers as people write them, two-row headers,
the aliases file, and damaged inputs that must give a sentence, never a traceback.

Each test writes its own file and checks the exact values, row numbers and messages."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import openpyxl
import pytest

from etl.aliases import AliasesError
from etl.read import FileRejected, open_file, read_cells

pytestmark = pytest.mark.usefixtures("prebuilt_warehouse")

HEADER = ["record_no", "dealer_id", "service_type", "requested_at", "status", "labor_fee"]
CN_HEADER = ["维修单号", "经销商编号", "服务类型", "报修时间", "状态", "人工费"]
ROWS = [
    ["R1", "JX101", "维修", "2026-03-02 09:15", "已完成", "80"],
    ["R2", "JX101", "安装", "2026-03-04 10:00", "坏了", "12.5"],
]
BAD_STATUS = 'status "坏了" is not one of completed, returned_to_factory, open (已完成, 返厂, 未完成)'


def outcome(results):
    return [(r.file, r.status, r.kind, r.rows_read, r.rows_loaded, r.rows_rejected, r.message) for r in results]


def loaded(wh):
    return wh.query(
        "SELECT record_no, service_type, requested_at, status, labor_fee, row_no FROM repairs ORDER BY record_no"
    )


def rejects(wh):
    return wh.query("SELECT file_name, row_no, reason FROM rejects ORDER BY row_no")


GOOD_R1 = [("R1", "repair", dt.datetime(2026, 3, 2, 9, 15), "completed", Decimal("80.00"), 3)]


def read(path):
    return read_cells(open_file(path))


def values(raw, *columns):
    """(mapped values..., row_no, sheet) of every row, by column name."""
    position = {name: p for p, name in raw.column_of.items()}
    rows = raw.cells.to_pylist()
    return [tuple(r[f"c{position[c]}"] for c in columns) + (r["row_no"], r["sheet"]) for r in rows]


def rejected(path) -> str:
    with pytest.raises(FileRejected) as caught:
        read(path)
    return str(caught.value)


def workbook(*sheets, hidden=()):
    """A workbook with named sheets of rows; names in `hidden` get sheet_state hidden (or veryHidden)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if name in hidden:
            sheet.sheet_state = hidden[name] if isinstance(hidden, dict) else "hidden"
    return book


# ---------------------------------------------------------------- formats and encodings


def _title_and_rows(header):
    return [["杭州西湖家电服务部 维修记录"], header, *ROWS]


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm"])
def test_xlsx_and_xlsm_load(wh, suffix):
    wh.dealers(["JX101", "a"])
    path = wh.folder / f"repairs_2026-03{suffix}"
    workbook(("Sheet1", _title_and_rows(CN_HEADER))).save(path)
    assert outcome(wh.load(path)) == [(path.name, "loaded", "repairs", 2, 1, 1, "")]
    assert loaded(wh) == GOOD_R1
    assert rejects(wh) == [(path.name, 4, BAD_STATUS)]
    assert read(path).details["format"] == suffix[1:]


def test_xls_excel_97_2003_loads(wh):
    import xlwt

    wh.dealers(["JX101", "a"])
    book = xlwt.Workbook()
    sheet = book.add_sheet("维修")
    for r, row in enumerate(_title_and_rows(CN_HEADER)):
        for c, value in enumerate(row):
            sheet.write(r, c, float(value) if c == 5 and r > 1 else value)
    path = wh.folder / "repairs_2026-03.xls"
    book.save(str(path))
    assert outcome(wh.load(path)) == [("repairs_2026-03.xls", "loaded", "repairs", 2, 1, 1, "")]
    assert loaded(wh) == GOOD_R1
    assert rejects(wh) == [("repairs_2026-03.xls", 4, BAD_STATUS)]


def test_ods_loads(wh):
    import pandas as pd

    wh.dealers(["JX101", "a"])
    path = wh.folder / "repairs_2026-03.ods"
    pd.DataFrame(ROWS, columns=CN_HEADER).to_excel(path, engine="odf", index=False, startrow=1)
    raw = read(path)
    assert (raw.header_row, raw.details["format"]) == (2, "ods")
    assert outcome(wh.load(path)) == [("repairs_2026-03.ods", "loaded", "repairs", 2, 1, 1, "")]
    assert loaded(wh) == GOOD_R1
    assert rejects(wh) == [("repairs_2026-03.ods", 4, BAD_STATUS)]


def _text(header, rows, delimiter, newline="\r\n"):
    return newline.join(delimiter.join(r) for r in [["维修记录"], header, *rows]) + newline


@pytest.mark.parametrize(
    "encoding, bom, expected", [("utf-16-le", b"\xff\xfe", "utf-16-le"), ("utf-16-be", b"\xfe\xff", "utf-16-be")]
)
def test_utf16_unicode_text_with_bom_tab_separated(wh, encoding, bom, expected):
    """Excel's "Unicode text": UTF-16LE with BOM, tabs; a quoted comma does not make it a CSV."""
    wh.dealers(["JX101", "a"])
    rows = [ROWS[0] + ['"不制冷,异响"'], ROWS[1] + ["x"]]
    path = wh.folder / "repairs_2026-03.txt"
    path.write_bytes(bom + _text(CN_HEADER + ["故障类别"], rows, "\t").encode(encoding))
    raw = read(path)
    assert (raw.encoding, raw.details["delimiter"], raw.header_row) == (expected, "\t", 2)
    assert raw.notes[:2] == [
        "separated by tabs",
        f"encoding UTF-16 ({'little' if encoding.endswith('le') else 'big'}-endian)",
    ]
    assert values(raw, "record_no", "fault_category") == [("R1", "不制冷,异响", 3, None), ("R2", "x", 4, None)]
    assert outcome(wh.load(path)) == [("repairs_2026-03.txt", "loaded", "repairs", 2, 1, 1, "")]
    assert loaded(wh) == GOOD_R1


@pytest.mark.parametrize(
    "name, delimiter, encoding, note",
    [
        ("repairs_2026-03.csv", ";", "utf-8", ["separated by semicolons"]),
        ("repairs_2026-03.tsv", "\t", "gbk", ["separated by tabs"]),
        ("repairs_2026-03.txt", "\t", "utf-8-sig", ["separated by tabs"]),
        ("repairs_2026-03.txt", ",", "gb18030", []),
    ],
)
def test_delimiter_is_detected_in_every_text_suffix_and_encoding(wh, name, delimiter, encoding, note):
    wh.dealers(["JX101", "a"])
    path = wh.folder / name
    path.write_bytes(_text(CN_HEADER, ROWS, delimiter, "\n").encode(encoding))
    raw = read(path)
    assert (raw.details["delimiter"], raw.encoding) == (delimiter, "gb18030" if encoding == "gbk" else encoding)
    assert raw.notes[:-1] == note
    assert outcome(wh.load(path)) == [(name, "loaded", "repairs", 2, 1, 1, "")]
    assert loaded(wh) == GOOD_R1
    assert rejects(wh) == [(name, 4, BAD_STATUS)]


def test_semicolon_file_with_commas_in_values(wh):
    path = wh.folder / "repairs_2026-03.csv"
    path.write_text(
        "record_no;dealer_id;service_type;requested_at;status;address\n"
        "R1;JX101;repair;2026-03-02;open;杭州市, 西湖区\n",
        encoding="utf-8",
    )
    raw = read(path)
    assert raw.details["delimiter"] == ";"
    assert values(raw, "record_no", "address") == [("R1", "杭州市, 西湖区", 2, None)]


def test_cr_only_line_ends_read_with_line_numbers(wh):
    """Old Mac files end lines with a bare carriage return."""
    wh.dealers(["JX101", "a"])
    path = wh.folder / "repairs_2026-03.csv"
    path.write_bytes(
        _text(
            HEADER,
            [
                ["R1", "JX101", "repair", "2026-03-02 09:15", "completed", "80"],
                ["R2", "JX101", "repair", "2026-03-02 09:15", "bad", "1"],
            ],
            ",",
            "\r",
        ).encode()
    )
    assert outcome(wh.load(path)) == [("repairs_2026-03.csv", "loaded", "repairs", 2, 1, 1, "")]
    assert loaded(wh) == GOOD_R1
    assert [r[1] for r in rejects(wh)] == [4]


def test_bare_carriage_return_inside_a_value_ends_the_line_never_a_csv_error(wh):
    path = wh.folder / "repairs_2026-03.csv"
    path.write_bytes(
        b"record_no,dealer_id,service_type,requested_at,status\n"
        b"R1,JX101,repair,2026-03-02,open\nR2,JX101,re\rpair,2026-03-02,open\n"
    )
    raw = read(path)
    assert values(raw, "record_no", "service_type", "status") == [
        ("R1", "repair", "open", 2, None),
        ("R2", "re", "", 3, None),
        ("pair", "open", "", 4, None),
    ]


# ---------------------------------------------------------------- workbooks: sheets


def test_hidden_first_sheet_is_never_read_the_visible_one_is(wh):
    wh.dealers(["JX101", "a"])
    path = wh.folder / "repairs_2026-03.xlsx"
    workbook(
        ("底稿", [HEADER, ["H1", "JX101", "repair", "2026-03-01", "open", "1"]]),
        ("机密", [HEADER, ["H2", "JX101", "repair", "2026-03-01", "open", "1"]]),
        ("报表", _title_and_rows(CN_HEADER)),
        hidden={"底稿": "hidden", "机密": "veryHidden"},
    ).save(path)
    raw = read(path)
    assert raw.details["skipped_sheets"] == [{"name": "底稿", "reason": "hidden"}, {"name": "机密", "reason": "hidden"}]
    assert raw.notes[:3] == ['read sheet "报表"', 'skipped sheet "底稿": hidden', 'skipped sheet "机密": hidden']
    assert outcome(wh.load(path)) == [("repairs_2026-03.xlsx", "loaded", "repairs", 2, 1, 1, "")]
    assert loaded(wh) == GOOD_R1


def test_one_sheet_per_month_in_different_column_orders_form_one_layout():
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp())
    path = folder / "repairs_2026.xlsx"
    workbook(
        ("说明", [["填表说明：每月一个工作表"], ["经销商编号请填 JX 开头的编号"]]),
        (
            "1月",
            [
                ["维修单号", "经销商编号", "报表月份", "服务类型", "报修时间", "状态", "备注"],
                ["J1", "JX101", "2026-01", "维修", "2026-01-05 09:00", "已完成", "上门两次"],
            ],
        ),
        (
            "2月",
            [
                ["二月维修记录"],
                ["状态", "报修时间", "服务类型", "报表月份", "经销商编号", "维修单号", "技师电话"],
                ["未完成", "2026-02-03 10:00", "安装", "2026-02", "JX101", "F1", "138"],
                ["已完成", "2026-02-04 11:00", "维修", "2026-02", "JX102", "F2", ""],
            ],
        ),
        (
            "回访",
            [["回访编号", "维修单号", "经销商编号", "回访时间", "是否接通"], ["C1", "J1", "JX101", "2026-01-09", "是"]],
        ),
    ).save(path)
    raw = read(path)
    assert raw.headers == ["维修单号", "经销商编号", "报表月份", "服务类型", "报修时间", "状态", "备注", "技师电话"]
    assert raw.column_of == {
        0: "record_no",
        1: "dealer_id",
        2: "report_month",
        3: "service_type",
        4: "requested_at",
        5: "status",
    }
    assert raw.extra_positions == [6, 7]
    assert raw.cells.to_pylist() == [
        {
            "c0": "J1",
            "c1": "JX101",
            "c2": "2026-01",
            "c3": "维修",
            "c4": "2026-01-05 09:00",
            "c5": "已完成",
            "c6": "上门两次",
            "c7": "",
            "overflow": None,
            "row_no": 2,
            "sheet": "1月",
            "row_id": 0,
        },
        {
            "c0": "F1",
            "c1": "JX101",
            "c2": "2026-02",
            "c3": "安装",
            "c4": "2026-02-03 10:00",
            "c5": "未完成",
            "c6": "",
            "c7": "138",
            "overflow": None,
            "row_no": 3,
            "sheet": "2月",
            "row_id": 1,
        },
        {
            "c0": "F2",
            "c1": "JX102",
            "c2": "2026-02",
            "c3": "维修",
            "c4": "2026-02-04 11:00",
            "c5": "已完成",
            "c6": "",
            "c7": "",
            "overflow": None,
            "row_no": 4,
            "sheet": "2月",
            "row_id": 2,
        },
    ]
    assert raw.header_row == 1
    assert raw.details["sheets"] == [
        {"name": "1月", "header_rows": [1], "rows": 1},
        {"name": "2月", "header_rows": [2], "rows": 2},
    ]
    assert raw.details["skipped_sheets"] == [
        {"name": "说明", "reason": "no header row of a repairs file"},
        {"name": "回访", "reason": "holds a callbacks table"},
    ]
    assert raw.notes[:3] == [
        'read sheets "1月", "2月"',
        'skipped sheet "说明": no header row of a repairs file',
        'skipped sheet "回访": holds a callbacks table',
    ]


def test_second_month_sheet_missing_a_column_names_its_sheet(tmp_path):
    path = tmp_path / "repairs_2026.xlsx"
    workbook(
        ("1月", [HEADER + ["report_month"], ["J1", "JX101", "repair", "2026-01-05", "open", "1", "2026-01"]]),
        (
            "3月",
            [
                ["维修单号", "经销商编号", "服务类型", "报修时间", "报表月份"],
                ["M1", "JX101", "维修", "2026-03-05", "2026-03"],
            ],
        ),
    ).save(path)
    assert rejected(path) == (
        'sheet "3月": missing required column status (状态); '
        "headers found: 维修单号, 经销商编号, 服务类型, 报修时间, 报表月份"
    )


def test_rejected_rows_of_the_second_sheet_name_their_sheet(wh):
    wh.dealers(["JX101", "a"])
    path = wh.folder / "repairs_2026-03.xlsx"
    workbook(
        ("上半月", [HEADER, ["R1", "JX101", "repair", "2026-03-02 09:15", "completed", "80"]]),
        ("下半月", [["状态", *HEADER[:4]], ["坏了", "R2", "JX101", "repair", "2026-03-20 09:15"]]),
    ).save(path)
    raw = read(path)
    assert values(raw, "record_no", "status") == [("R1", "completed", 2, "上半月"), ("R2", "坏了", 2, "下半月")]
    [result] = wh.load(path)
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_rejected) == ("loaded", 2, 1, 1)
    assert wh.query("SELECT record_no, row_no FROM repairs") == [("R1", 2)]
    columns = {c[0] for c in wh.query("DESCRIBE rejects")}
    sheet = ", sheet" if "sheet" in columns else ""
    found = wh.query(f"SELECT row_no, reason{sheet} FROM rejects")
    assert found == ([(2, BAD_STATUS.replace("坏了", "坏了"), "下半月")] if sheet else [(2, BAD_STATUS)])


def test_workbook_whose_sheets_are_all_hidden_is_rejected_with_each_sheet(tmp_path):
    path = tmp_path / "repairs_2026-03.xlsx"
    workbook(
        ("A", [HEADER, ["R1", "JX101", "repair", "2026-03-01", "open", "1"]]),
        ("B", [HEADER]),
        ("C", []),
        hidden={"A": "hidden", "B": "veryHidden"},
    ).save(path)  # Excel keeps one sheet visible
    assert rejected(path) == (
        "no sheet holds a repairs table (a header row with record_no/维修单号, dealer_id/经销商编号, "
        "service_type/服务类型, requested_at/报修时间, status/状态) in its first 50 rows: "
        'sheet "A": hidden; sheet "B": hidden; sheet "C": empty'
    )


def test_workbook_of_unknown_kind_says_which_sheets_were_tried(tmp_path):
    path = tmp_path / "export.xlsx"
    workbook(
        ("封面", [["2026年3月报表"]]),
        ("空白", []),
        ("数据", [["a", "b"], ["1", "2"]]),
        ("旧", [HEADER]),
        hidden={"旧": "hidden"},
    ).save(path)
    assert rejected(path) == (
        "cannot tell what kind of file this is: its name does not start with one of dealers, 经销商, sales, 销量, "
        "repairs, 维修, callbacks, 回访, hotline, 热线, notices, 通报, and no visible sheet has a header row "
        'of a known kind in its first 50 rows (sheet "封面": no header row of a known kind; sheet "空白": empty; '
        'sheet "数据": no header row of a known kind; sheet "旧": hidden)'
    )


def test_kind_from_the_first_visible_sheet_that_tells_it(tmp_path):
    path = tmp_path / "export_2026-03.xlsx"
    workbook(
        ("cover", [["月报"]]),
        ("hot", [["ticket_id", "received_at", "dealer_id", "ticket_type"]]),
        ("data", [["ticket_id", "received_at", "dealer_id", "ticket_type"], ["T1", "2026-03-01", "JX101", "报修"]]),
        hidden={"hot": "hidden"},
    ).save(path)
    raw = read(path)
    assert raw.kind.name == "hotline"
    assert values(raw, "ticket_id") == [("T1", 2, "data")]


# ---------------------------------------------------------------- headers as people write them


def test_header_spellings_units_marks_colons_line_breaks_and_case(tmp_path):
    path = tmp_path / "repairs_2026-03.xlsx"
    workbook(
        (
            "Sheet1",
            [
                [
                    "*维修单号",
                    "经销商编号",
                    "服务类型：",
                    "Requested At",
                    "状态:",
                    "人工费(元)",
                    "配件费（元）",
                    "完成时间\n(24h)",
                ],
                ["R1", "JX101", "维修", "2026-03-02", "已完成", 80, 12.5, "2026-03-03"],
            ],
        )
    ).save(path)
    raw = read(path)
    assert raw.column_of == {
        0: "record_no",
        1: "dealer_id",
        2: "service_type",
        3: "requested_at",
        4: "status",
        5: "labor_fee",
        6: "parts_fee",
        7: "completed_at",
    }
    assert values(raw, "record_no", "labor_fee", "parts_fee") == [("R1", "80", "12.5", 2, "Sheet1")]
    assert raw.extra_positions == []


def test_csv_header_with_line_break_and_english_any_case(tmp_path):
    path = tmp_path / "repairs_2026-03.csv"
    path.write_text(
        'RECORD NO,Dealer_Id,service type,requested_at,STATUS,"人工费\n(元)"\nR1,JX101,repair,2026-03-02,open,80\n',
        encoding="utf-8",
    )
    raw = read(path)
    assert raw.column_of == {
        0: "record_no",
        1: "dealer_id",
        2: "service_type",
        3: "requested_at",
        4: "status",
        5: "labor_fee",
    }
    assert values(raw, "record_no", "labor_fee") == [("R1", "80", 3, None)]


def test_sales_units_with_a_unit_in_brackets(wh):
    wh.dealers(["JX101", "a"])
    path = wh.file(
        "sales_2026.csv", [["经销商编号", "月份", "销量(台)", "结算金额【元】"], ["JX101", "2026-03", "12", "5000"]]
    )
    assert outcome(wh.load(path)) == [("sales_2026.csv", "loaded", "sales", 1, 1, 0, "")]
    assert wh.query("SELECT units_sold, sales_amount FROM sales") == [(12, Decimal("5000.00"))]


def test_two_row_header_with_vertical_and_horizontal_merges(tmp_path):
    path = tmp_path / "repairs_2026-03.xlsx"
    book = workbook(
        (
            "Sheet1",
            [
                ["杭州西湖家电服务部 3月维修记录"],
                ["维修单号", "经销商编号", "服务类型", "报修", None, "费用", None, "状态"],
                [None, None, None, "日期", "时间", "人工费", "配件费", None],
                ["R1", "JX101", "维修", dt.date(2026, 3, 2), dt.time(9, 15), 80, 20, "已完成"],
                ["R2", "JX101", "安装", dt.date(2026, 3, 3), dt.time(14, 0), 0, None, "未完成"],
            ],
        )
    )
    sheet = book["Sheet1"]
    for cells in ("A2:A3", "B2:B3", "C2:C3", "H2:H3", "D2:E2", "F2:G2", "A1:H1"):
        sheet.merge_cells(cells)
    book.save(path)
    raw = read(path)
    assert raw.headers == [
        "维修单号",
        "经销商编号",
        "服务类型",
        "报修 日期",
        "报修 时间",
        "费用 人工费",
        "费用 配件费",
        "状态",
    ]
    assert raw.column_of == {
        0: "record_no",
        1: "dealer_id",
        2: "service_type",
        4: "requested_at",
        5: "labor_fee",
        6: "parts_fee",
        7: "status",
    }
    assert raw.date_part_of == {3: "requested_at"}
    assert raw.header_row == 2
    assert raw.details["sheets"] == [{"name": "Sheet1", "header_rows": [2, 3], "rows": 2}]
    assert raw.details["date_parts"] == [["报修 日期", "requested_at"]]
    assert "two-row header (rows 2-3)" in raw.notes
    assert [(r["c0"], r["c3"], r["c4"], r["c5"], r["c6"], r["row_no"]) for r in raw.cells.to_pylist()] == [
        ("R1", "2026-03-02", "09:15:00", "80", "20", 4),
        ("R2", "2026-03-03", "14:00:00", "0", "", 5),
    ]


def test_a_date_and_time_header_merged_over_its_date_and_its_time(wh):
    """报修时间 merged over 日期 | 时间, as templates draw it: the date and the time make one value."""
    wh.dealers(["JX101", "a"])
    path = wh.folder / "维修_JX101_202603.xlsx"
    book = workbook(
        (
            "3月",
            [
                ["*维修单号", "经销商编号", "服务类型", "报修时间", None, "状态", "费用", None],
                [None, None, None, "日期", "时间", None, "人工费(元)", "配件费（元）"],
                ["R1", "JX101", "维修", dt.date(2026, 3, 2), dt.time(9, 15), "已完成", 80, 20],
                ["R2", "JX101", "维修", "2026/3/3", "14:00", "未完成", 0, None],
            ],
        )
    )
    for cells in ("A1:A2", "B1:B2", "C1:C2", "F1:F2", "D1:E1", "G1:H1"):
        book["3月"].merge_cells(cells)
    book.save(path)
    raw = read(path)
    assert raw.headers[3:5] == ["报修时间 日期", "报修时间 时间"]
    assert (raw.column_of[4], raw.date_part_of) == ("requested_at", {3: "requested_at"})
    (result,) = wh.load(path)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (2, 2, 0)
    assert wh.query("SELECT record_no, requested_at, labor_fee, parts_fee FROM repairs ORDER BY 1") == [
        ("R1", dt.datetime(2026, 3, 2, 9, 15), Decimal("80.00"), Decimal("20.00")),
        ("R2", dt.datetime(2026, 3, 3, 14, 0), Decimal("0.00"), None),
    ]


def test_two_row_header_in_a_csv(tmp_path):
    path = tmp_path / "repairs_2026-03.csv"
    path.write_text(
        "维修单号,经销商编号,服务类型,报修时间,状态,费用,\n"
        ",,,,,人工费,配件费\n"
        "R1,JX101,维修,2026-03-02 09:15,已完成,80,20\n",
        encoding="utf-8",
    )
    raw = read(path)
    assert raw.headers == ["维修单号", "经销商编号", "服务类型", "报修时间", "状态", "费用 人工费", "费用 配件费"]
    assert raw.column_of[5] == "labor_fee" and raw.column_of[6] == "parts_fee"
    assert raw.details["sheets"] == [{"name": None, "header_rows": [1, 2], "rows": 1}]
    assert "two-row header (lines 1-2)" in raw.notes
    assert values(raw, "record_no", "labor_fee", "parts_fee") == [("R1", "80", "20", 3, None)]


def test_a_data_row_under_a_one_row_header_is_never_a_second_header(tmp_path):
    path = tmp_path / "repairs_2026-03.csv"
    path.write_text(
        "维修单号,经销商编号,服务类型,报修时间,状态,备注\nR1,JX101,维修,2026-03-02 09:15,已完成,人工费\n",
        encoding="utf-8",
    )
    raw = read(path)
    assert raw.details["sheets"][0]["header_rows"] == [1]
    assert values(raw, "record_no") == [("R1", 2, None)]


def test_date_and_time_in_two_columns_recorded_as_date_part(tmp_path):
    path = tmp_path / "回访_2026-04.csv"
    path.write_text(
        "回访编号,维修单号,经销商编号,回访日期,called_time,是否接通\nC1,R1,JX101,2026-04-02,10:05,是\n",
        encoding="utf-8",
    )
    raw = read(path)
    assert raw.column_of == {0: "callback_id", 1: "record_no", 2: "dealer_id", 4: "called_at", 5: "reached"}
    assert raw.date_part_of == {3: "called_at"}
    assert raw.extra_positions == []
    assert raw.details["date_parts"] == [["回访日期", "called_at"]]


def test_required_datetime_present_by_its_date_part_only(tmp_path):
    path = tmp_path / "hotline_2026.csv"
    path.write_text("ticket_id,received_date,dealer_id,ticket_type\nT1,2026-03-01,JX101,报修\n", encoding="utf-8")
    raw = read(path)
    assert (raw.column_of, raw.date_part_of) == ({0: "ticket_id", 2: "dealer_id", 3: "ticket_type"}, {1: "received_at"})


def test_absent_optional_columns_are_named_in_one_note(tmp_path):
    path = tmp_path / "sales_2026.csv"
    path.write_text("dealer_id,month,units_sold,sales_amount\nJX101,2026-03,1,2\n", encoding="utf-8")
    assert read(path).notes == []
    path = tmp_path / "notices_2026.csv"
    path.write_text("编号,经销商编号,日期\nN1,JX101,2026-03-01\n", encoding="utf-8")
    raw = read(path)
    assert raw.notes == ["no column for source (来源), description (内容): they stay empty"]
    assert raw.details["absent_optional"] == ["source", "description"]
    path = tmp_path / "notices_2027.csv"
    path.write_text("编号,经销商编号,日期,来源\nN1,JX101,2026-03-01,报纸\n", encoding="utf-8")
    assert read(path).notes == ["no column for description (内容): it stays empty"]


def test_kept_aside_column_resembling_a_known_one_is_named(tmp_path):
    path = tmp_path / "repairs_2026-03.csv"
    path.write_text(
        "record_no,dealer_id,service_type,requested_at,status,人工费用,配件费\nR1,JX101,repair,2026-03-02,open,80,20\n",
        encoding="utf-8",
    )
    raw = read(path)
    assert raw.details["resembles"] == [["人工费用", "labor_fee"]]
    assert raw.notes[-1] == (
        'column "人工费用" kept aside: did you mean labor_fee (人工费)? add it to header_aliases.toml'
    )


def test_missing_required_column_message_names_the_resembling_header(tmp_path):
    path = tmp_path / "repairs_2026-03.csv"
    path.write_text(
        "record no.,dealer_id,service_type,requested_at,status\nR1,JX101,repair,2026-03-02,open\n", encoding="utf-8"
    )
    assert rejected(path) == (
        "missing required column record_no (维修单号); headers found: record no., dealer_id, service_type, "
        'requested_at, status; "record no." looks like record_no (维修单号): add it to header_aliases.toml'
    )


# ---------------------------------------------------------------- header_aliases.toml


def test_aliases_file_adds_spellings(wh, tmp_path, monkeypatch):
    aliases = tmp_path / "aliases.toml"
    aliases.write_text(
        '# HQ\n[repairs]\nrecord_no = ["工单编号"]\nparts_fee = ["材料费", "配件 费用"]\n', encoding="utf-8"
    )
    monkeypatch.setenv("SERVICE_QC_HEADER_ALIASES", str(aliases))
    wh.dealers(["JX101", "a"])
    path = wh.file(
        "repairs_2026-03.csv",
        [
            ["工单编号", "经销商编号", "服务类型", "报修时间", "状态", "材料费", "工时费"],
            ["A1", "JX101", "维修", "2026-03-02 09:15", "已完成", "15", "30"],
        ],
    )
    raw = read(path)
    assert raw.column_of == {
        0: "record_no",
        1: "dealer_id",
        2: "service_type",
        3: "requested_at",
        4: "status",
        5: "parts_fee",
    }
    assert raw.extra_positions == [6]  # 工时费 is in the shipped file, not in this one
    assert outcome(wh.load(path)) == [("repairs_2026-03.csv", "loaded", "repairs", 1, 1, 0, "")]
    assert wh.query("SELECT record_no, parts_fee FROM repairs") == [("A1", Decimal("15.00"))]


def test_shipped_aliases_file_is_read_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("SERVICE_QC_HEADER_ALIASES", raising=False)
    path = tmp_path / "sales_2026.csv"
    path.write_text("经销商编号,月份,销售数量,结算金额\nJX101,2026-03,3,100\n", encoding="utf-8")
    assert read(path).column_of == {0: "dealer_id", 1: "month", 2: "units_sold", 3: "sales_amount"}


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "[repair]\nlabor_fee = ['工时']\n",
            "[repair] is not a kind of file; the kinds are dealers, sales, repairs, callbacks, hotline, notices",
        ),
        ("[repairs]\nlabour_fee = ['工时']\n", "repairs.labour_fee: repairs files have no column labour_fee"),
        ("[repairs]\nlabor_fee = ['配件费']\n", 'repairs.labor_fee: "配件费" is already a spelling of parts_fee'),
        (
            "[repairs]\narrived_at = ['报修日期']\n",
            'repairs.arrived_at: "报修日期" is already a spelling of the date part of requested_at',
        ),
        (
            "[repairs]\nlabor_fee = ['工费']\nparts_fee = ['工 费']\n",
            'repairs.parts_fee: "工 费" is also given to repairs.labor_fee',
        ),
        ("[repairs]\nlabor_fee = 3\n", "repairs.labor_fee must be a list of header spellings"),
        ("[repairs\n", "is not valid TOML"),
    ],
)
def test_bad_aliases_file_raises_a_clear_error(tmp_path, monkeypatch, text, message):
    aliases = tmp_path / "aliases.toml"
    aliases.write_text(text, encoding="utf-8")
    monkeypatch.setenv("SERVICE_QC_HEADER_ALIASES", str(aliases))
    path = tmp_path / "sales_2026.csv"
    path.write_text("dealer_id,month,units_sold,sales_amount\n", encoding="utf-8")
    with pytest.raises(AliasesError) as caught:
        read(path)
    assert str(caught.value).startswith(f"header aliases file {aliases}")
    assert message in str(caught.value)


def test_aliases_file_named_by_the_setting_must_exist(tmp_path, monkeypatch):
    monkeypatch.setenv("SERVICE_QC_HEADER_ALIASES", str(tmp_path / "nope.toml"))
    path = tmp_path / "sales_2026.csv"
    path.write_text("dealer_id,month,units_sold,sales_amount\n", encoding="utf-8")
    with pytest.raises(AliasesError, match="does not exist"):
        read(path)


# ---------------------------------------------------------------- damaged inputs (issue 11)


def test_bad_byte_in_a_utf8_file_with_bom_is_a_sentence(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "编号,经销商编号,日期\n".encode() + b"TB9,JX101,2025-01-05\xff\n")
    assert rejected(path) == (
        "cannot read the file: it is UTF-8 text (it starts with a UTF-8 byte-order mark) "
        "but line 2 holds a byte that is not UTF-8 (0xff at byte 53); save it again as UTF-8"
    )


def test_bad_byte_in_a_utf8_file_without_bom_is_not_read_as_gbk(tmp_path):
    path = tmp_path / "通报_2026.csv"
    path.write_bytes(
        "编号,经销商编号,日期,来源,内容\nN1,JX101,2025-01-05,市场监管局,服务不到位\n".encode()
        + b"N2,JX101,2025-01-06,\xe5\xb8,x\n"
    )
    assert rejected(path) == (
        "cannot read the file: it is UTF-8 text (most of it reads as UTF-8) but line 3 "
        "holds a byte that is not UTF-8 (0xe5 at byte 116); save it again as UTF-8"
    )


@pytest.mark.parametrize(
    "content",
    [
        b"PK\x03\x04" + bytes(range(256)) * 4,  # a zip that is no workbook
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,  # an OLE header, nothing inside
        b"",
    ],
)
def test_damaged_workbook_is_a_sentence(tmp_path, content):
    path = tmp_path / "repairs_2026-03.xlsx"
    path.write_bytes(content)
    assert rejected(path) == "cannot read the workbook: it is damaged or not really an Excel file"


def test_workbook_with_a_missing_sheet_part_is_a_sentence(tmp_path):
    import zipfile

    good = tmp_path / "good.xlsx"
    workbook(("Sheet1", [HEADER, ["R1", "JX101", "repair", "2026-03-01", "open", "1"]])).save(good)
    path = tmp_path / "repairs_2026-03.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                target.writestr(item, source.read(item))
    message = rejected(path)
    assert message in (
        'cannot read the workbook: sheet "Sheet1" is damaged or missing in it',
        "cannot read the workbook: it is damaged or not really an Excel file",
    )


def test_header_with_a_hundred_thousand_columns_is_refused_in_seconds(tmp_path):
    path = tmp_path / "repairs_2026-03.csv"
    path.write_bytes(
        b"record_no,dealer_id,service_type,requested_at,status"
        + b",x" * 100_000
        + b"\nR1,JX101,repair,2026-03-01,open\n"
    )
    started = time.perf_counter()
    assert rejected(path) == (
        "line 1 has 100,005 columns, more than max_columns (500) of the rules' [limits]: "
        "no report is that wide, so this is not a file the loader knows"
    )
    assert time.perf_counter() - started < 5


def test_wide_header_of_empty_cells_is_read(tmp_path):
    path = tmp_path / "repairs_2026-03.csv"
    path.write_bytes(
        b"record_no,dealer_id,service_type,requested_at,status"
        + b"," * 100_000
        + b"\nR1,JX101,repair,2026-03-01,open\n"
    )
    assert values(read(path), "record_no", "status") == [("R1", "open", 2, None)]


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\x01\x02\xff\xfe\x00" * 50,
        b"\xff\xfe" + b"\x00\xd8" * 10,  # UTF-16 with a lone surrogate
        b'record_no,dealer_id\r\r\n\x00\x00,"unterminated',
        b'"' * 10 + b"\n" + b"a" * 200_000,
        b'record_no,dealer_id,service_type,requested_at,status\nR1,JX101,repair,2026-03-01,"' + b"x" * 200_000,
    ],
)
def test_any_bytes_give_file_rejected_or_cells(tmp_path, content):
    path = tmp_path / "repairs_2026-03.csv"
    path.write_bytes(content)
    try:
        raw = read(path)
    except FileRejected as exc:
        assert str(exc) and not str(exc).split(":")[0].endswith(("Error", "Exception"))
    else:
        assert raw.cells is not None
