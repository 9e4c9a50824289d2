"""Dates are plausible or rejected (issue 10): one reading per spelling, the file's date order
for day-first spellings, a window from the rules, a repair's request inside its report month's
year, no submission after the load date, dates and times in two columns, tick marks as yes/no."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

pytestmark = pytest.mark.usefixtures("prebuilt_warehouse")

LOAD_DATE = dt.date(2026, 11, 23)  # what the wh fixture passes as the load date
HEADER = [
    "record_no",
    "dealer_id",
    "report_month",
    "submitted_on",
    "service_type",
    "requested_at",
    "arrived_at",
    "status",
    "purchase_date",
    "in_warranty",
]


def row(
    no, requested="2025-03-05 09:00", arrived="", submitted="2025-04-09", purchase="", month="2025-03", warranty="Y"
):
    return [no, "JX101", month, submitted, "repair", requested, arrived, "completed", purchase, warranty]


@pytest.fixture
def roster(wh):
    wh.dealers(["JX101", "杭州西湖家电服务部"])
    return wh


def load(wh, rows, header=HEADER, name="repairs_2025-03.csv"):
    return wh.load(wh.file(name, [header, *rows]))


def loaded(wh, columns="record_no, requested_at"):
    return wh.query(f"SELECT {columns} FROM repairs ORDER BY record_no")


def rejects(wh):
    return wh.query("SELECT row_no, reason FROM rejects ORDER BY load_id, row_no")


# ---------------------------------------------------------------- one reading


def test_two_digit_year_before_nian_is_this_century(roster):
    wh = roster
    (result,) = load(wh, [row("R1", requested="25年3月9日 14:30", submitted="25年4月9日")])
    assert (result.rows_loaded, result.rows_rejected) == (1, 0)
    assert loaded(wh, "submitted_on, requested_at") == [(dt.date(2025, 4, 9), dt.datetime(2025, 3, 9, 14, 30))]


def test_four_digit_year_first_never_takes_a_file_order(roster):
    """2025/3/1 is 1 March whatever order the file's other dates are in."""
    wh = roster
    (result,) = load(wh, [row("R1", requested="03/15/2025 10:00"), row("R2", requested="2025/3/1 08:00")])
    assert result.rows_loaded == 2
    assert loaded(wh) == [("R1", dt.datetime(2025, 3, 15, 10, 0)), ("R2", dt.datetime(2025, 3, 1, 8, 0))]


def test_an_afternoon_time_after_a_year_first_date_keeps_its_pm(roster):
    """DuckDB's own timestamp cast reads '2025-03-05 02:30 PM' as 02:30: the loader must not."""
    wh = roster
    (result,) = load(wh, [row("R1", requested="2025-03-05 02:30 PM"), row("R2", requested="2025/3/6 11:15 am")])
    assert (result.rows_loaded, result.rows_rejected) == (2, 0)
    assert loaded(wh) == [("R1", dt.datetime(2025, 3, 5, 14, 30)), ("R2", dt.datetime(2025, 3, 6, 11, 15))]


def test_text_after_a_time_is_rejected_not_dropped(roster):
    """A time zone offset or stray words after the time: the row is rejected with its reason, the
    time is never silently read without them."""
    wh = roster
    (result,) = load(
        wh,
        [
            row("R1", requested="2025-03-05 14:30+05"),
            row("R2", requested="2025-03-05 14:30 abc"),
            row("R3", requested="2025-03-05 14:30"),
        ],
    )
    assert (result.rows_loaded, result.rows_rejected) == (1, 2)
    assert loaded(wh) == [("R3", dt.datetime(2025, 3, 5, 14, 30))]
    assert [(n, "requested_at" in reason) for n, reason in rejects(wh)] == [(2, True), (3, True)]


# ---------------------------------------------------------------- the file's order


def test_month_day_year_from_an_english_locale(roster):
    """03/01/2025 fits month/day/year and day/month/year; 03/15/2025 only month/day/year."""
    wh = roster
    (result,) = load(
        wh,
        [row("R1", requested="03/01/2025 14:09", arrived="03/01/2025 2:30 PM"), row("R2", requested="03/15/2025 9:05")],
    )
    assert (result.rows_loaded, result.rows_rejected) == (2, 0)
    assert loaded(wh, "record_no, requested_at, arrived_at") == [
        ("R1", dt.datetime(2025, 3, 1, 14, 9), dt.datetime(2025, 3, 1, 14, 30)),
        ("R2", dt.datetime(2025, 3, 15, 9, 5), None),
    ]
    assert (
        "dates written like 03/01/2025 14:09 are read month/day/year (all 3 such values are valid dates "
        "in that order)" in result.notes
    )
    details = wh.query("SELECT details->>'date_order' FROM load_log WHERE file_name = 'repairs_2025-03.csv'")
    assert details == [("mdy",)]


def test_day_month_year_when_a_day_above_twelve_comes_first(roster):
    wh = roster
    (result,) = load(wh, [row("R1", requested="05/03/2025"), row("R2", requested="25/03/2025 10:00")])
    assert result.rows_loaded == 2
    assert loaded(wh) == [("R1", dt.datetime(2025, 3, 5, 0, 0)), ("R2", dt.datetime(2025, 3, 25, 10, 0))]
    assert any("read day/month/year" in note for note in result.notes)


def test_two_digit_year_first_reads_year_month_day(roster):
    """25/3/9 is valid only as year/month/day (2025-03-09); month 25 and day-month 3/9/2025? no: year 25
    read day/month/year would be 2009-03-25, outside the report month, but the order is chosen first."""
    wh = roster
    (result,) = load(wh, [row("R1", requested="25/3/9 08:15"), row("R2", requested="25/3/31")])
    assert result.rows_loaded == 2
    assert loaded(wh) == [("R1", dt.datetime(2025, 3, 9, 8, 15)), ("R2", dt.datetime(2025, 3, 31, 0, 0))]
    assert any("read year/month/day" in note for note in result.notes)


def test_a_value_that_fits_no_order_of_the_file_is_rejected_with_its_value(roster):
    """13/13/2025 is no date in any order; 03/20/2025 makes the file month/day/year, so 20/03/2025 is
    rejected rather than read in another order than its neighbours."""
    wh = roster
    (result,) = load(
        wh, [row("R1", requested="03/20/2025"), row("R2", requested="03/21/2025"), row("R3", requested="20/03/2025")]
    )
    assert (result.rows_loaded, result.rows_rejected) == (2, 1)
    assert rejects(wh) == [
        (4, 'requested_at "20/03/2025" is not a date when read month/day/year, the order of this file\'s dates')
    ]
    assert (
        "dates written like 03/20/2025 are read month/day/year, the order that fits most of them (2 of 3); "
        "the other 1 are rejected"
    ) in result.notes


def test_the_old_silent_misreadings_are_gone(roster):
    """8/6/25 once loaded as the year 8. Read year/month/day, 3/6/25 would be 2003, more than a year
    before the end of the report month, and 4/9/25 a submission before it: the order in which every
    value is plausible for its row is month/day/year."""
    wh = roster
    (result,) = load(wh, [row("R1", requested="3/6/25 10:00", submitted="4/9/25")])
    assert result.rows_rejected == 0
    assert loaded(wh, "requested_at, submitted_on") == [(dt.datetime(2025, 3, 6, 10, 0), dt.date(2025, 4, 9))]
    assert any("read month/day/year" in note for note in result.notes)


def test_a_submission_before_its_report_month_is_rejected(roster):
    """Read year/month/day, 8/6/25 is 2008-06-25: a March 2025 report cannot have been sent then."""
    wh = roster
    (result,) = load(wh, [row("R1", submitted="2008-06-25"), row("R2", submitted="2025-03-31")])
    assert (result.rows_loaded, result.rows_rejected) == (1, 1)
    assert rejects(wh) == [(2, 'submitted_on "2008-06-25" is before its report month 2025-03')]


# ---------------------------------------------------------------- the window


def test_dates_outside_the_window_are_rejected_naming_the_value(roster):
    wh = roster
    (result,) = load(
        wh,
        [
            row("R1", purchase="1995-06-01"),  # purchase_date may be this old
            row("R2", purchase="1989-12-31"),  # not older than 1990
            row("R3", arrived="2027-11-24 10:00"),  # a year and a day after the load date
            row("R4", submitted="1999-12-31"),  # before 2000
        ],
    )
    assert (result.rows_loaded, result.rows_rejected) == (1, 3)
    assert rejects(wh) == [
        (3, 'purchase_date "1989-12-31" is outside the accepted dates 1990-01-01 to 2027-11-23'),
        (4, 'arrived_at "2027-11-24 10:00" is outside the accepted dates 2000-01-01 to 2027-11-23'),
        (5, 'submitted_on "1999-12-31" is outside the accepted dates 2000-01-01 to 2027-11-23'),
    ]
    assert loaded(wh, "record_no, purchase_date") == [("R1", dt.date(1995, 6, 1))]


def test_window_comes_from_the_rules(roster, tmp_path):
    from etl.rules import load_rules

    wh = roster
    rules_file = tmp_path / "rules.toml"
    rules_file.write_text("[dates]\nearliest = 2024-01-01\npurchase_earliest = 2010-01-01\n", encoding="utf-8")
    rules = load_rules(rules_file)
    (result,) = wh.load(
        wh.file("repairs_2025-03.csv", [HEADER, row("R1", purchase="2009-05-05"), row("R2", purchase="2010-05-05")]),
        rules=rules,
    )
    assert result.rows_rejected == 1
    assert rejects(wh) == [(2, 'purchase_date "2009-05-05" is outside the accepted dates 2010-01-01 to 2027-11-23')]


def test_a_request_lies_within_a_year_before_the_end_of_its_report_month(roster):
    wh = roster
    (result,) = load(
        wh,
        [
            row("R1", requested="2024-04-01 00:00"),  # exactly 12 months before the end of March 2025: in
            row("R2", requested="2024-03-31 23:59"),  # a minute earlier: out
            row("R3", requested="2025-03-31 23:59"),  # last minute of the month: in
            row("R4", requested="2025-04-01 00:00"),  # after the month: out
        ],
    )
    assert (result.rows_loaded, result.rows_rejected) == (2, 2)
    assert rejects(wh) == [
        (3, 'requested_at "2024-03-31 23:59" is more than 12 months before the end of its report month 2025-03'),
        (5, 'requested_at "2025-04-01 00:00" is after the end of its report month 2025-03'),
    ]


def test_a_submission_after_the_load_date_is_rejected(roster):
    wh = roster
    (result,) = load(
        wh, [row("R1", submitted=str(LOAD_DATE)), row("R2", submitted=str(LOAD_DATE + dt.timedelta(days=1)))]
    )
    assert (result.rows_loaded, result.rows_rejected) == (1, 1)
    assert rejects(wh) == [(3, 'submitted_on "2026-11-24" is after the load date 2026-11-23')]


# ---------------------------------------------------------------- two columns, tick marks


def test_date_and_time_in_two_columns_make_one_datetime(roster):
    wh = roster
    header = [
        "维修单号",
        "经销商编号",
        "报表月份",
        "提交日期",
        "服务类型",
        "报修日期",
        "报修时间",
        "上门日期",
        "上门时间",
        "状态",
    ]
    rows = [
        ["R1", "JX101", "2025-03", "2025-04-09", "维修", "2025/3/5", "09:15", "2025-03-05", "14:40:30", "已完成"],
        ["R2", "JX101", "2025-03", "2025-04-09", "维修", "2025-03-06", "", "", "", "未完成"],
        ["R3", "JX101", "2025-03", "2025-04-09", "维修", "2025-03-07", "25:99", "", "", "已完成"],
    ]
    (result,) = load(wh, rows, header=header)
    assert (result.rows_loaded, result.rows_rejected) == (2, 1)
    assert loaded(wh, "record_no, requested_at, arrived_at") == [
        ("R1", dt.datetime(2025, 3, 5, 9, 15), dt.datetime(2025, 3, 5, 14, 40, 30)),
        ("R2", dt.datetime(2025, 3, 6, 0, 0), None),
    ]
    assert rejects(wh) == [(4, 'requested_at "2025-03-07 25:99" is not a date and time')]


def test_tick_and_cross_marks_are_yes_and_no(roster):
    wh = roster
    marks = {"R1": "✓", "R2": "√", "R3": "✔", "R4": "×", "R5": "✗", "R6": "✘"}
    (result,) = load(wh, [row(no, warranty=mark) for no, mark in marks.items()])
    assert result.rows_rejected == 0
    assert loaded(wh, "record_no, in_warranty") == [
        ("R1", True),
        ("R2", True),
        ("R3", True),
        ("R4", False),
        ("R5", False),
        ("R6", False),
    ]


# ---------------------------------------------------------------- the totals row and what follows it


def test_rows_after_the_totals_row_are_ignored_and_counted(roster):
    wh = roster
    (result,) = load(
        wh,
        [
            row("R1"),
            row("R2"),
            ["合计", "", "", "", "", "", "", "", "", ""],
            ["制表人: 张三", "", "", "", "", "", "", "", "", ""],
            [],
            ["审核人:", "李四"],
            ["备注：3 月份报表", "", "", "", "", "", "", "", "", ""],
        ],
    )
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (2, 2, 0)
    assert "3 rows after the totals row ignored" in result.notes
    ((notes, ignored),) = wh.query(
        "SELECT notes, details->>'rows_after_totals_ignored' FROM load_log WHERE file_name = 'repairs_2025-03.csv'"
    )
    assert notes.endswith("; 3 rows after the totals row ignored") and ignored == "3"


def test_a_totals_label_in_the_second_or_third_cell(roster):
    wh = roster
    header = ["序号", "维修单号", "经销商编号", "报表月份", "提交日期", "服务类型", "报修时间", "状态", "人工费"]
    rows = [
        ["1", "R1", "JX101", "2025-03", "2025-04-09", "维修", "2025-03-05 09:00", "已完成", "80"],
        ["2", "R2", "JX101", "2025-03", "2025-04-09", "维修", "2025-03-06 09:00", "已完成", "20"],
        ["", "合计：", "", "", "", "", "", "", "100"],
        ["", "", "制表人：王五"],
    ]
    (result,) = load(wh, rows, header=header)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (2, 2, 0)
    assert result.notes[-1] == "1 row after the totals row ignored"
    assert loaded(wh, "record_no, labor_fee") == [("R1", Decimal("80.00")), ("R2", Decimal("20.00"))]


def test_a_record_number_that_merely_starts_like_total_is_data(roster):
    wh = roster
    header = ["序号", "维修单号", "经销商编号", "报表月份", "提交日期", "服务类型", "报修时间", "状态"]
    rows = [["1", "TOTAL7", "JX101", "2025-03", "2025-04-09", "维修", "2025-03-05 09:00", "已完成"]]
    (result,) = load(wh, rows, header=header)
    assert (result.rows_read, result.rows_loaded) == (1, 1)
    assert result.notes == [n for n in result.notes if "totals" not in n]
