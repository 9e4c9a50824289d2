"""Say what was read (issue 10, points 6 and 7): the load log's details, `python -m etl inspect`
(writes nothing), and the dealer's correction sheet, whose corrected file loads as a resubmission."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

import openpyxl
import pytest

from etl.cli import main

pytestmark = pytest.mark.usefixtures("prebuilt_warehouse")

HEADER = [
    "维修单号",
    "经销商编号",
    "报表月份",
    "提交日期",
    "用户姓名",
    "服务类型",
    "报修时间",
    "状态",
    "人工费(元)",
    "备注",
]
GOOD = ["R1", "JX101", "2025-03", "2025-04-09", "王建国", "维修", "03/05/2025 09:00", "已完成", "80", "=1+1"]
UNKNOWN_DEALER = ["R2", "JX999", "2025-03", "2025-04-09", "李秀英", "维修", "03/06/2025 09:00", "已完成", "60", ""]
BAD_STATUS = ["R3", "JX101", "2025-03", "2025-04-09", "陈伟", "维修", "03/20/2025 10:00", "换机", "-5", ""]


@pytest.fixture
def loaded(wh):
    wh.dealers(["JX101", "杭州西湖家电服务部"])
    path = wh.file(
        "维修_JX101_202503.csv",
        [
            ["杭州西湖家电服务部 2025年3月 维修质量信息反馈单"],
            HEADER,
            GOOD,
            UNKNOWN_DEALER,
            BAD_STATUS,
            ["合计", "", "", "", "", "", "", "", "140", ""],
            ["制表人：张三"],
        ],
    )
    (result,) = wh.load(path)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 1, 2)
    return wh, path


def test_the_load_log_records_how_the_file_was_read(loaded):
    wh, _ = loaded
    ((notes, details),) = wh.query("SELECT notes, details FROM load_log WHERE file_name = '维修_JX101_202503.csv'")
    details = json.loads(details)
    assert details["format"] == "csv" and details["encoding"] == "utf-8" and details["delimiter"] == ","
    assert details["header_row"] == 2
    assert details["mapping"] == [
        ["维修单号", "record_no"],
        ["经销商编号", "dealer_id"],
        ["报表月份", "report_month"],
        ["提交日期", "submitted_on"],
        ["用户姓名", "customer_name"],
        ["服务类型", "service_type"],
        ["报修时间", "requested_at"],
        ["状态", "status"],
        ["人工费(元)", "labor_fee"],
    ]
    assert details["kept_aside"] == ["备注"]
    assert "parts_fee" in details["absent_optional"] and "labor_fee" not in details["absent_optional"]
    assert (details["date_order"], details["ambiguous_dates"]) == ("mdy", 3)
    assert details["rows_after_totals_ignored"] == 1
    assert notes.split("; ")[-2:] == [
        "dates written like 03/05/2025 09:00 are read month/day/year (all 3 such values are valid dates in that order)",
        "1 row after the totals row ignored",
    ]
    assert wh.query("SELECT labor_fee FROM repairs") == [(80,)]


def test_inspect_shows_everything_and_writes_nothing(loaded, capsys):
    wh, path = loaded
    fresh = wh.file(
        "维修_JX101_202504.csv",
        [HEADER, ["R9", "JX101", "2025-04", "2025-05-09", "赵敏", "维修", "2025-04-02 09:00", "已完成", "30", ""]],
    )
    database_before = hashlib.sha256(wh.path.read_bytes()).hexdigest()
    archived_before = sorted(p.name for p in (wh.folder / "archive").rglob("*"))
    code = main(["inspect", str(path), str(fresh), "--db", str(wh.path)])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert hashlib.sha256(wh.path.read_bytes()).hexdigest() == database_before
    assert sorted(p.name for p in (wh.folder / "archive").rglob("*")) == archived_before
    assert wh.query("SELECT count(*) FROM load_log") == [(2,)]
    assert out[0] == (
        "维修_JX101_202503.csv: repairs: 3 rows read, 1 would load, 2 would be rejected (already loaded: "
        "same content as 维修_JX101_202503.csv, load #2; loading it again does nothing)"
    )
    assert out[1:3] == ["  read as: csv, utf-8, separated by commas", "  header line 2"]
    assert out[3].startswith("  columns: 维修单号 -> record_no, 经销商编号 -> dealer_id,")
    assert "人工费(元) -> labor_fee" in out[3]
    assert "  kept aside: 备注" in out
    assert out[out.index("  first rejected rows (of 2):") + 1 : out.index("  first rejected rows (of 2):") + 3] == [
        "    row 4: unknown dealer JX999",
        '    row 5: status "换机" is not one of completed, returned_to_factory, open (已完成, 返厂, 未完成); '
        "labor_fee -5 is negative",
    ]
    second = out.index("维修_JX101_202504.csv: repairs: 1 rows read, 1 would load, 0 would be rejected")
    assert second > 0
    assert wh.query("SELECT count(*) FROM repairs WHERE record_no = 'R9'") == [(0,)]


def test_inspect_without_a_database_and_of_a_file_that_cannot_load(wh, capsys, tmp_path):
    good = wh.file("repairs_2025-03.csv", [HEADER, GOOD])
    bad = wh.file("repairs_2025-05.csv", [["维修单号", "经销商编号"], ["R1", "JX101"]])
    nowhere = tmp_path / "none" / "warehouse.duckdb"
    code = main(["inspect", str(good), str(bad), "--db", str(nowhere)])
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert not nowhere.exists()
    assert out[0] == "repairs_2025-03.csv: repairs: 1 rows read, 1 would load, 0 would be rejected"
    assert "  note: no database yet: dealer ids and callbacks' repairs were not checked" in out
    assert out[-1] == (
        "repairs_2025-05.csv: would be REJECTED (repairs): missing required columns "
        "service_type (服务类型), requested_at (报修时间), status (状态); "
        "headers found: 维修单号, 经销商编号"
    )


def test_inspect_and_the_data_pages_preview_in_chinese(loaded, capsys):
    """Issue 12.2: the same file as above in Chinese (--lang zh), and the Data page's preview of it (app/uploads:
    its notes and message in the page's language, from the report's messages)."""
    from app import uploads
    from etl.config import rules_path
    from etl.preview import inspect_file
    from etl.rules import load_rules

    wh, path = loaded
    assert main(["inspect", str(path), "--db", str(wh.path), "--lang", "zh"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "维修_JX101_202503.csv：repairs：读取 3 行，将导入 1 行，将拒绝 2 行（已导入过：与 维修_JX101_202503.csv "
        "内容相同，即第 2 次导入；再次导入不会改变任何数据）"
    )
    assert out[1:3] == ["  读取方式：csv，utf-8，以逗号分隔", "  表头行 2"]
    assert "  另存的列：备注" in out
    assert "  说明：合计行之后的 1 行已忽略" in out
    first = out.index("  前几条被拒绝的行（共 2 行）：")
    assert out[first + 1] == "    第 4 行：经销商编号 JX999 不在经销商档案中"
    report = inspect_file(path, wh.path, load_rules(rules_path(None)))
    assert uploads.how_read(report, "zh")[-1] == "合计行之后的 1 行已忽略"
    assert uploads.how_read(report, "en")[-1] == "1 row after the totals row ignored"
    table = uploads.preview_table([report], "zh")
    assert table["message"].tolist() == ["与 维修_JX101_202503.csv 内容相同，即第 2 次导入"]
    assert table["notes"].iloc[0].endswith("；合计行之后的 1 行已忽略")
    assert uploads.preview_table([report], "en")["message"].tolist() == [
        "same content as 维修_JX101_202503.csv, load #2"
    ]


def test_the_data_pages_header_mapping_names_a_date_part_in_the_pages_language(wh):
    """Issue 12.2: a repairs file with the date and the time of the request in two columns (报修日期, 报修时间): the
    Data page's mapping table marks the date part's column in the page's language."""
    from app import uploads
    from etl.config import rules_path
    from etl.preview import inspect_file
    from etl.rules import load_rules

    header = ["维修单号", "经销商编号", "报表月份", "提交日期", "服务类型", "报修日期", "报修时间", "状态"]
    path = wh.file(
        "repairs_2025-03.csv",
        [header, ["R1", "JX101", "2025-03", "2025-04-09", "维修", "2025-03-05", "09:00", "已完成"]],
    )
    report = inspect_file(path, wh.path, load_rules(rules_path(None)))
    zh, en = uploads.mapping_table(report, "zh"), uploads.mapping_table(report, "en")
    assert zh.iloc[-1].tolist() == ["报修日期", "requested_at（日期部分）"]
    assert en.iloc[-1].tolist() == ["报修日期", "requested_at (date)"]
    assert zh.iloc[:-1].equals(en.iloc[:-1])  # the whole columns as they are
    assert ["报修时间", "requested_at"] in en.values.tolist()


def _sheet_rows(content: bytes):
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return sheet, [list(row) for row in sheet.iter_rows(values_only=True)]


def test_correction_sheet_in_chinese_lists_each_rejected_row_with_its_cells_and_reason(loaded, tmp_path, capsys):
    wh, _ = loaded
    out = tmp_path / "更正单.xlsx"
    assert main(["rejects", "--file", "维修_JX101_202503.csv", "--out", str(out), "--db", str(wh.path)]) == 0
    sheet, rows = _sheet_rows(out.read_bytes())
    assert rows[0][0] == "数据更正单：维修_JX101_202503.csv"
    assert rows[1][0].endswith("（第 2 次导入）：共 3 行，2 行未能导入，原因见下表。")
    assert rows[2][0].startswith("请在原文件中更正这些行，然后重新提交整个文件")
    header = rows[5]
    assert header == [
        "原文件行号",
        "问题",
        "维修单号",
        "经销商编号",
        "报表月份",
        "提交日期",
        "用户姓名",
        "服务类型",
        "报修时间",
        "状态",
        "人工费(元)",
        "备注",
    ]
    assert rows[6] == [4, "经销商编号 JX999 不在经销商档案中", *UNKNOWN_DEALER[:-1], None]
    assert rows[7] == [
        5,
        "状态“换机”不是可选值之一：completed, returned_to_factory, open (已完成, 返厂, 未完成)；人工费 -5 为负数",
        *BAD_STATUS[:-1],
        None,
    ]
    red = {cell.coordinate for row in sheet.iter_rows(min_row=7) for cell in row if cell.fill.fgColor.rgb == "00F8D7DA"}
    assert red == {"D7", "J8", "K8"}  # 经销商编号 of row 4; 状态 and 人工费(元) of row 5
    assert sheet.freeze_panes == "C7" and sheet.auto_filter.ref == "A6:L8"


def test_correction_sheet_in_english_and_text_never_becomes_a_formula(wh, tmp_path):
    wh.dealers(["JX101", "a"])
    wh.load(
        wh.file(
            "repairs_2025-03.csv",
            [
                HEADER,
                [
                    '=HYPERLINK("x")',
                    "JX999",
                    "2025-03",
                    "2025-04-09",
                    "@A1",
                    "维修",
                    "2025-03-05 09:00",
                    "已完成",
                    "1",
                    "+1",
                ],
            ],
        )
    )
    out = tmp_path / "corrections.xlsx"
    assert (
        main(["rejects", "--file", "repairs_2025-03.csv", "--out", str(out), "--lang", "en", "--db", str(wh.path)]) == 0
    )
    sheet, rows = _sheet_rows(out.read_bytes())
    assert rows[0][0] == "Correction sheet: repairs_2025-03.csv"
    assert rows[5][:3] == ["Row in the file", "Problem", "维修单号"]
    assert rows[6][:3] == [2, "unknown dealer JX999", '=HYPERLINK("x")']
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_rejects_command_refuses_an_unknown_file_or_one_without_rejects(loaded, tmp_path, capsys):
    wh, _ = loaded
    out = tmp_path / "x.xlsx"
    assert main(["rejects", "--file", "nothing.csv", "--out", str(out), "--db", str(wh.path)]) == 2
    assert capsys.readouterr().err == "error: no file named nothing.csv has been loaded\n"
    assert main(["rejects", "--file", "dealers.csv", "--out", str(out), "--db", str(wh.path)]) == 2
    assert capsys.readouterr().err == "error: dealers.csv: no rejected rows to correct\n"
    # issue 12.2: in Chinese, by --lang (the sheet's language and the messages') or by the locale
    assert main(["rejects", "--file", "dealers.csv", "--out", str(out), "--db", str(wh.path), "--lang", "zh"]) == 2
    assert capsys.readouterr().err == "错误：dealers.csv：没有需要更正的被拒绝行\n"
    with pytest.MonkeyPatch.context() as env:
        for name in ("LC_ALL", "LC_MESSAGES"):
            env.delenv(name, raising=False)
        env.setenv("LANG", "zh_CN.UTF-8")
        assert main(["rejects", "--file", "nothing.csv", "--out", str(out), "--db", str(wh.path)]) == 2
    assert capsys.readouterr().err == "错误：还没有导入过名为 nothing.csv 的文件\n"
    assert not out.exists()


def test_the_corrected_file_loads_as_a_resubmission(loaded):
    """The clerk fixes the two rows in the original file and sends it again: all three records load,
    and the dealer-month's first submission (timeliness) stays the first file's."""
    wh, _ = loaded
    corrected = wh.file(
        "维修_JX101_202503_更正.csv",
        [HEADER, GOOD, ["R2", "JX101", *UNKNOWN_DEALER[2:]], [*BAD_STATUS[:7], "已完成", "5", ""]],
    )
    (result,) = wh.load(corrected, today=dt.date(2026, 11, 24))
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 3, 0)
    assert wh.query("SELECT record_no, status, labor_fee FROM repairs ORDER BY 1") == [
        ("R1", "completed", 80),
        ("R2", "completed", 60),
        ("R3", "completed", 5),
    ]
    assert wh.query("SELECT first_submitted_on, submissions FROM report_submissions") == [(dt.date(2025, 4, 9), 2)]


def test_rejected_rows_and_their_kinds_in_the_pages_language(loaded):
    """The Data page in Chinese shows Chinese reasons, worded from the same problems as the English."""
    import duckdb

    from etl.metrics import operations
    from etl.wording import reason_kinds_in_words, rejects_in_words

    wh, _ = loaded
    con = duckdb.connect(str(wh.path), read_only=True)
    try:
        zh = rejects_in_words(operations.rejects(con), "zh")
        en = rejects_in_words(operations.rejects(con), "en")
        kinds_zh = reason_kinds_in_words(operations.reject_reason_kinds(con), "zh")
        found = rejects_in_words(operations.rejects(con), "zh", reason_contains="不在经销商档案中")
    finally:
        con.close()
    assert list(zh["reason"]) == [
        "经销商编号 JX999 不在经销商档案中",
        "状态“换机”不是可选值之一：completed, returned_to_factory, open (已完成, 返厂, 未完成)；人工费 -5 为负数",
    ]
    assert list(en["reason"]) == [
        "unknown dealer JX999",
        'status "换机" is not one of completed, returned_to_factory, open '
        "(已完成, 返厂, 未完成); labor_fee -5 is negative",
    ]
    assert list(found["row_no"]) == [4]
    assert sorted(zip(kinds_zh["reason_kind"], kinds_zh["rows"])) == [
        ("人工费 … 为负数", 1),
        ("状态“…”不是可选值之一：completed, returned_to_factory, open (已完成, 返厂, 未完成)", 1),
        ("经销商编号 … 不在经销商档案中", 1),
    ]
