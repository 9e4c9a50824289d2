"""Issue 11: names, phones and addresses of rejected rows are masked on the Data page and in its
Excel download, as every other page masks them (phone 138****5678, name 张*, address not shown);
the dealer's correction sheet, which goes back to the dealer who sent the rows, keeps them whole.

The database: dealer D1; a repairs file with Chinese headers, the phone under 手机号码 (a spelling
the aliases file adds) and a decorated 用户姓名：, where R1 (张三丰 13812345678, 杭州市西湖区文三路1号)
has status "done" and R2 (李四 13900001111, 杭州市滨江区) has two cells beyond the header
(13711112222 and 王五); R3 (赵六) loads. A hotline file whose H1 (13500004444) has an unknown ticket type.
"""

from __future__ import annotations

import io
import json

import duckdb
import openpyxl
import pytest

from app import data, excel, tables
from app_pages import open_page
from etl.corrections import correction_workbook
from etl.db import apply_rules
from etl.metrics import operations
from etl.wording import reason_kinds_in_words

REPAIRS = [
    "维修单号",
    "经销商编号",
    "报表月份",
    "提交日期",
    "用户姓名：",
    "手机号码",
    "地址",
    "服务类型",
    "报修时间",
    "状态",
]
HOTLINE = ["工单号", "受理时间", "经销商编号", "工单类型", "联系电话"]
WHOLE = [
    "张三丰",
    "13812345678",
    "杭州市西湖区文三路1号",
    "李四",
    "13900001111",
    "杭州市滨江区",
    "13711112222",
    "王五",
    "13500004444",
]


@pytest.fixture
def rejected(wh, monkeypatch):
    aliases = wh.folder / "aliases.toml"
    aliases.write_text('[repairs]\ncustomer_phone = ["手机号码"]\n', encoding="utf-8")
    monkeypatch.setenv("SERVICE_QC_HEADER_ALIASES", str(aliases))
    wh.dealers(["D1", "一号"])
    repairs = wh.load(
        wh.file(
            "维修_D1_202503.csv",
            [
                REPAIRS,
                [
                    "R1",
                    "D1",
                    "2025-03",
                    "2025-04-10",
                    "张三丰",
                    "13812345678",
                    "杭州市西湖区文三路1号",
                    "维修",
                    "2025-03-02 09:00",
                    "done",
                ],
                [
                    "R2",
                    "D1",
                    "2025-03",
                    "2025-04-10",
                    "李四",
                    "13900001111",
                    "杭州市滨江区",
                    "维修",
                    "2025-03-03 09:00",
                    "已完成",
                    "13711112222",
                    "王五",
                ],
                [
                    "R3",
                    "D1",
                    "2025-03",
                    "2025-04-10",
                    "赵六",
                    "13700002222",
                    "杭州市",
                    "维修",
                    "2025-03-04 09:00",
                    "已完成",
                ],
            ],
        )
    )
    hotline = wh.load(wh.file("热线_2025-03.csv", [HOTLINE, ["H1", "2025-03-05 10:00", "D1", "催单", "13500004444"]]))
    assert [(r.rows_loaded, r.rows_rejected) for r in repairs + hotline] == [(1, 2), (0, 1)]
    monkeypatch.setenv("SERVICE_QC_DB", str(wh.path))
    return wh


def cells_of(frame) -> str:
    return "\n".join(str(v) for v in frame.astype(str).to_numpy().ravel())


def test_rejected_rows_are_masked_in_the_data_the_page_shows(rejected):
    shown = data.load_rejects(data.Source.of(rejected.path, rejected.rules), None, None)
    assert shown.columns.tolist() == ["load_id", "file_name", "kind", "sheet", "row_no", "reason", "raw_values"]
    by_row = {
        (kind, row): (reason, json.loads(raw))
        for kind, row, reason, raw in shown[["kind", "row_no", "reason", "raw_values"]].itertuples(index=False)
    }
    assert by_row[("repairs", 2)][1] == {
        "维修单号": "R1",
        "经销商编号": "D1",
        "报表月份": "2025-03",
        "提交日期": "2025-04-10",
        "用户姓名：": "张*",
        "手机号码": "138****5678",
        "地址": "***",
        "服务类型": "维修",
        "报修时间": "2025-03-02 09:00",
        "状态": "done",
    }
    reason, values = by_row[("repairs", 3)]
    assert (values["用户姓名："], values["手机号码"], values["地址"]) == ("李*", "139****1111", "***")
    # the two cells beyond the header have no header to say they are not personal: masked too
    assert reason == "the row has more values than the header has columns: 137****2222\t王*"
    assert by_row[("hotline", 2)][1]["联系电话"] == "135****4444"
    assert by_row[("hotline", 2)][0].startswith('ticket_type "催单" is not one of')
    assert not [value for value in WHOLE if value in cells_of(shown)]


def test_the_reason_filter_finds_what_is_shown_not_what_is_hidden(rejected):
    source = data.Source.of(rejected.path, rejected.rules)
    assert data.load_rejects(source, None, "13711112222").empty
    assert data.load_rejects(source, None, "王五").empty
    assert data.load_rejects(source, None, "137****2222")["row_no"].tolist() == [3]
    assert data.load_rejects(source, "热线_2025-03.csv", "TICKET_TYPE")["row_no"].tolist() == [2]


def test_the_rejects_download_and_the_grouped_reasons_are_masked(rejected):
    shown = data.load_rejects(data.Source.of(rejected.path, rejected.rules), None, None)
    content = excel.workbook([excel.Sheet("被拒绝的行", shown, tables.REJECTS)], [("文件", "全部")], "zh")
    book = openpyxl.load_workbook(io.BytesIO(content))
    text = "\n".join(str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row)
    assert "138****5678" in text and "张*" in text and "135****4444" in text
    assert not [value for value in WHOLE if value in text]
    con = duckdb.connect(str(rejected.path), read_only=True)
    try:
        apply_rules(con, rejected.rules)
        kinds = reason_kinds_in_words(operations.reject_reason_kinds(con), "en")
    finally:
        con.close()
    assert sorted(kinds["reason_kind"]) == [
        'status "…" is not one of completed, returned_to_factory, open (已完成, 返厂, 未完成)',
        "the row has more values than the header has columns: …",
        'ticket_type "…" is not one of repair_request, complaint, inquiry (报修, 投诉, 咨询)',
    ]


def test_the_data_page_table_shows_the_rows_masked(rejected):
    at = open_page("data", lang="en")
    table = next(d.value for d in at.dataframe if "Values as read" in d.value.columns)
    assert len(table) == 3 and "138****5678" in cells_of(table)
    assert not [value for value in WHOLE if value in cells_of(table)]


def test_the_correction_sheet_for_the_dealer_keeps_the_values_as_written(rejected):
    con = duckdb.connect(str(rejected.path), read_only=True)
    try:
        book = openpyxl.load_workbook(io.BytesIO(correction_workbook(con, "维修_D1_202503.csv", "zh")))
    finally:
        con.close()
    text = "\n".join(str(cell.value) for row in book.active.iter_rows() for cell in row)
    assert all(
        value in text
        for value in ["张三丰", "13812345678", "杭州市西湖区文三路1号", "李四", "13900001111", "13711112222", "王五"]
    )


def test_headers_are_recognised_by_their_spelling_when_the_load_left_no_mapping(wh):
    wh.dealers(["D1"])  # any database: the masks are computed by its connection
    con = duckdb.connect(str(wh.path), read_only=True)
    try:
        rows = operations.pd.DataFrame(
            {
                "kind": ["repairs", None],
                "reason": ["x", "y"],
                "raw_values": [
                    json.dumps(
                        {
                            "Customer Phone (mobile)": "021-5555",
                            "CUSTOMER_NAME": " 欧阳娜娜 ",
                            "Address": "上海",
                            "record_no": "=1+1",
                        },
                        ensure_ascii=False,
                    ),
                    json.dumps({"联系电话": "13812345678", "comment": "13812345678"}, ensure_ascii=False),
                ],
            }
        )
        masked = operations.masked_rejects(con, rows)
    finally:
        con.close()
    # 021-5555: eight characters, its last four kept; a name keeps its first character, trimmed
    assert json.loads(masked["raw_values"][0]) == {
        "Customer Phone (mobile)": "****5555",
        "CUSTOMER_NAME": "欧*",
        "Address": "***",
        "record_no": "=1+1",
    }
    # without a kind, every kind's spellings count; a column that is not personal is left as it is
    assert json.loads(masked["raw_values"][1]) == {"联系电话": "138****5678", "comment": "13812345678"}
