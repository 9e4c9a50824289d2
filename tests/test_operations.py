"""Operations back end: guarded ad-hoc SQL, the callback list, missing reports, concurrent loads."""

import datetime as dt
import threading
import time

import duckdb
import pytest

from etl import upload
from etl.db import reader
from etl.explore import QueryRefused, run_query
from etl.metrics import operations
from metric_data import REPAIR_HEADER, load_all, repair


def _load_small(wh) -> None:
    load_all(wh, repairs=[repair("R1"), repair("R2", status="open")])


@pytest.fixture
def small(wh, warehouse_templates):
    """Two repairs, loaded once per session and copied for each test (tests/conftest.py)."""
    return warehouse_templates.copy_into(wh, _load_small)


@pytest.mark.parametrize(
    "sql, code",
    [
        ("DELETE FROM repairs", "not_select"),
        ("UPDATE repairs SET status = 'open'", "not_select"),
        ("CREATE TABLE t AS SELECT 1", "not_select"),
        ("SELECT * FROM read_csv('/etc/passwd')", "forbidden"),
        ("SELECT * FROM glob('/etc/*')", "forbidden"),
        ("COPY repairs TO '/tmp/leak.csv'", "not_select"),
        ("ATTACH '/tmp/other.duckdb'", "not_select"),
        ("INSTALL httpfs", "not_select"),
        ("LOAD httpfs", "not_select"),
        ("SET threads = 1", "not_select"),
        ("PRAGMA database_size", "not_select"),
        ("SELECT 1; DELETE FROM repairs", "several_statements"),
        ("SELECT * FROM no_such_table", "error"),
        ("   ", "empty"),
    ],
)
def test_explore_refuses_anything_but_one_read_only_select(small, sql, code):
    with pytest.raises(QueryRefused) as refused:
        run_query(small.path, small.rules, sql)
    assert refused.value.code == code
    assert small.query("SELECT count(*) FROM repairs") == [(2,)]


def test_explore_runs_selects_on_views_caps_rows_and_stops_slow_queries(small):
    result = run_query(small.path, small.rules, "SELECT dealer_id, services, misses FROM dealer_month_metrics")
    assert result.frame.values.tolist() == [["D1", 2, 1]] and not result.truncated
    capped = run_query(small.path, small.rules, "SELECT * FROM range(50)", row_limit=20)
    assert (len(capped.frame), capped.truncated, capped.row_limit) == (20, True, 20)
    started = time.perf_counter()
    with pytest.raises(QueryRefused) as slow:
        run_query(
            small.path,
            small.rules,
            "SELECT sum(a.range * b.range) FROM range(1000000000) a, range(1000) b",
            timeout_seconds=1,
        )
    assert slow.value.code == "timeout" and time.perf_counter() - started < 10


def test_callback_list_is_a_reproducible_stratified_sample_without_recent_customers(wh):
    records = [repair(f"A{i}", "D1", "2025-03") for i in range(1, 11)]
    records += [repair(f"B{i}", "D2", "2025-03") for i in range(1, 4)]
    phones = {f"A{i}": f"1380000000{i - 1}" for i in range(1, 11)}
    phones["A5"] = phones["A4"]  # one customer, two records: called once at most
    phones.update({"B1": "13900000001", "B2": "13900000002", "B3": ""})  # B3 has no phone
    header = REPAIR_HEADER + ["customer_phone", "customer_name"]
    rows = [r + [phones[r[0]], "张三"] for r in records]
    rows.append(repair("OLD", "D1", "2025-01", "2025-02-10") + [phones["A3"], "李四"])
    wh.dealers(["D1", "One"], ["D2", "Two"])
    wh.load(
        wh.file("repairs.csv", [header, *rows]),
        wh.file(
            "callbacks.csv",
            [
                ["callback_id", "record_no", "dealer_id", "called_at", "reached"],
                ["C1", "OLD", "D1", "2025-03-20 10:00", "N"],
            ],
        ),
    )
    with reader(wh.path, wh.rules) as con:
        first = operations.callback_list(con, dt.date(2025, 3, 1), dt.date(2025, 4, 15), 0.2, 90, seed=7)
        again = operations.callback_list(con, dt.date(2025, 3, 1), dt.date(2025, 4, 15), 0.2, 90, seed=7)
        later = operations.callback_list(con, dt.date(2025, 3, 1), dt.date(2025, 7, 1), 0.2, 90, seed=7)
    # D1: 10 records, quota ceil(2.0) = 2; D2: 3 records, quota ceil(0.6) = 1.
    assert first.groupby("dealer_id").size().to_dict() == {"D1": 2, "D2": 1}
    assert first.equals(again)
    assert phones["A3"] not in set(first["customer_phone"])  # called 26 days before
    assert first["customer_phone"].is_unique and "B3" not in set(first["record_no"])
    assert list(first["callback_id"]) == ["CB202503-D1-001", "CB202503-D1-002", "CB202503-D2-001"]
    assert first.loc[0, "customer_phone"].startswith("138") and first.loc[0, "customer_name"] == "张三"  # unmasked
    assert len(later) == 3 and set(later["dealer_id"]) == {"D1", "D2"}  # quotas hold on any list date


def test_report_status_lists_missing_and_late_reports_with_days(wh):
    load_all(
        wh,
        roster=[["D1", "One", "urban", 2, "Y", "2025-01-01", ""]],
        repairs=[
            repair("R1", month="2025-01", submitted="2025-02-15"),  # on time (the 15th)
            repair("R2", month="2025-02", submitted="2025-03-20"),
        ],
    )  # 5 days late; March missing
    with reader(wh.path, wh.rules) as con:
        status = operations.report_status(con, dt.date(2025, 4, 25))
    rows = status[["month", "status", "days_late", "days_overdue"]].astype(object).where(status.notna(), None)
    assert [(str(r[0])[:7], r[1], r[2], r[3]) for r in rows.values.tolist()] == [
        ("2025-03", "missing", None, 10),
        ("2025-02", "late", 5, None),
        ("2025-01", "on_time", None, None),
    ]


def test_a_terminal_load_waits_for_a_reader_and_two_uploads_wait_for_each_other(wh):
    load_all(wh, repairs=[repair("R1")])
    held = duckdb.connect(str(wh.path), read_only=True)  # a dashboard page mid-query
    release = threading.Timer(2.0, held.close)
    release.start()
    events: list[dict] = []
    first = wh.file("repairs_2025-04.csv", [REPAIR_HEADER, repair("R4", month="2025-04")])
    second = wh.file("repairs_2025-05.csv", [REPAIR_HEADER, repair("R5", month="2025-05", submitted="2025-06-10")])
    outcomes = {}

    def run(name, path):
        outcomes[name] = upload.load_files([path], wh.path, on_event=events.append)

    threads = [threading.Thread(target=run, args=(n, p)) for n, p in (("first", first), ("second", second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    release.cancel()
    assert [r["status"] for r in outcomes["first"]] == ["loaded"]
    assert [r["status"] for r in outcomes["second"]] == ["loaded"]
    assert any("in use by another process" in e.get("waiting", "") for e in events)
    assert wh.query("SELECT record_no FROM repairs ORDER BY 1") == [("R1",), ("R4",), ("R5",)]


def test_the_callbacks_scope_bounds_the_call_time_exactly_as_the_call_month():
    """Issue 13: the Callbacks page's scope also bounds called_at (what DuckDB can push into the scan); at the
    edges of the months the two bounds keep and drop the same callbacks."""
    from etl.metrics.scope import Scope, where

    scope = where(Scope(dt.date(2025, 3, 1), dt.date(2025, 4, 1)), month="f.month", dealers=None, moment="f.called_at")
    month_only = where(Scope(dt.date(2025, 3, 1), dt.date(2025, 4, 1)), month="f.month", dealers=None)
    edges = ["2025-02-28 23:59:59.999999", "2025-03-01 00:00:00", "2025-04-30 23:59:59.999999", "2025-05-01 00:00:00"]
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE f AS SELECT CAST(t AS TIMESTAMP) AS called_at, "
        "CAST(date_trunc('month', CAST(t AS TIMESTAMP)) AS DATE) AS month FROM unnest(?::VARCHAR[]) AS u(t)",
        [edges],
    )
    kept = [
        [str(t) for (t,) in con.execute(f"SELECT called_at FROM f WHERE {w.sql} ORDER BY 1", w.params).fetchall()]
        for w in (scope, month_only)
    ]
    assert kept[0] == kept[1] == ["2025-03-01 00:00:00", "2025-04-30 23:59:59.999999"]
    assert "f.called_at >= $scope_first_month" in scope.sql
