"""The dashboard's named queries: masking, scopes, exact thresholds, timeliness, stored metric rows."""

import datetime as dt
from decimal import Decimal

import duckdb
import pandas as pd
import pytest

from etl.db import reader
from etl.metrics import drilldown, queries
from etl.metrics.drilldown import Scope, Threshold
from metric_data import callback, load_all, repair


@pytest.mark.parametrize(
    "phone, shown",
    [
        ("13812345678", "138****5678"),
        ("+8613812345678", "+86****5678"),
        ("021-5555", "****5555"),
        ("5555", "****"),
        (" 13812345678 ", "138****5678"),
        (None, None),
    ],
)
def test_phones_are_masked(phone, shown):
    assert duckdb.execute(f"SELECT {drilldown.masked_phone('$1')}", [phone]).fetchone()[0] == shown


@pytest.mark.parametrize("name, shown", [("张三丰", "张*"), ("李四", "李*"), ("", None), (None, None)])
def test_names_are_shortened(name, shown):
    assert duckdb.execute(f"SELECT {drilldown.masked_name('$1')}", [name]).fetchone()[0] == shown


def test_the_previous_period_is_the_same_length_just_before():
    scope = Scope(dt.date(2025, 11, 1), dt.date(2026, 10, 1), regions=("华东",))
    assert scope.previous() == Scope(dt.date(2024, 11, 1), dt.date(2025, 10, 1), regions=("华东",))
    assert Scope(dt.date(2025, 1, 1), dt.date(2025, 1, 1)).previous().months == (dt.date(2024, 12, 1),) * 2
    assert Scope().previous() is None


def test_thresholds_compare_exact_fractions():
    satisfaction = Threshold("satisfaction_rate", Decimal("0.98"), "at_least")
    assert satisfaction.passes(49, 50) is True
    assert satisfaction.passes(48, 50) is False
    assert satisfaction.passes(0, 0) is None
    per_mille = Threshold("complaints_per_1000_sales", Decimal("1"), "below")
    assert per_mille.passes(5, 5000) is False  # exactly 1.0 per 1,000 is not below 1
    coverage = Threshold("hq_callback_coverage", Decimal("0.1"), "at_least", Decimal("0.2"))
    assert [coverage.passes(n, 100) for n in (9, 10, 20, 21)] == [False, True, True, False]


def test_judge_adds_a_verdict_per_rate_with_a_threshold():
    frame = pd.DataFrame({"complaints": [1, 0, 0], "services": [10, 5, 0]})
    judged = drilldown.judge(frame, {"complaint_rate": Threshold("complaint_rate", Decimal("0.1"), "below")})
    assert judged["complaint_rate_ok"].tolist() == [False, True, pd.NA]


def test_stored_metric_rows_give_the_views_figures(wh):
    load_all(
        wh,
        repairs=[
            repair("R1"),
            repair("R2", status="open"),
            repair("R3", month="2025-04"),
            repair("R4", month="2025-01"),
        ],
        callbacks=[callback("C1", "R1", satisfaction="2", complaint="Y")],
    )
    scope = Scope(dt.date(2025, 4, 1), dt.date(2025, 4, 1))
    with reader(wh.path, wh.rules) as con:
        from_views = [drilldown.scope_totals(con, s) for s in (scope, scope.previous())]
        rows = drilldown.metric_rows(con, scope)
    with reader(wh.path, wh.rules) as con:
        stored = drilldown.use_metric_rows(con, rows)
        from_rows = [drilldown.scope_totals(con, s, stored) for s in (scope, scope.previous())]
        full_year = queries.rollup(con, [], (dt.date(2025, 1, 1), dt.date(2025, 12, 1)), source=stored)
    for views, stored in zip(from_views, from_rows):
        pd.testing.assert_frame_equal(views, stored)
    assert from_rows[1].loc[0, "misses"] == 1 and from_rows[0].loc[0, "services"] == 1
    # the rows reach back statistics.baseline_months (12) for the control charts (issue 6): January's R4 too
    assert full_year.loc[0, "services"] == 4
    months = sorted({m.as_py() for m in rows.column("month")})
    assert months[0] == dt.date(2025, 1, 1) and rows.num_rows == 3  # Jan, Mar, Apr: D1's months with activity
    with reader(wh.path, wh.rules) as con:  # a new connection reads the views again
        assert queries.rollup(con, [], (dt.date(2025, 1, 1), dt.date(2025, 12, 1))).loc[0, "services"] == 4


def test_report_timeliness_tells_on_time_late_missing_and_not_due(wh):
    load_all(
        wh,
        roster=[["D1", "One"]],
        repairs=[
            repair("R1", month="2025-03", submitted="2025-04-15"),
            repair("R2", month="2025-04", submitted="2025-05-16"),
        ],
    )
    wh.load(
        wh.file(
            "dealers_joined.csv",
            [["dealer_id", "dealer_name", "area_type", "joined_on"], ["D1", "One", "urban", "2025-02-10"]],
        )
    )  # joined in February
    scope = Scope(dt.date(2025, 1, 1), dt.date(2025, 6, 1))
    with reader(wh.path, wh.rules) as con:
        frame = drilldown.report_timeliness(con, "D1", scope, today=dt.date(2025, 6, 20))
    assert frame["status"].tolist() == ["no_contract", "missing", "on_time", "late", "missing", "not_due"]
    assert frame["days_late"].tolist()[2:4] == [0, 1]
