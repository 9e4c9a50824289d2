"""Issue 6.1 in the award: intervals, criterion status, and the rule that can require the interval."""

import csv
import datetime as dt

import pytest
from statsmodels.stats.proportion import proportion_confint

from etl import cli
from etl.db import reader
from etl.metrics import queries
from etl.metrics.definitions import MET, NOT_DEMONSTRABLE, NOT_MET
from etl.wording import award_in_words
from metric_data import callback, load_all, repair

AS_OF = dt.date(2026, 1, 31)


def _reports(dealer_id):
    """One on-time monthly report for each month of 2025 (record <dealer>-<month>)."""
    return [
        repair(f"{dealer_id}-{m}", dealer_id, f"2025-{m:02d}", "2026-01-10" if m == 12 else f"2025-{m + 1:02d}-10")
        for m in range(1, 13)
    ]


def _load(wh):
    """D1: 30 of 30 satisfied (100 %, Wilson low 88.6 %), 0 complaints on 3,000 units (upper 1.28 per mille).
    D2: 300 of 300 satisfied (low 98.7 %), 0 complaints on 4,000 units (upper 0.96 per mille): both shown.
    D3: 29 of 30 satisfied: not met."""
    records, calls = [], []
    for dealer, answered, unhappy in (("D1", 30, 0), ("D2", 300, 0), ("D3", 30, 1)):
        for i in range(answered):
            records.append(repair(f"{dealer}-R{i}", dealer, "2025-05", "2025-06-10"))
            calls.append(
                callback(
                    f"{dealer}-C{i}",
                    f"{dealer}-R{i}",
                    dealer,
                    "2025-06-20 10:00",
                    satisfaction="2" if i < unhappy else "5",
                )
            )
    load_all(
        wh,
        repairs=records + _reports("D1") + _reports("D2") + _reports("D3"),
        callbacks=calls,
        sales=[["D1", "2025-05", 3000, 10**6], ["D2", "2025-05", 4000, 10**6], ["D3", "2025-05", 4000, 10**6]],
    )


def _award(wh, rules=None, lang="en"):
    with reader(wh.path, rules or wh.rules) as con:
        rows = award_in_words(queries.award(con, 2025, AS_OF), lang).to_dict("records")
        return {row["dealer_id"]: row for row in rows}


def test_interval_columns_and_status_of_each_criterion(wh):
    _load(wh)
    award = _award(wh)
    d1, d2, d3 = award["D1"], award["D2"], award["D3"]
    low, high = proportion_confint(30, 30, alpha=0.05, method="wilson")
    assert (d1["satisfaction_rate"], d1["satisfaction_low"], d1["satisfaction_high"]) == (
        1.0,
        pytest.approx(low, abs=1e-7),
        1.0,
    )
    assert d1["satisfaction_low"] == pytest.approx(0.886, abs=5e-4)
    assert d1["complaints_per_1000_sales_high"] == pytest.approx(
        1000 * proportion_confint(0, 3000, method="wilson")[1], abs=1e-6
    )
    assert (d1["status_satisfaction"], d1["status_complaints"]) == (NOT_DEMONSTRABLE, NOT_DEMONSTRABLE)
    assert (d2["status_satisfaction"], d2["status_complaints"]) == (MET, MET)
    assert d3["status_satisfaction"] == NOT_MET
    assert (d1["status_evidence"], d1["status_reports"], d1["status_network"], d1["status_notices"]) == (MET,) * 4
    # Off by default: the point value decides; the dealer qualifies and the page can say on how little.
    assert (d1["pass_satisfaction"], d1["pass_complaints"], d1["eligible"], d1["reasons"]) == (True, True, True, "")
    assert "not demonstrable at this sample size" in d1["cautions"]
    assert "88.6 %–100.0 %" in d1["cautions"] and d2["cautions"] == ""


def test_require_interval_makes_not_demonstrable_fail_with_its_reason(wh):
    _load(wh)
    strict = wh.rules.with_overrides({"award.require_interval": True})
    award = _award(wh, strict)
    d1, d2 = award["D1"], award["D2"]
    assert (d1["pass_satisfaction"], d1["pass_complaints"], d1["eligible"]) == (False, False, False)
    assert (d2["pass_satisfaction"], d2["pass_complaints"], d2["eligible"]) == (True, True, True)
    assert d1["status_satisfaction"] == NOT_DEMONSTRABLE
    assert d1["reasons"] == (
        "complaints 0.00 per 1,000 units sold (0 complaints on 3,000 units) is below 1 but not demonstrable at "
        "this sample size: the 95 % interval reaches 1.28; "
        "satisfaction 100.0 % (30 of 30 answered callbacks) reaches 98 % but is not demonstrable at this sample "
        "size: the 95 % interval is 88.6 %–100.0 %"
    )
    zh = _award(wh, strict, lang="zh")["D1"]["reasons"]
    assert "样本量不足以证明" in zh and "88.6 %–100.0 %" in zh
    # A dealer that fails on the point value keeps the plain reason.
    assert "is below 98 %" in award["D3"]["reasons"] and "not demonstrable" not in award["D3"]["reasons"]


def test_award_report_columns_put_the_interval_right_after_the_rate(wh, tmp_path):
    _load(wh)
    out = tmp_path / "award.csv"
    assert (
        cli.main(
            ["report", "award", "--year", "2025", "--as-of", "2026-01-31", "--db", str(wh.path), "--out", str(out)]
        )
        == 0
    )
    with out.open(encoding="utf-8") as handle:
        rows = {row["dealer_id"]: row for row in csv.DictReader(handle)}
    assert list(rows["D1"]) == [
        "dealer_id",
        "dealer_name",
        "year",
        "complaints",
        "units_sold",
        "complaints_per_1000_sales",
        "pass_complaints",
        "callbacks_answered",
        "satisfied",
        "satisfaction_rate",
        "satisfaction_low",
        "satisfaction_high",
        "pass_satisfaction",
        "pass_evidence",
        "months_due",
        "reports_on_time",
        "report_rate",
        "pass_reports",
        "technicians",
        "has_service_center",
        "pass_network",
        "notices",
        "pass_notices",
        "eligible",
        "reasons",
    ]
    assert (rows["D1"]["satisfaction_rate"], rows["D1"]["satisfaction_high"]) == ("1.0", "1.0")
    assert float(rows["D1"]["satisfaction_low"]) == pytest.approx(0.88649, abs=1e-5)
    strict = tmp_path / "strict.toml"
    strict.write_text("[award]\nrequire_interval = true\n", encoding="utf-8")
    assert (
        cli.main(
            [
                "report",
                "award",
                "--year",
                "2025",
                "--as-of",
                "2026-01-31",
                "--db",
                str(wh.path),
                "--rules",
                str(strict),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    with out.open(encoding="utf-8") as handle:
        rows = {row["dealer_id"]: row for row in csv.DictReader(handle)}
    assert (rows["D1"]["pass_satisfaction"], rows["D1"]["eligible"], rows["D2"]["eligible"]) == (
        "false",
        "false",
        "true",
    )
