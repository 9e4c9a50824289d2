"""Issue 6.1: the Wilson score interval of every rate, checked against statsmodels' proportion_confint."""

import datetime as dt

import duckdb
import pytest
from statsmodels.stats.proportion import proportion_confint

from etl.db import apply_rules, reader
from etl.metrics import queries
from etl.metrics.definitions import RATES
from etl.rules import load_rules
from metric_data import callback, load_all, repair, ticket

Z95 = 1.959963984540054  # scipy.stats.norm.ppf(0.975), the quantile statsmodels uses at alpha 0.05
GRID = [
    (x, n)
    for n in (1, 2, 3, 5, 10, 29, 30, 50, 100, 1000, 5000)
    for x in sorted({0, 1, n // 3, n // 2, n - 1, n} - {-1})
    if 0 <= x <= n
]


def _macro_bounds(path, z_sql: str, pairs):
    con = duckdb.connect(str(path), read_only=True)
    try:
        apply_rules(con, load_rules())
        values = ", ".join(f"({x}, {n})" for x, n in pairs)
        return con.execute(
            f"SELECT x, n, wilson_low(x, n, {z_sql}), wilson_high(x, n, {z_sql}) "
            f"FROM (VALUES {values}) AS t(x, n) ORDER BY n, x"
        ).fetchall()
    finally:
        con.close()


def test_the_sql_macros_match_statsmodels_on_a_grid_including_0_and_n(empty_warehouse_file):
    rows = _macro_bounds(empty_warehouse_file, f"CAST({Z95!r} AS DOUBLE)", GRID)
    assert len(rows) == len(GRID) and {(0, 1), (1, 1), (0, 5000), (5000, 5000)} <= {(x, n) for x, n, _, _ in rows}
    for x, n, low, high in rows:
        expected_low, expected_high = proportion_confint(x, n, alpha=0.05, method="wilson")
        assert low == pytest.approx(expected_low, abs=1e-12), (x, n)
        assert high == pytest.approx(expected_high, abs=1e-12), (x, n)
    # The ends are exact where the interval touches them.
    assert all(low == 0.0 for x, n, low, _ in rows if x == 0)
    assert all(high == 1.0 for x, n, _, high in rows if x == n)


def test_the_rules_z_reaches_sql_at_six_decimals_and_stays_within_1e_7(empty_warehouse_file):
    """DuckDB variables carry rules as DECIMAL(18,6): 1.959964; the bounds move by under 1e-7."""
    rows = _macro_bounds(empty_warehouse_file, "interval_z()", GRID)
    for x, n, low, high in rows:
        expected_low, expected_high = proportion_confint(x, n, alpha=0.05, method="wilson")
        assert (low, high) == (pytest.approx(expected_low, abs=1e-7), pytest.approx(expected_high, abs=1e-7))


def test_an_empty_base_or_a_count_above_its_base_has_no_interval(empty_warehouse_file):
    rows = _macro_bounds(empty_warehouse_file, "interval_z()", [(0, 0), (3, 2)])
    assert [(low, high) for _, _, low, high in rows] == [(None, None), (None, None)]


def test_every_rate_carries_its_interval_in_the_view_and_in_roll_ups(wh):
    # D1 March: 2 services, 1 complaint (callback) -> complaint rate 1/2; 3 of 4 answered satisfied.
    # D1 April: 1 service and 3 verified hotline complaints -> complaints above services: no interval.
    load_all(
        wh,
        repairs=[repair("R1"), repair("R2"), repair("R3", month="2025-04", submitted="2025-05-10")],
        callbacks=[
            callback(
                f"C{i}",
                "R1",
                called="2025-03-20 10:00",
                satisfaction="5" if i else "2",
                complaint="Y" if i == 0 else "N",
            )
            for i in range(4)
        ],
        hotline=[ticket(f"T{i}", "2025-04-03 10:00") for i in range(3)],
        sales=[["D1", "2025-03", 2000, 100000]],
    )
    low, high = wh.query(
        "SELECT satisfaction_rate_low, satisfaction_rate_high FROM dealer_month_metrics WHERE month = '2025-03-01'"
    )[0]
    assert (low, high) == tuple(pytest.approx(v, abs=1e-7) for v in proportion_confint(3, 4, method="wilson"))
    per_mille = wh.query(
        "SELECT complaints_per_1000_sales, complaints_per_1000_sales_low, "
        "complaints_per_1000_sales_high FROM dealer_month_metrics WHERE month = '2025-03-01'"
    )[0]
    expected = proportion_confint(1, 2000, method="wilson")
    assert per_mille == (0.5, pytest.approx(1000 * expected[0], abs=1e-6), pytest.approx(1000 * expected[1], abs=1e-6))
    april = wh.query(
        "SELECT complaint_rate, complaint_rate_low, complaint_rate_high, satisfaction_rate, "
        "satisfaction_rate_low FROM dealer_month_metrics WHERE month = '2025-04-01'"
    )[0]
    assert april == (3.0, None, None, None, None)
    with reader(wh.path, wh.rules) as con:
        rolled = queries.rollup(con, ["dealer_id"], (dt.date(2025, 3, 1), dt.date(2025, 4, 1))).iloc[0]
    assert {f"{rate.name}_{end}" for rate in RATES for end in ("low", "high")} <= set(rolled.index)
    # 4 complaints on 3 services over both months: still no interval; 3 of 4 satisfied as in March.
    assert (rolled["complaints"], rolled["services"]) == (4, 3)
    assert rolled["complaint_rate_low"] is None or rolled["complaint_rate_low"] != rolled["complaint_rate_low"]
    assert rolled["satisfaction_rate_low"] == pytest.approx(low, abs=1e-12)
