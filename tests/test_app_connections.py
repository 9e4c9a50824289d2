"""The dashboard's read connections: reused within a page run, never across threads, closed when
idle so loads get in, and nothing one read leaves behind is seen by the next."""

import threading
import time

import duckdb
import pyarrow as pa
import pytest

from app import connections
from etl.explore import QueryRefused, run_query
from etl.metrics.drilldown import use_metric_rows
from metric_data import load_all, repair


@pytest.fixture
def small(wh):
    load_all(wh, repairs=[repair("R1"), repair("R2", status="open")])
    yield wh
    connections.close_all()


def read(wh, sql, rules=None):
    with connections.read_connection(wh.path, rules or wh.rules, 5) as con:
        return con, con.execute(sql).fetchall()


def test_reads_in_a_row_share_one_connection_without_seeing_each_others_temp_tables(small):
    with connections.read_connection(small.path, small.rules, 5) as first:
        stored = use_metric_rows(first, pa.table({"dealer_id": ["X"] * 3, "services": [7, 7, 7]}))
        assert first.execute(f"SELECT sum(services) FROM {stored}").fetchall() == [(21,)]
    second, rows = read(small, "SELECT dealer_id, services FROM dealer_month_metrics")
    assert second is first
    assert rows == [("D1", 2)]  # the view again: two repairs of D1, not the three rows above
    assert read(small, "SELECT count(*) FROM duckdb_tables() WHERE temporary")[1] == [(0,)]  # the stored rows dropped


def test_other_rules_get_their_own_connection_with_their_values(small):
    key, variable = "award.max_complaints_per_1000_sales", "rule_award_max_complaints_per_1000_sales"
    first, _ = read(small, "SELECT 1")
    second, rows = read(small, f"SELECT rule('{variable}')", rules=small.rules.with_overrides({key: 2.5}))
    assert second is not first and float(rows[0][0]) == 2.5
    third, rows = read(small, f"SELECT rule('{variable}')")
    assert third is not second and float(rows[0][0]) == 1.0


def test_an_idle_connection_closes_so_a_load_in_this_process_gets_in(small):
    read(small, "SELECT count(*) FROM repairs")
    started = time.perf_counter()
    results = load_all(small, repairs=[repair("R3")])
    assert [r.status for r in results if r.kind == "repairs"] == ["loaded"]
    assert time.perf_counter() - started < 10
    assert small.query("SELECT count(*) FROM repairs WHERE record_no = 'R3'") == [(1,)]


def test_a_failed_read_closes_its_connection_and_the_next_read_opens_a_fresh_one(small):
    with pytest.raises(duckdb.CatalogException), connections.read_connection(small.path, small.rules, 5) as broken:
        broken.execute("SELECT * FROM no_such_table")
    with pytest.raises(duckdb.ConnectionException):
        broken.execute("SELECT 1")
    fresh, rows = read(small, "SELECT count(*) FROM repairs")
    assert fresh is not broken and rows == [(2,)]


def test_threads_never_share_a_connection(small):
    used: dict[str, set[int]] = {"a": set(), "b": set()}
    errors: list[Exception] = []

    def reads(name):
        try:
            for _ in range(15):
                con, rows = read(small, "SELECT count(*) FROM dealer_month_metrics, range(2000)")
                assert rows == [(2000,)]
                used[name].add(id(con))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=reads, args=(name,)) for name in used]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert used["a"] and used["b"] and not used["a"] & used["b"]


def test_explore_sandbox_settings_do_not_reach_the_dashboards_readers(small):
    with connections.read_connection(small.path, small.rules, 5) as held:
        with pytest.raises(QueryRefused) as refused:
            run_query(small.path, small.rules, "SELECT * FROM read_csv('/etc/passwd')")
        assert refused.value.code == "forbidden"
        assert held.execute(
            "SELECT current_setting('enable_external_access'), current_setting('lock_configuration')"
        ).fetchall() == [(True, False)]
