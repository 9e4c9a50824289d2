"""Row values (spec 2 and 6): every accepted spelling parses to the value a person means, and
every bad row gets its exact reason in `rejects` while the good rows of its file still load."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from etl.validate import nfkc

pytestmark = pytest.mark.usefixtures("prebuilt_warehouse")

REPAIR_COLUMNS = [
    "record_no",
    "dealer_id",
    "report_month",
    "submitted_on",
    "service_type",
    "requested_at",
    "arrived_at",
    "completed_at",
    "status",
    "in_warranty",
    "labor_fee",
    "parts_fee",
    "purchase_date",
    "customer_phone",
]
REPAIR_DEFAULTS = dict(
    dealer_id="JX101",
    report_month="2026-03",
    submitted_on="2026-04-09",
    service_type="repair",
    requested_at="2026-03-05 09:00",
    arrived_at="2026-03-05 15:00",
    completed_at="2026-03-05 17:00",
    status="completed",
    in_warranty="Y",
    labor_fee="80",
    parts_fee="0",
    purchase_date="2025-06-01",
    customer_phone="13805712345",
)
SERVICE_TYPE = "one of install, repair, maintenance (安装, 维修, 保养)"
STATUS = "one of completed, returned_to_factory, open (已完成, 返厂, 未完成)"


def repair(record_no, **values) -> list[str]:
    row = dict(REPAIR_DEFAULTS, record_no=record_no, **values)
    return [row[c] for c in REPAIR_COLUMNS]


def load_repairs(wh, *rows, name="repairs_2026-03.csv", **load):
    return wh.load(wh.file(name, [REPAIR_COLUMNS, *rows]), **load)


def counts(results):
    return [(r.status, r.rows_read, r.rows_loaded, r.rows_rejected) for r in results]


def rejects(wh, file_name=None):
    where = "WHERE file_name = ?" if file_name else ""
    return wh.query(
        f"SELECT row_no, reason FROM rejects {where} ORDER BY load_id, row_no", [file_name] if file_name else []
    )


@pytest.fixture
def roster(wh):
    wh.dealers(["JX101", "杭州西湖家电服务部"], ["JX102", "宁波江北家电"])
    return wh


# ---------------------------------------------------------------- spellings


def test_every_date_and_time_spelling(roster):
    wh = roster
    spellings = {
        "D01": ("2026-03-05", dt.datetime(2026, 3, 5, 0, 0)),
        "D02": ("2026/3/5", dt.datetime(2026, 3, 5, 0, 0)),
        "D03": ("2026-03-05 14:30", dt.datetime(2026, 3, 5, 14, 30)),
        "D04": ("2026/3/5 14:30", dt.datetime(2026, 3, 5, 14, 30)),
        "D05": ("2026-03-05 14:30:15", dt.datetime(2026, 3, 5, 14, 30, 15)),
        "D06": ("2026/3/5 14:30:15", dt.datetime(2026, 3, 5, 14, 30, 15)),
        "D07": ("2026年3月5日", dt.datetime(2026, 3, 5, 0, 0)),
        "D08": ("2026年3月5日 14:30", dt.datetime(2026, 3, 5, 14, 30)),
        "D09": ("46086", dt.datetime(2026, 3, 5, 0, 0)),  # Excel serial: 1899-12-30 + 46086 days
        "D10": ("46086.6", dt.datetime(2026, 3, 5, 14, 24)),  # .6 of a day = 14:24
        "D11": ("２０２６－０３－０５　１４：３０", dt.datetime(2026, 3, 5, 14, 30)),  # full-width
        "D12": ("２０２６年３月５日", dt.datetime(2026, 3, 5, 0, 0)),
        "D13": ("  2026-03-05 14:30\u3000", dt.datetime(2026, 3, 5, 14, 30)),  # blanks around
        "D14": ("2026/03/05 08:05", dt.datetime(2026, 3, 5, 8, 5)),
    }
    rows = [
        repair(no, requested_at=text, arrived_at="", completed_at="", status="open")
        for no, (text, _) in spellings.items()
    ]
    assert counts(load_repairs(wh, *rows)) == [("loaded", 14, 14, 0)]
    assert wh.query("SELECT record_no, requested_at FROM repairs ORDER BY record_no") == [
        (no, value) for no, (_, value) in spellings.items()
    ]


def test_date_columns_take_the_same_spellings_and_drop_the_time(roster):
    wh = roster
    # 1 April 2026: after the March report month, so a plausible submission date too.
    spellings = {
        "P1": ("2026-04-01", dt.date(2026, 4, 1)),
        "P2": ("2026/4/1", dt.date(2026, 4, 1)),
        "P3": ("2026年4月1日", dt.date(2026, 4, 1)),
        "P4": ("2026-04-01 10:30", dt.date(2026, 4, 1)),
        "P5": ("46113", dt.date(2026, 4, 1)),
        "P6": ("46113.75", dt.date(2026, 4, 1)),
        "P7": ("２０２６／４／１", dt.date(2026, 4, 1)),
        "P8": ("2026/4/1 10:30:59", dt.date(2026, 4, 1)),
    }
    rows = [repair(no, purchase_date=text, submitted_on=text) for no, (text, _) in spellings.items()]
    assert counts(load_repairs(wh, *rows)) == [("loaded", 8, 8, 0)]
    assert wh.query("SELECT record_no, purchase_date, submitted_on FROM repairs ORDER BY record_no") == [
        (no, value, value) for no, (_, value) in spellings.items()
    ]


def test_every_month_spelling(roster):
    wh = roster
    spellings = [
        ("M1", "2026-01", 1),
        ("M2", "2026/02", 2),
        ("M3", "202603", 3),
        ("M4", "2026年4月", 4),
        ("M5", "２０２６－０５", 5),
        ("M6", "2026年06月", 6),
        ("M7", " 2026-07 ", 7),
        ("M8", "２０２６０８", 8),
    ]
    rows = [
        repair(
            no,
            report_month=text,
            requested_at=f"2026-{m:02d}-05 09:00",
            submitted_on=f"2026-{m + 1:02d}-09",
            arrived_at=f"2026-{m:02d}-05 10:00",
            completed_at=f"2026-{m:02d}-05 11:00",
        )
        for no, text, m in spellings
    ]
    assert counts(load_repairs(wh, *rows, name="repairs_all.csv")) == [("loaded", 8, 8, 0)]
    assert wh.query("SELECT record_no, report_month FROM repairs ORDER BY record_no") == [
        (no, dt.date(2026, m, 1)) for no, _, m in spellings
    ]
    assert wh.query("SELECT report_month, first_submitted_on FROM report_submissions ORDER BY 1") == [
        (dt.date(2026, m, 1), dt.date(2026, m + 1, 9)) for _, _, m in spellings
    ]


def test_sales_month_spellings(roster):
    wh = roster
    path = wh.file(
        "sales_2026.csv",
        [
            ["dealer_id", "month", "units_sold", "sales_amount"],
            ["JX101", "2026-01", "100", "150000"],
            ["JX101", "2026/02", "１２０", "１８０，０００．５０"],
            ["JX101", "202603", " 90 ", "¥135,000"],
            ["JX101", "2026年4月", "0", "0"],
            ["JX101", "２０２６－０５", "3.0", "4500元"],
        ],
    )
    assert counts(wh.load(path)) == [("loaded", 5, 5, 0)]
    assert wh.query("SELECT month, units_sold, sales_amount FROM sales ORDER BY month") == [
        (dt.date(2026, 1, 1), 100, Decimal("150000.00")),
        (dt.date(2026, 2, 1), 120, Decimal("180000.50")),
        (dt.date(2026, 3, 1), 90, Decimal("135000.00")),
        (dt.date(2026, 4, 1), 0, Decimal("0.00")),
        (dt.date(2026, 5, 1), 3, Decimal("4500.00")),
    ]


def test_every_boolean_spelling(roster):
    wh = roster
    spellings = [
        ("Y", True),
        ("N", False),
        ("y", True),
        ("n", False),
        ("yes", True),
        ("no", False),
        ("Yes", True),
        ("NO", False),
        ("true", True),
        ("false", False),
        ("TRUE", True),
        ("False", False),
        ("1", True),
        ("0", False),
        ("是", True),
        ("否", False),
        ("有", True),
        ("无", False),
        ("Ｙ", True),
        ("　否　", False),
        ("", None),
    ]
    rows = [repair(f"B{n:02d}", in_warranty=text) for n, (text, _) in enumerate(spellings)]
    assert counts(load_repairs(wh, *rows)) == [("loaded", 21, 21, 0)]
    assert wh.query("SELECT record_no, in_warranty FROM repairs ORDER BY record_no") == [
        (f"B{n:02d}", value) for n, (_, value) in enumerate(spellings)
    ]


def test_amounts_with_full_width_digits_currency_signs_and_separators(roster):
    wh = roster
    spellings = [
        ("80", "80.00"),
        ("80.5", "80.50"),
        ("１２０．５０", "120.50"),
        ("¥80", "80.00"),
        ("￥80", "80.00"),
        ("80元", "80.00"),
        ("1,200.50", "1200.50"),
        ("  35  ", "35.00"),
        ("\u300035\u3000", "35.00"),
        ("0", "0.00"),
        ("", None),
    ]
    rows = [repair(f"A{n:02d}", labor_fee=text) for n, (text, _) in enumerate(spellings)]
    assert counts(load_repairs(wh, *rows)) == [("loaded", 11, 11, 0)]
    assert wh.query("SELECT record_no, labor_fee FROM repairs ORDER BY record_no") == [
        (f"A{n:02d}", Decimal(v) if v else None) for n, (_, v) in enumerate(spellings)
    ]


def test_choices_in_english_any_case_or_chinese(roster):
    wh = roster
    rows = [
        repair("C1", service_type="install", status="completed"),
        repair("C2", service_type="安装", status="已完成"),
        repair("C3", service_type="REPAIR", status="Returned_To_Factory"),
        repair("C4", service_type="维修", status="返厂"),
        repair("C5", service_type="Maintenance", status="OPEN", arrived_at="", completed_at=""),
        repair("C6", service_type=" 保养 ", status="未完成", arrived_at="", completed_at=""),
    ]
    assert counts(load_repairs(wh, *rows)) == [("loaded", 6, 6, 0)]
    assert wh.query("SELECT record_no, service_type, status FROM repairs ORDER BY 1") == [
        ("C1", "install", "completed"),
        ("C2", "install", "completed"),
        ("C3", "repair", "returned_to_factory"),
        ("C4", "repair", "returned_to_factory"),
        ("C5", "maintenance", "open"),
        ("C6", "maintenance", "open"),
    ]


def test_keys_and_values_are_trimmed_of_blanks_including_full_width_ones(roster):
    wh = roster
    rows = [
        repair("\u3000R1\u3000", dealer_id="\u3000JX101\u3000", customer_phone=" 13805712345 "),
        repair(" R2", dealer_id="JX102 ", customer_phone="\u3000\u3000"),
    ]
    assert counts(load_repairs(wh, *rows)) == [("loaded", 2, 2, 0)]
    assert wh.query("SELECT dealer_id, record_no, customer_phone FROM repairs ORDER BY 1") == [
        ("JX101", "R1", "13805712345"),
        ("JX102", "R2", None),
    ]


def test_dealer_roster_values(wh):
    path = wh.file(
        "经销商档案.csv",
        [
            [
                "经销商编号",
                "经销商名称",
                "大区",
                "省份",
                "城市",
                "区域类型",
                "维修人员数",
                "服务网点",
                "签约日期",
                "解约日期",
            ],
            ["JX101", "杭州西湖家电服务部", "华东", "浙江", "杭州", "市区", "３", "有", "2020/1/15", ""],
            ["JX102", "淳安千岛湖家电", "华东", "浙江", "杭州", "郊县", " 0 ", "无", "2021年6月1日", "2026-06-30"],
            ["JX103", "Urban Co", "", "", "", "URBAN", "", "", "", ""],
        ],
    )
    assert counts(wh.load(path)) == [("loaded", 3, 3, 0)]
    assert wh.query(
        "SELECT dealer_id, dealer_name, region, area_type, technicians, has_service_center, "
        "joined_on, left_on FROM dealers ORDER BY 1"
    ) == [
        ("JX101", "杭州西湖家电服务部", "华东", "urban", 3, True, dt.date(2020, 1, 15), None),
        ("JX102", "淳安千岛湖家电", "华东", "county", 0, False, dt.date(2021, 6, 1), dt.date(2026, 6, 30)),
        ("JX103", "Urban Co", None, "urban", None, None, None, None),
    ]


# ---------------------------------------------------------------- callbacks: satisfaction, link to repairs

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
    "conduct_issue",
]


def test_satisfaction_labels_and_digits(roster):
    wh = roster
    load_repairs(wh, repair("R1"))
    answers = [
        ("非常满意", 5),
        ("满意", 4),
        ("一般", 3),
        ("基本满意", 3),
        ("不满意", 2),
        ("非常不满意", 1),
        ("5", 5),
        ("4", 4),
        ("3", 3),
        ("2", 2),
        ("1", 1),
        ("５", 5),
        (" 满意 ", 4),
        ("", None),
    ]
    rows = [
        [f"HF{n:02d}", "R1", "JX101", "2026-04-12 10:00", "是", "是", "是", text, "否", ""]
        for n, (text, _) in enumerate(answers)
    ]
    path = wh.file("callbacks_2026-04.csv", [CALLBACK_HEADER, *rows])
    assert counts(wh.load(path)) == [("loaded", 14, 14, 0)]
    assert wh.query("SELECT callback_id, satisfaction FROM callbacks ORDER BY 1") == [
        (f"HF{n:02d}", value) for n, (_, value) in enumerate(answers)
    ]


def test_callback_rows_rejected_with_exact_reasons(roster):
    wh = roster
    load_repairs(wh, repair("R1"), repair("R1", dealer_id="JX102"), repair("R2"))
    path = wh.file(
        "callbacks_2026-04.csv",
        [
            ["总部回访记录"],
            CALLBACK_HEADER,  # line 2
            ["HF1", "R1", "JX101", "2026-04-12 10:00", "Y", "Y", "Y", "5", "N", ""],  # good
            ["HF2", "R1", "JX101", "2026-04-12 10:00", "Y", "Y", "Y", "很好", "N", ""],
            ["HF3", "R404", "JX101", "2026-04-12 10:00", "Y", "Y", "Y", "4", "N", ""],
            ["HF4", "R2", "JX102", "2026-04-12 10:00", "Y", "Y", "Y", "4", "N", ""],  # R2 is JX101's
            ["HF5", "R1", "D123", "2026-04-12 10:00", "Y", "Y", "Y", "4", "N", ""],
            ["HF6", "R1", "JX101", "", "", "Y", "Y", "6", "maybe", ""],
            ["HF1", "R1", "JX102", "2026-04-13 10:00", "Y", "Y", "Y", "4", "N", ""],  # same id again
            ["", "", "JX101", "2026-04-12 10:00", "N", "", "", "", "", ""],
            ["HF7", "R1", "JX102", "2026/4/14 9:30", "否", "", "", "", "", "收礼"],  # good, JX102's R1
        ],
    )
    assert counts(wh.load(path)) == [("loaded", 9, 2, 7)]
    assert rejects(wh) == [
        (4, 'satisfaction "很好" is not a known answer'),
        (5, "record_no R404 is not a loaded repair of dealer JX101"),
        (6, "record_no R2 is not a loaded repair of dealer JX102"),
        (7, "unknown dealer D123"),
        (
            8,
            'called_at is empty; reached is empty; satisfaction "6" is not a known answer; '
            'complaint "maybe" is not yes or no',
        ),
        (9, "duplicate callback_id HF1 in file"),
        (10, "callback_id is empty; record_no is empty"),
    ]
    assert wh.query(
        "SELECT callback_id, record_no, dealer_id, called_at, reached, satisfaction, conduct_issue, "
        "row_no FROM callbacks ORDER BY 1"
    ) == [
        ("HF1", "R1", "JX101", dt.datetime(2026, 4, 12, 10, 0), True, 5, None, 3),
        ("HF7", "R1", "JX102", dt.datetime(2026, 4, 14, 9, 30), False, None, "收礼", 11),
    ]


def test_callback_on_a_repair_loaded_in_the_same_call_passes(roster):
    """Kinds apply in order: the repairs file loads before the callbacks file given first."""
    wh = roster
    callbacks = wh.file(
        "callbacks_2026-04.csv",
        [
            CALLBACK_HEADER,
            ["HF1", "R7", "JX101", "2026-04-12 10:00", "Y", "Y", "Y", "5", "N", ""],
            ["HF2", "R8", "JX101", "2026-04-12 10:00", "Y", "Y", "Y", "5", "N", ""],
        ],
    )
    repairs = wh.file("repairs_2026-03.csv", [REPAIR_COLUMNS, repair("R7")])
    results = wh.load(callbacks, repairs)
    assert [(r.file, r.kind, r.rows_loaded, r.rows_rejected) for r in results] == [
        ("repairs_2026-03.csv", "repairs", 1, 0),
        ("callbacks_2026-04.csv", "callbacks", 1, 1),
    ]
    assert wh.query("SELECT callback_id FROM callbacks") == [("HF1",)]
    assert rejects(wh) == [(3, "record_no R8 is not a loaded repair of dealer JX101")]


def test_same_record_no_under_two_dealers_is_fine(roster):
    wh = roster
    results = load_repairs(wh, repair("R9"), repair("R9", dealer_id="JX102", service_type="install"))
    assert counts(results) == [("loaded", 2, 2, 0)]
    assert wh.query("SELECT dealer_id, record_no, service_type FROM repairs ORDER BY 1") == [
        ("JX101", "R9", "repair"),
        ("JX102", "R9", "install"),
    ]
    path = wh.file(
        "callbacks_x.csv",
        [
            CALLBACK_HEADER,
            ["HF1", "R9", "JX101", "2026-04-12 10:00", "Y", "Y", "Y", "5", "N", ""],
            ["HF2", "R9", "JX102", "2026-04-12 11:00", "Y", "Y", "N", "2", "Y", ""],
        ],
    )
    assert counts(wh.load(path)) == [("loaded", 2, 2, 0)]
    assert wh.query("SELECT callback_id, dealer_id, record_no FROM callbacks ORDER BY 1") == [
        ("HF1", "JX101", "R9"),
        ("HF2", "JX102", "R9"),
    ]


# ---------------------------------------------------------------- repairs: exact reasons


def test_repair_rows_rejected_with_exact_reasons_good_rows_still_load(roster):
    wh = roster
    path = wh.file(
        "维修_JX101_202603.csv",
        [
            ["杭州西湖家电服务部 2026年3月 维修质量信息反馈单"],  # line 1
            REPAIR_COLUMNS,  # line 2
            repair("R1"),  # 3 good
            repair("R2", dealer_id="D123"),
            repair("R3", arrived_at="2026-03-05 08:59"),
            repair("R4", completed_at="2026-03-05 14:59"),
            repair("R5", arrived_at="", completed_at="2026-03-05 08:00"),
            repair("R6", service_type="换机"),
            repair("R7", status="done"),
            repair("R8", labor_fee="-5", parts_fee="－０．５"),
            repair("R9"),  # 11 good
            repair("R9", status="open"),
            repair(" R9 "),
            repair("", dealer_id="", service_type="", requested_at="", status=""),
            repair(
                "R10",
                requested_at="2026-02-30 09:00",
                purchase_date="yesterday",
                in_warranty="maybe",
                labor_fee="abc",
                report_month="2026-13",
                submitted_on="soon",
            ),
            repair("R11", service_type="换机", status="done", requested_at="2026-03-05 18:00", dealer_id="D9"),
            repair("R12", arrived_at="", completed_at="", status="open"),  # 17 good
            ["合计", "", "", "", "", "", "", "", "", "", "80", "", "", ""],
        ],
    )
    assert counts(wh.load(path)) == [("loaded", 15, 3, 12)]
    assert wh.query("SELECT record_no, row_no FROM repairs ORDER BY row_no") == [("R1", 3), ("R9", 11), ("R12", 17)]
    assert rejects(wh) == [
        (4, "unknown dealer D123"),
        (5, "arrived_at before requested_at"),
        (6, "completed_at before arrived_at"),
        (7, "completed_at before requested_at"),
        (8, f'service_type "换机" is not {SERVICE_TYPE}'),
        (9, f'status "done" is not {STATUS}'),
        (10, "labor_fee -5 is negative; parts_fee -0.5 is negative"),
        (12, "duplicate record_no R9 in file"),
        (13, "duplicate record_no R9 in file"),
        (14, "record_no is empty; dealer_id is empty; service_type is empty; requested_at is empty; status is empty"),
        (
            15,
            'report_month "2026-13" is not a month; submitted_on "soon" is not a date; '
            'purchase_date "yesterday" is not a date; requested_at "2026-02-30 09:00" is not a date and time; '
            'in_warranty "maybe" is not yes or no; labor_fee "abc" is not an amount',
        ),
        (
            16,
            f'service_type "换机" is not {SERVICE_TYPE}; status "done" is not {STATUS}; '
            "arrived_at before requested_at; completed_at before requested_at; unknown dealer D9",
        ),
    ]
    assert wh.query("SELECT DISTINCT file_name, kind, load_id FROM rejects") == wh.query(
        "SELECT file_name, kind, load_id FROM load_log WHERE file_name = '维修_JX101_202603.csv'"
    )


def test_rejects_keep_the_raw_values_as_written(roster):
    wh = roster
    path = wh.file(
        "repairs_2026-03.xlsx",
        [
            ["维修记录"],
            ["维修单号", "经销商编号", "服务类型", "报修时间", "上门时间", "状态", "人工费", "备注"],
            [
                "\u3000R1\u3000",
                "\u3000D123\u3000",
                "维修",
                dt.datetime(2026, 3, 5, 9, 0),
                46086.25,
                "已完成",
                "１２０",
                "x",
            ],
        ],
    )
    assert counts(wh.load(path)) == [("loaded", 1, 0, 1)]
    [(file_name, kind, row_no, reason, raw)] = wh.query(
        "SELECT file_name, kind, row_no, reason, raw_values FROM rejects"
    )
    assert (file_name, kind, row_no) == ("repairs_2026-03.xlsx", "repairs", 3)
    assert reason == "arrived_at before requested_at; unknown dealer D123"
    assert json.loads(raw) == {
        "维修单号": "\u3000R1\u3000",
        "经销商编号": "\u3000D123\u3000",
        "服务类型": "维修",
        "报修时间": "2026-03-05 09:00:00",
        "上门时间": "46086.25",
        "状态": "已完成",
        "人工费": "１２０",
        "备注": "x",
    }


def test_report_month_cell_wins_over_the_file_name_and_a_bad_one_is_rejected(roster):
    """The month in the name is used only where the report_month cell is empty."""
    wh = roster
    rows = [
        repair("R1", report_month="2026-02", requested_at="2026-02-05 09:00", arrived_at="", completed_at=""),
        repair("R2", report_month=""),
        repair("R3", report_month="garbage"),
    ]
    assert counts(load_repairs(wh, *rows, name="repairs_JX101_2026-03.csv")) == [("loaded", 3, 2, 1)]
    assert wh.query("SELECT record_no, report_month FROM repairs ORDER BY 1") == [
        ("R1", dt.date(2026, 2, 1)),
        ("R2", dt.date(2026, 3, 1)),
    ]
    assert rejects(wh) == [(4, 'report_month "garbage" is not a month')]


def test_empty_report_month_without_a_month_in_the_name_is_rejected(roster):
    wh = roster
    assert counts(load_repairs(wh, repair("R1"), repair("R2", report_month=""), name="repairs_JX101.csv")) == [
        ("loaded", 2, 1, 1)
    ]
    assert rejects(wh) == [(3, "report_month is empty")]


# ---------------------------------------------------------------- other kinds: exact reasons


def test_dealer_rows_rejected_with_exact_reasons(wh):
    path = wh.file(
        "dealers.csv",
        [
            ["dealer_id", "dealer_name", "area_type", "technicians", "has_service_center", "joined_on", "left_on"],
            ["JX101", "A", "urban", "2", "Y", "2020-01-01", ""],
            ["JX102", "B", "城区", "2", "Y", "", ""],
            ["JX103", "", "county", "-1", "Y", "", ""],
            ["JX104", "D", "county", "2.5", "sometimes", "2024-01-01", "2023-12-31"],
            ["JX101", "A again", "county", "1", "N", "", ""],
            ["", "E", "", "", "", "", ""],
        ],
    )
    assert counts(wh.load(path)) == [("loaded", 6, 1, 5)]
    assert wh.query("SELECT dealer_id, dealer_name, area_type FROM dealers") == [("JX101", "A", "urban")]
    assert rejects(wh) == [
        (3, 'area_type "城区" is not one of urban, county (市区, 郊县)'),
        (4, "dealer_name is empty; technicians -1 is negative"),
        (
            5,
            'technicians "2.5" is not a whole number; has_service_center "sometimes" is not yes or no; '
            "left_on before joined_on",
        ),
        (6, "duplicate dealer_id JX101 in file"),
        (7, "dealer_id is empty; area_type is empty"),
    ]


def test_sales_rows_rejected_with_exact_reasons(roster):
    wh = roster
    path = wh.file(
        "销量_2026.csv",
        [
            ["经销商编号", "月份", "销量", "结算金额"],
            ["JX101", "2026-03", "100", "150000"],
            ["JX101", "2026/03", "101", "150001"],
            ["JX102", "2026-03", "-3", "-100"],
            ["JX102", "2026-13", "", "1000"],
            ["D123", "2026-03", "1", "1"],
            ["JX102", "2026-04", "ten", "lots"],
        ],
    )
    assert counts(wh.load(path)) == [("loaded", 6, 1, 5)]
    assert wh.query("SELECT dealer_id, month, units_sold FROM sales") == [("JX101", dt.date(2026, 3, 1), 100)]
    assert rejects(wh) == [
        (3, "duplicate month 2026-03 of dealer JX101 in file"),
        (4, "units_sold -3 is negative; sales_amount -100 is negative"),
        (5, 'month "2026-13" is not a month; units_sold is empty'),
        (6, "unknown dealer D123"),
        (7, 'units_sold "ten" is not a whole number; sales_amount "lots" is not an amount'),
    ]


def test_hotline_rows_rejected_with_exact_reasons(roster):
    wh = roster
    path = wh.file(
        "热线_2026-03.csv",
        [
            ["工单号", "受理时间", "经销商编号", "工单类型", "联系电话", "维修单号", "查实"],
            ["T1", "2026-03-04 08:00", "JX101", "报修", "13805712345", "", ""],
            ["T2", "2026/3/4 9:00", "JX101", "表扬", "", "", ""],
            ["T1", "2026-03-05 08:00", "JX102", "投诉", "", "", "Y"],
            ["T3", "", "JX101", "", "", "", "perhaps"],
            ["T4", "2026年3月6日 10:00", "JX102", "Complaint", "", "R1", "是"],
            ["T5", "2026-03-06", "D123", "咨询", "", "", ""],
        ],
    )
    assert counts(wh.load(path)) == [("loaded", 6, 2, 4)]
    assert wh.query(
        "SELECT ticket_id, received_at, dealer_id, ticket_type, customer_phone, record_no, verified "
        "FROM hotline ORDER BY 1"
    ) == [
        ("T1", dt.datetime(2026, 3, 4, 8, 0), "JX101", "repair_request", "13805712345", None, None),
        ("T4", dt.datetime(2026, 3, 6, 10, 0), "JX102", "complaint", None, "R1", True),
    ]
    assert rejects(wh) == [
        (3, 'ticket_type "表扬" is not one of repair_request, complaint, inquiry (报修, 投诉, 咨询)'),
        (4, "duplicate ticket_id T1 in file"),
        (5, 'received_at is empty; ticket_type is empty; verified "perhaps" is not yes or no'),
        (7, "unknown dealer D123"),
    ]


def test_notice_rows_rejected_with_exact_reasons(roster):
    wh = roster
    path = wh.file(
        "通报_2026.csv",
        [
            ["编号", "经销商编号", "日期", "来源", "内容"],
            ["N1", "JX101", "2026年5月1日", "市场监管局", "价格欺诈"],
            ["N2", "JX101", "", "报纸", ""],
            ["N3", "JX102", "soon", "", ""],
            ["N4", "D123", "2026-05-01", "", ""],
            ["N1", "JX102", "2026-05-02", "", ""],
        ],
    )
    assert counts(wh.load(path)) == [("loaded", 5, 1, 4)]
    assert wh.query("SELECT notice_id, dealer_id, notice_date, source, description FROM notices") == [
        ("N1", "JX101", dt.date(2026, 5, 1), "市场监管局", "价格欺诈")
    ]
    assert rejects(wh) == [
        (3, "notice_date is empty"),
        (4, 'notice_date "soon" is not a date'),
        (5, "unknown dealer D123"),
        (6, "duplicate notice_id N1 in file"),
    ]


def test_a_file_of_only_bad_rows_loads_nothing_but_logs_every_row(roster):
    wh = roster
    results = load_repairs(wh, repair("R1", dealer_id="D1"), repair("R2", dealer_id="D2"))
    assert counts(results) == [("loaded", 2, 0, 2)]
    assert wh.query("SELECT count(*) FROM repairs") == [(0,)]
    assert rejects(wh) == [(2, "unknown dealer D1"), (3, "unknown dealer D2")]
    assert wh.query("SELECT count(*) FROM report_submissions") == [(0,)]


def test_nfkc_shortcut_gives_what_full_nfkc_gives_for_every_character():
    """normalise_cells skips NFKC for cells that cannot change; over every BMP character (alone
    and inside Chinese text) the result is what NFKC of every cell gives."""
    characters = [chr(c) for c in range(1, 0x10000) if not 0xD800 <= c <= 0xDFFF]
    cells = pa.array(characters + [f"维修{c}人员" for c in characters] + [None, "JX101", "维修"])
    assert nfkc(cells).to_pylist() == pc.utf8_normalize(cells, "NFKC").to_pylist()
    assert nfkc(pa.array(["ＪＸ１０１", "维修　人员", "①"])).to_pylist() == ["JX101", "维修 人员", "1"]
