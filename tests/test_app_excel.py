"""Excel downloads: the data first, then the filters they were made with; values stay numbers with readable
formats, headers frozen with an autofilter, sheet names cut at a whole word."""

import datetime as dt
import io

import openpyxl
import pandas as pd

from app import excel, tables
from etl.packs import xlsx


def test_the_data_comes_first_and_the_last_sheet_lists_the_filters_and_the_time():
    frame = pd.DataFrame(
        {
            "dealer_id": ["D1"],
            "dealer_name": ["一号"],
            "region": ["华东"],
            "sales_amount": [150000.0],
            "fee_base": [1500.0],
            "max_consecutive_missing": [9],
            "missing_deduction": [150.0],
            "fake_records": [1],
            "fake_penalty": [1500.0],
            "complaints": [1],
            "complaint_deduction": [0.0],
            "net_fee": [0.0],
        }
    )
    content = excel.workbook(
        [excel.Sheet("维修费结算: 2025/年", frame, tables.SETTLEMENT, {"fee_base": 1500.0, "net_fee": 0.0})],
        [("大区", "华东"), ("年度", "2025")],
        "zh",
        dt.datetime(2026, 1, 2, 3, 4, 5),
    )
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["维修费结算 2025 年", "筛选条件"]  # issue 14: a reader of the first sheet gets data
    cover = [[cell.value for cell in row] for row in book["筛选条件"].iter_rows()]
    assert cover == [["条件", "取值"], ["大区", "华东"], ["年度", "2025"], ["生成时间", "2026-01-02 03:04:05"]]
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:L2"  # the totals row left out of the filter
    assert sheet.column_dimensions["B"].width == 2 * len("经销商名称") + 2  # fits the header (wider than "一号")
    assert [cell.value for cell in sheet[1]][:5] == ["经销商编号", "经销商名称", "大区", "结算金额", "维修费基数"]
    assert sheet["E2"].value == 1500 and sheet["E2"].number_format == '"¥"#,##0.00'
    assert [sheet["A3"].value, sheet["E3"].value, sheet["L3"].value] == ["合计", 1500, 0]  # the totals row


def test_sheet_names_end_on_a_whole_word_and_stay_unique():
    frame = pd.DataFrame({"dealer_id": ["D1"], "dealer_name": ["Hangzhou Xihu Appliance Service Center Ltd"]})
    spec = [("dealer_id", "text"), ("dealer_name", "text")]
    title = "Dealers needing attention this quarter"  # 38 characters
    book = openpyxl.load_workbook(
        io.BytesIO(
            excel.workbook(
                [excel.Sheet(title, frame, spec), excel.Sheet(title, frame, spec), excel.Sheet("Filters", frame, spec)],
                [],
                "en",
            )
        )
    )
    assert book.sheetnames == ["Dealers needing attention this", "Dealers needing attention 2", "Filters 2", "Filters"]
    assert book.worksheets[0].column_dimensions["B"].width == len("Hangzhou Xihu Appliance Service Center Ltd") + 2
    assert xlsx._cut("维修费结算表" * 6, 31) == ("维修费结算表" * 6)[:31]


def test_codes_are_translated_and_rates_keep_a_percent_format():
    frame = pd.DataFrame(
        {
            "month": [dt.date(2025, 3, 1)],
            "report_due_on": [dt.date(2025, 4, 15)],
            "first_submitted_on": [None],
            "last_submitted_on": [None],
            "submissions": [0],
            "days_late": [None],
            "status": ["missing"],
        }
    )
    book = openpyxl.load_workbook(
        io.BytesIO(excel.workbook([excel.Sheet("Reports", frame, tables.TIMELINESS)], [], "en"))
    )
    sheet = book["Reports"]
    assert sheet["G2"].value == "missing" and sheet["A2"].number_format == "yyyy-mm"
    ranking = pd.DataFrame(
        {c: [0.25] if kind == "percent" else ["x"] if kind in ("text", "code") else [1] for c, kind in tables.RANKING}
    )
    book = openpyxl.load_workbook(
        io.BytesIO(excel.workbook([excel.Sheet("Dealers", ranking, tables.RANKING)], [], "en"))
    )
    headers = [cell.value for cell in book["Dealers"][1]]
    miss_rate = book["Dealers"].cell(row=2, column=headers.index("Miss rate") + 1)
    assert miss_rate.value == 0.25 and miss_rate.number_format == "0.0%"
