"""Spec 3.1 and 3.2: award criteria and the fee settlement, figures worked out by hand."""

import datetime as dt

import pandas as pd
import pytest

from etl.db import reader
from etl.metrics import queries
from etl.wording import award_in_words
from metric_data import callback, load_all, repair

YEAR_END = dt.date(2025, 12, 31)


def _award(wh, as_of=dt.date(2026, 1, 31), rules=None, lang="en"):
    with reader(wh.path, rules or wh.rules) as con:
        rows = award_in_words(queries.award(con, 2025, as_of), lang).to_dict("records")
        return {row["dealer_id"]: row for row in rows}


def _settlement(wh, as_of=dt.date(2026, 1, 31)):
    with reader(wh.path, wh.rules) as con:
        return {row["dealer_id"]: row for row in queries.settlement(con, 2025, as_of).to_dict("records")}


def _monthly_reports(dealer_id, months, submitted_day="10", late=()):
    """One record per month of 2025; months in `late` submitted on the 20th of the next month."""
    rows = []
    for m in months:
        next_month = "2026-01" if m == 12 else f"2025-{m + 1:02d}"
        day = "20" if m in late else submitted_day
        rows.append(repair(f"{dealer_id}-{m}", dealer_id, f"2025-{m:02d}", f"{next_month}-{day}"))
    return rows


def test_months_due_follow_contract_dates_and_the_as_of_date(wh):
    load_all(
        wh,
        roster=[
            ["D1", "Full year", "urban", 2, "Y", "2019-01-01", ""],
            ["D2", "Joins 10 March", "urban", 2, "Y", "2025-03-10", ""],
            ["D3", "Leaves 1 February", "urban", 2, "Y", "", "2025-02-01"],
            ["D4", "Left in 2024", "urban", 2, "Y", "", "2024-12-31"],
            ["D5", "Joins 2026", "urban", 2, "Y", "2026-01-01", ""],
        ],
        repairs=_monthly_reports("D1", [1, 2, 3, 4, 5]) + _monthly_reports("D2", [3, 4], late=(4,)),
    )
    # As of 20 June 2025 the deadlines 15 Feb .. 15 June are past: January to May are due.
    award = _award(wh, as_of=dt.date(2025, 6, 20))
    assert sorted(award) == ["D1", "D2", "D3"]  # under contract at some time in 2025
    assert (award["D1"]["months_due"], award["D1"]["reports_on_time"]) == (5, 5)
    assert (award["D2"]["months_due"], award["D2"]["reports_on_time"]) == (3, 1)  # Mar, Apr, May
    assert (award["D3"]["months_due"], award["D3"]["reports_on_time"]) == (2, 0)  # Jan, Feb in full
    assert award["D2"]["report_rate"] == pytest.approx(1 / 3)
    # On the 15th itself June's deadline is not yet past the as-of date 14 June: only Jan-Apr.
    assert _award(wh, as_of=dt.date(2025, 6, 14))["D1"]["months_due"] == 4
    assert _award(wh, as_of=dt.date(2025, 6, 15))["D1"]["months_due"] == 5


def test_award_criteria_reasons_and_exact_threshold_comparisons(wh):
    roster = [["D1", "Exact", "urban", 1, "Y", "", ""], ["D2", "Failing", "county", 0, "N", "", ""]]
    # D1: 49 of 50 answered satisfied (98 % passes), 4 complaints on 5,000 units (0.8 per mille passes).
    d1_records = [repair(f"A{i}", "D1", "2025-01", "2025-02-10") for i in range(50)]
    d1_calls = [
        callback(
            f"CA{i}", f"A{i}", "D1", "2025-02-20 10:00", satisfaction="5" if i else "3", complaint="Y" if i < 4 else "N"
        )
        for i in range(50)
    ]
    # D2: 5 complaints on 5,000 units (1.0 per mille fails), 8 of 10 satisfied, only 10 answered.
    d2_records = [repair(f"B{i}", "D2", "2025-01", "2025-02-10") for i in range(10)]
    d2_calls = [
        callback(
            f"CB{i}",
            f"B{i}",
            "D2",
            "2025-02-20 10:00",
            satisfaction="4" if i < 8 else "1",
            complaint="Y" if i < 5 else "N",
        )
        for i in range(10)
    ]
    load_all(
        wh,
        roster=roster,
        repairs=d1_records
        + d2_records
        + _monthly_reports("D1", range(2, 13))
        + _monthly_reports("D2", range(2, 11), late=(2, 3)),
        callbacks=d1_calls + d2_calls,
        sales=[["D1", "2025-06", 5000, 1_000_000], ["D2", "2025-06", 5000, 1_000_000]],
        notices=[["N1", "D2", "2025-07-01", "晚报"], ["N2", "D1", "2024-12-31", "old"]],
    )
    award = _award(wh)
    d1, d2 = award["D1"], award["D2"]
    assert (d1["complaints"], d1["units_sold"], d1["complaints_per_1000_sales"], d1["pass_complaints"]) == (
        4,
        5000,
        0.8,
        True,
    )
    assert (d1["satisfied"], d1["callbacks_answered"], d1["satisfaction_rate"], d1["pass_satisfaction"]) == (
        49,
        50,
        0.98,
        True,
    )
    assert (d1["months_due"], d1["reports_on_time"], d1["pass_reports"], d1["pass_network"], d1["notices"]) == (
        12,
        12,
        True,
        True,
        0,
    )
    assert d1["eligible"] and d1["reasons"] == ""
    # D2: January + Feb..Oct reported, Feb and Mar late, Nov and Dec missing: 8 of 12 on time.
    assert (d2["complaints_per_1000_sales"], d2["pass_complaints"]) == (1.0, False)
    assert (d2["months_due"], d2["reports_on_time"], d2["pass_reports"]) == (12, 8, False)
    assert d2["reasons"].split("; ") == [
        "complaints 1.00 per 1,000 units sold (5 complaints on 5,000 units) is not below 1",
        "satisfaction 80.0 % (8 of 10 answered callbacks) is below 98 %",
        "only 10 answered HQ callbacks in 2025, at least 30 needed to judge",
        "reports on time 8 of 12 months due (66.7 %) is below 90 %",
        "service network incomplete: 0 technicians (at least 1 needed), no service center",
        "1 media or regulator notice in 2025",
    ]
    assert not d2["eligible"]
    zh = _award(wh, lang="zh")["D2"]["reasons"].split("; ")
    assert zh[1] == "满意率 80.0 %（8 / 10 个有效回访）低于 98 %"


def test_nine_of_ten_reports_pass_and_empty_measures_fail_with_a_reason(wh):
    load_all(
        wh,
        roster=[["D1", "Nine of ten", "urban", 1, "Y", "2025-03-01", ""], ["D2", "Nothing", "urban"]],
        repairs=_monthly_reports("D1", range(3, 13), late=(7,)),
    )
    award = _award(wh)
    assert (award["D1"]["months_due"], award["D1"]["reports_on_time"], award["D1"]["pass_reports"]) == (10, 9, True)
    d2 = award["D2"]
    assert d2["units_sold"] == 0 and pd.isna(d2["complaints_per_1000_sales"]) and pd.isna(d2["satisfaction_rate"])
    assert d2["reasons"].split("; ")[:2] == [
        "complaints: no units sold in 2025, so complaints per 1,000 units sold cannot be measured",
        "satisfaction: no answered HQ callbacks in 2025",
    ]
    early = _award(wh, as_of=dt.date(2025, 1, 10))["D2"]
    assert (early["months_due"], early["pass_reports"]) == (0, False) and pd.isna(early["report_rate"])
    assert "reports: no months due as of 2025-01-10" in early["reasons"]


def test_what_if_thresholds_change_eligibility_without_touching_the_rules_file(wh):
    records = [repair(f"A{i}", "D1", "2025-01", "2025-02-10") for i in range(40)]
    calls = [
        callback(f"C{i}", f"A{i}", "D1", "2025-02-20 10:00", satisfaction="5" if i < 38 else "2") for i in range(40)
    ]
    load_all(
        wh,
        roster=[["D1", "One", "urban", 1, "Y", "", ""]],
        repairs=records + _monthly_reports("D1", range(2, 13)),
        callbacks=calls,
        sales=[["D1", "2025-05", 10000, 2_000_000]],
    )
    assert _award(wh)["D1"]["pass_satisfaction"] is False  # 95 % < 98 %
    lenient = wh.rules.with_overrides({"award.min_satisfaction_rate": 0.95})
    assert _award(wh, rules=lenient)["D1"]["eligible"] is True
    assert wh.rules["award.min_satisfaction_rate"] == 0.98


def test_settlement_fee_missing_runs_fake_penalty_and_floor(wh):
    load_all(
        wh,
        roster=[["D1", "Runs"], ["D2", "Short run"], ["D3", "Fakes", "county"]],
        repairs=[
            # D1: Jan on time, Feb missing, Mar late, Apr missing, May.. on time: a run of 3 (Feb-Apr).
            *_monthly_reports("D1", [1, 3, 5, 6, 7, 8, 9, 10, 11, 12], late=(3,)),
            # D2: Nov and Dec 2024 missing don't carry into 2025: Jan, Feb missing = 2, then on time.
            *_monthly_reports("D2", range(3, 13)),
            *_monthly_reports("D3", range(1, 13)),
            repair("F1", "D3", "2025-06", "2025-07-10", labor=100, parts=50.5),
            repair("F2", "D3", "2025-06", "2025-07-10", labor="", parts=""),
            repair("F3", "D3", "2025-06", "2025-07-10", labor=80, parts=0),
        ],
        callbacks=[
            callback("C1", "F1", "D3", "2025-07-15 10:00", confirmed="N"),
            callback("C2", "F1", "D3", "2025-08-15 10:00", confirmed="N"),  # same record: once
            callback("C3", "F2", "D3", "2025-07-15 10:00", confirmed="N"),  # no fees: 0
            callback("C4", "F3", "D3", "2025-07-15 10:00", reached="N", confirmed="N"),  # unreached: no penalty
        ],
        sales=[["D1", "2025-01", 100, 123456.78], ["D2", "2025-02", 10, 1000], ["D3", "2025-03", 10, 1000]],
    )
    s = _settlement(wh)
    assert (
        s["D1"]["max_consecutive_missing"],
        float(s["D1"]["fee_base"]),
        float(s["D1"]["missing_deduction"]),
        float(s["D1"]["net_fee"]),
    ) == (3, 1234.57, 123.46, 1111.11)
    assert (s["D2"]["max_consecutive_missing"], float(s["D2"]["missing_deduction"])) == (2, 0.0)
    d3 = s["D3"]
    assert (d3["fake_records"], float(d3["fake_penalty"])) == (2, 1505.0)
    assert (float(d3["fee_base"]), float(d3["net_fee"])) == (10.0, 0.0)  # never below 0


def test_complaint_deduction_is_a_setting(wh):
    load_all(
        wh,
        repairs=[repair("R1"), repair("R2")],
        callbacks=[callback("C1", "R1", complaint="Y"), callback("C2", "R2", complaint="Y")],
        sales=[["D1", "2025-03", 100, 50000]],
    )
    rules = wh.rules.with_overrides({"settlement.complaint_deduction_yuan": 120.0})
    with reader(wh.path, rules) as con:
        row = queries.settlement(con, 2025, dt.date(2026, 1, 31)).set_index("dealer_id").loc["D1"]
    # Fee base 1 % of 50,000 = 500; only March reported, so Apr-Dec are 9 missing months in a row:
    # 10 % = 50 deducted; 2 complaints x 120 = 240; net 500 - 50 - 240 = 210.
    assert (
        row["complaints"],
        float(row["missing_deduction"]),
        float(row["complaint_deduction"]),
        float(row["net_fee"]),
    ) == (2, 50.0, 240.0, 210.0)


def test_a_record_number_reported_in_two_months_is_fined_once_with_its_latest_fees(wh):
    load_all(
        wh,
        repairs=[repair("F1", month="2025-06", submitted="2025-07-10", labor=100)],
        callbacks=[],
        sales=[["D1", "2025-06", 10, 1000]],
    )
    july = wh.file(
        "repairs_2025-07.csv",
        [
            [
                "record_no",
                "dealer_id",
                "report_month",
                "submitted_on",
                "service_type",
                "requested_at",
                "status",
                "labor_fee",
                "parts_fee",
            ],
            ["F1", "D1", "2025-07", "2025-08-10", "repair", "2025-07-02 09:00", "completed", 60, 5],
        ],
    )
    fake = wh.file(
        "callbacks_fake.csv",
        [
            ["callback_id", "record_no", "dealer_id", "called_at", "reached", "service_confirmed"],
            ["C1", "F1", "D1", "2025-08-20 10:00", "Y", "N"],
        ],
    )
    wh.load(july, fake)
    # Both months keep their report (June untouched by July's file); the fine counts F1 once, 10 x 65.
    assert wh.query("SELECT report_month::VARCHAR FROM repairs ORDER BY 1") == [("2025-06-01",), ("2025-07-01",)]
    s = _settlement(wh)["D1"]
    assert (s["fake_records"], float(s["fake_penalty"])) == (1, 650.0)
