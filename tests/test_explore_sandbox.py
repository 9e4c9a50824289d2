"""Issue 11: the Explore page's sandbox. Hostile SQL reads no file, learns no path, sees no raw
name, phone or address, and stops within the time and memory limits; ordinary queries keep their
exact results.

The database (built once for the module): dealers D1, D2; repairs R1 (D1, 张三丰 13812345678,
杭州市西湖区文三路1号, a kept-aside 备用电话 13999998888) and R2 (D2, 王小二 13698765432, 宁波市海曙区中山路5号,
open); R3 rejected (status "done": 李四 13900001111, 杭州市滨江区江南大道2号); hotline H1 (D1, 13500004444).
A secret file lies next to the warehouse. Tests use a 2 s time limit and 256 MB memory limit.
"""

from __future__ import annotations

import time

import duckdb
import pandas as pd
import pytest

from conftest import Warehouse
from etl import explore
from etl.db import apply_rules
from etl.explore import QueryRefused, run_query

RAW = [
    "张三丰",
    "13812345678",
    "文三路",
    "13999998888",
    "王小二",
    "13698765432",
    "中山路",
    "李四",
    "13900001111",
    "江南大道",
    "13500004444",
]
SECRET = "top-secret-line"
# The margin covers starting and stopping the sandbox process on a busy 2-core machine (4.4 s seen
# under a load average of 8); a query the limit failed to stop would run for minutes.
TIME_LIMIT, MARGIN = 2.0, 4.0
# Time enough that only the memory limit can end a memory bomb (they take 0.3-1.3 s here).
MEMORY_BOMB_SECONDS = 20.0
HEADER = [
    "record_no",
    "dealer_id",
    "report_month",
    "submitted_on",
    "service_type",
    "requested_at",
    "arrived_at",
    "completed_at",
    "status",
    "labor_fee",
    "parts_fee",
    "customer_name",
    "customer_phone",
    "address",
    "备用电话",
]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    wh = Warehouse(tmp_path_factory.mktemp("sandbox"))
    wh.rules = wh.rules.with_overrides(
        {"explore.query_timeout_seconds": TIME_LIMIT, "explore.memory_limit_mb": 256, "explore.result_limit_mb": 8}
    )
    wh.dealers(["D1", "One"], ["D2", "Two"])
    wh.load(
        wh.file(
            "repairs.csv",
            [
                HEADER,
                [
                    "R1",
                    "D1",
                    "2025-03",
                    "2025-04-05",
                    "repair",
                    "2025-03-02 09:00",
                    "2025-03-02 11:00",
                    "2025-03-02 12:00",
                    "completed",
                    80,
                    20,
                    "张三丰",
                    "13812345678",
                    "杭州市西湖区文三路1号",
                    "13999998888",
                ],
                [
                    "R2",
                    "D2",
                    "2025-03",
                    "2025-04-05",
                    "install",
                    "2025-03-03 09:00",
                    "",
                    "",
                    "open",
                    0,
                    0,
                    "王小二",
                    "13698765432",
                    "宁波市海曙区中山路5号",
                    "",
                ],
                [
                    "R3",
                    "D1",
                    "2025-03",
                    "2025-04-05",
                    "repair",
                    "2025-03-04 09:00",
                    "",
                    "",
                    "done",
                    0,
                    0,
                    "李四",
                    "13900001111",
                    "杭州市滨江区江南大道2号",
                    "",
                ],
            ],
        ),
        wh.file(
            "hotline.csv",
            [
                ["ticket_id", "received_at", "dealer_id", "ticket_type", "customer_phone"],
                ["H1", "2025-03-05 10:00", "D1", "complaint", "13500004444"],
            ],
        ),
    )
    (wh.folder / "secret.csv").write_text(f"a\n{SECRET}\n", encoding="utf-8")
    assert wh.query("SELECT count(*) FROM repairs") == [(2,)] and wh.query("SELECT count(*) FROM rejects") == [(1,)]
    yield wh
    explore._POOL.end_all()


def answer(db, sql: str, **limits):
    """(refusal code or None, everything the user sees as one text, seconds)."""
    started = time.perf_counter()
    try:
        result = run_query(db.path, db.rules, sql, **limits)
    except QueryRefused as refused:
        return refused.code, f"{refused.code} {refused.detail}", time.perf_counter() - started
    frame = result.frame
    return None, " ".join(map(str, frame.columns)) + "\n" + frame.to_csv(index=False), time.perf_counter() - started


def as_before(db, sql: str) -> pd.DataFrame:
    """The frame the page showed before the sandbox: the rows of a plain read-only connection."""
    con = duckdb.connect(str(db.path), read_only=True)
    try:
        apply_rules(con, db.rules)
        cursor = con.execute(sql)
        return pd.DataFrame(cursor.fetchall(), columns=[d[0] for d in cursor.description])
    finally:
        con.close()


def assert_harmless(db, text: str):
    folder = str(db.folder.resolve())
    leaks = [word for word in RAW + [SECRET, folder, str(db.path), "DUCK\x00", "sandbox0"] if word in text]
    assert not leaks, (leaks, text[:500])


W = "{warehouse}"
FILE_READS = [
    f"SELECT * FROM read_blob('{W}')",
    f"SELECT content FROM read_blob('{W}')",
    f"SELECT * FROM read_text('{W}')",
    f"SELECT * FROM read_duckdb('{W}', table_name='repairs')",
    "SELECT * FROM read_csv('{secret}')",
    "SELECT * FROM read_csv_auto('{secret}')",
    "SELECT * FROM read_csv('file://{secret}')",
    "SELECT * FROM read_text('{secret}')",
    "SELECT * FROM read_blob('{folder}/*')",
    "SELECT * FROM '{secret}'",
    "SELECT * FROM read_parquet('{secret}')",
    "SELECT * FROM parquet_scan('{secret}')",
    "SELECT * FROM parquet_metadata('{secret}')",
    "SELECT * FROM parquet_schema('{secret}')",
    "SELECT * FROM parquet_file_metadata('{secret}')",
    "SELECT * FROM read_json('{secret}')",
    "SELECT * FROM read_json_auto('{secret}')",
    "SELECT * FROM read_ndjson_objects('{secret}')",
    "SELECT * FROM glob('{folder}/*')",
    "SELECT * FROM glob('/etc/*')",
    "SELECT * FROM sniff_csv('{secret}')",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/dev/stdin')",
    "SELECT * FROM read_csv('pipe:/etc/passwd')",
    "SELECT * FROM read_xlsx('{secret}')",
    "SELECT * FROM read_csv('https://example.com/a.csv')",
    "SELECT * FROM duckdb_extensions()",
]
STATEMENTS = [
    "ATTACH '{warehouse}' AS w (READ_ONLY)",
    "DETACH memory",
    "COPY repairs TO '{folder}/leak.csv'",
    "COPY (SELECT 1) TO '/tmp/leak.csv'",
    "EXPORT DATABASE '{folder}/dump'",
    "IMPORT DATABASE '{folder}'",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET enable_external_access = true",
    "SET disabled_filesystems = ''",
    "RESET lock_configuration",
    "SET VARIABLE x = 1",
    "PRAGMA database_list",
    "CALL pragma_database_list()",
    "USE system",
    "CREATE TABLE t AS SELECT * FROM repairs",
    "INSERT INTO dealers (dealer_id) VALUES ('X')",
    "CHECKPOINT",
    "EXPLAIN ANALYZE SELECT * FROM repairs",
    "SELECT 1; ATTACH '{warehouse}' AS w",
    "SELECT 1 /* ; */ ; COPY repairs TO '{folder}/x.csv'",
    "SELECT 1 -- hidden\n; SET lock_configuration = false",
    "/* SELECT */ DELETE FROM repairs",
]
DISCLOSURE = [
    "SELECT * FROM duckdb_databases()",
    "SELECT * FROM pragma_database_list",
    "SELECT * FROM duckdb_settings()",
    "SELECT current_setting('temp_directory'), current_setting('home_directory'), current_setting('secret_directory')",
    "SELECT * FROM duckdb_tables()",
    "SELECT * FROM duckdb_views()",
    "SELECT * FROM duckdb_columns()",
    "SELECT * FROM duckdb_schemas()",
    "SELECT * FROM information_schema.tables",
    "SELECT * FROM information_schema.schemata",
    "SELECT * FROM duckdb_memory()",
    "SELECT * FROM duckdb_temporary_files()",
    "SELECT * FROM duckdb_secrets()",
    "SELECT * FROM query('SELECT * FROM duckdb_databases()')",
    "SELECT * FROM warehouse.main.repairs",
    "SELECT * FROM load_log",
]
PERSONAL = [
    "SELECT customer_name, customer_phone, address FROM repairs",
    "SELECT * FROM repairs",
    "FROM repairs",
    "SELECT r.* FROM repairs AS r",
    "SELECT customer_phone FROM main.repairs",
    "SELECT customer_phone FROM memory.main.repairs",
    'SELECT "customer_phone" FROM "repairs"',
    "SELECT CUSTOMER_PHONE FROM REPAIRS",
    "SELECT * FROM query_table('repairs')",
    "SELECT * FROM query('SELECT customer_name, customer_phone, address FROM repairs')",
    "SELECT * FROM repair_facts",
    "SELECT * FROM latest_repairs",
    "SELECT * FROM hotline",
    "SELECT extra_columns FROM repairs",
    "SELECT * FROM rejects",
    "SELECT to_json(r) FROM repairs r",
    "SELECT string_agg(customer_phone || customer_name || address, ',') FROM repairs",
    "SELECT min(customer_phone), max(customer_phone), min(customer_name), max(address) FROM repairs",
    "SUMMARIZE repairs",
    "SELECT * FROM pragma_storage_info('repairs')",
    "SELECT * FROM pragma_storage_info('hotline')",
    "SELECT * FROM information_schema.columns",
    "SELECT unnest(range(10)) AS n, customer_phone FROM repairs",
]
BOMBS = [
    "SELECT max(levenshtein(repeat('a', 30000), repeat('b', 30000 + i))) FROM range(16) t(i)",
    "SELECT repeat('x', 100000000) FROM range(200)",
    "SELECT len(range(3000000000))",
    "SELECT length(string_agg(repeat('x', 200), ',')) FROM range(30000000)",
    "SELECT list(range) FROM range(400000000)",
    "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT count(*) FROM t",
    "SELECT sum(a.range * b.range) FROM range(1000000000) a, range(1000) b",
    "SELECT repeat('x', 1000000) FROM range(20)",
]
HOSTILE = (
    [("file", sql) for sql in FILE_READS]
    + [("statement", sql) for sql in STATEMENTS]
    + [("disclosure", sql) for sql in DISCLOSURE]
    + [("personal", sql) for sql in PERSONAL]
    + [("bomb", sql) for sql in BOMBS]
)


def test_the_hostile_list_covers_every_class():
    assert len(HOSTILE) >= 60 and len({sql for _, sql in HOSTILE}) == len(HOSTILE)


@pytest.mark.parametrize("kind, sql", HOSTILE)
def test_hostile_sql_is_refused_or_harmless(db, kind, sql):
    sql = sql.format(warehouse=db.path.resolve(), secret=db.folder.resolve() / "secret.csv", folder=db.folder.resolve())
    code, text, seconds = answer(db, sql)
    assert_harmless(db, text)
    assert seconds < TIME_LIMIT + MARGIN, seconds
    if kind == "file":
        assert code is not None, text
    if kind == "statement":
        assert code in {"not_select", "several_statements", "syntax"}, code
    assert db.query("SELECT count(*) FROM repairs") == [(2,)]


def test_file_functions_are_refused_as_forbidden(db):
    for sql in (
        f"SELECT * FROM read_blob('{db.path.resolve()}')",
        f"SELECT * FROM read_duckdb('{db.path.resolve()}', table_name='repairs')",
        f"SELECT * FROM read_csv('{db.folder.resolve() / 'secret.csv'}')",
    ):
        code, text, _ = answer(db, sql)
        assert code == "forbidden", text


def test_limits_stop_every_statement_in_time_and_say_which(db):
    answer(db, "SELECT 1")  # the worker is built: the seconds below are the statement's alone
    code, _, seconds = answer(db, BOMBS[0])  # levenshtein does not check the interrupt
    assert code == "timeout" and TIME_LIMIT <= seconds < TIME_LIMIT + 1.5, seconds
    for bomb in BOMBS[1:4]:  # a loaded machine may take longer than 2 s to fill 256 MB: the memory limit must end them
        code, text, seconds = answer(db, bomb, timeout_seconds=MEMORY_BOMB_SECONDS)
        assert code == "memory" and text == "memory 256" and seconds < MEMORY_BOMB_SECONDS, (bomb, code, seconds)
    assert answer(db, BOMBS[6])[0] == "timeout"
    assert answer(db, BOMBS[7])[:2] == ("too_large", "too_large 8")
    assert answer(db, "SELECT count(*) AS n FROM repairs")[:2] == (None, "n\nn\n2\n")


def test_personal_values_are_masked_as_on_every_page_and_cannot_be_matched(db):
    frame = run_query(
        db.path,
        db.rules,
        "SELECT record_no, customer_name, customer_phone, address, "
        "coalesce(extra_columns->>'备用电话', '-') AS spare FROM repairs ORDER BY record_no",
    ).frame
    assert frame.values.tolist() == [
        ["R1", "张*", "138****5678", "***", "139****8888"],
        ["R2", "王*", "136****5432", "***", "-"],
    ]
    assert run_query(db.path, db.rules, "SELECT customer_phone FROM hotline").frame.values.tolist() == [["135****4444"]]
    oracle = run_query(
        db.path,
        db.rules,
        "SELECT count(*) FILTER (WHERE customer_phone = '13812345678'), "
        "count(*) FILTER (WHERE customer_name LIKE '张三%'), "
        "count(*) FILTER (WHERE address LIKE '%文三路%'), "
        "count(*) FILTER (WHERE customer_phone LIKE '%8765%') FROM repairs",
    ).frame
    assert oracle.values.tolist() == [[0, 0, 0, 0]]
    rejected = run_query(
        db.path,
        db.rules,
        "SELECT raw_values->>'customer_name', raw_values->>'customer_phone', "
        "raw_values->>'address', raw_values->>'status' FROM rejects",
    ).frame
    assert rejected.values.tolist() == [["李*", "139****1111", "***", "done"]]


def test_ordinary_queries_keep_their_exact_results(db):
    # D1: R1 completed (80 + 20); D2: R2 open. One month, 2025-03.
    frame = run_query(
        db.path,
        db.rules,
        "SELECT dealer_id, month, services, labor_fee + parts_fee AS fees "
        "FROM dealer_month_metrics m LEFT JOIN (SELECT dealer_id, sum(labor_fee) AS labor_fee, "
        "sum(parts_fee) AS parts_fee FROM repairs GROUP BY 1) USING (dealer_id) ORDER BY 1",
    ).frame
    assert [(d, str(m)[:10], s, float(f)) for d, m, s, f in frame.values.tolist()] == [
        ("D1", "2025-03-01", 1, 100.0),
        ("D2", "2025-03-01", 1, 0.0),
    ]
    assert frame.values.tolist() == [
        list(row)
        for row in db.query(
            "SELECT dealer_id, month, services, labor_fee + parts_fee AS fees FROM dealer_month_metrics m LEFT JOIN "
            "(SELECT dealer_id, sum(labor_fee) AS labor_fee, sum(parts_fee) AS parts_fee FROM repairs GROUP BY 1) "
            "USING (dealer_id) ORDER BY 1"
        )
    ]
    log = run_query(db.path, db.rules, "SELECT file_name, archived_as FROM load_log ORDER BY load_id").frame
    assert [(f, a.split("/")[0], a.split("/")[-1]) for f, a in log.values.tolist()] == [
        ("dealers.csv", "archive", "dealers.csv"),
        ("repairs.csv", "archive", "repairs.csv"),
        ("hotline.csv", "archive", "hotline.csv"),
    ]
    plain = "SELECT * EXCLUDE (customer_name, customer_phone, address, extra_columns) FROM repairs ORDER BY record_no"
    assert run_query(db.path, db.rules, plain).frame.equals(as_before(db, plain))
    capped = run_query(db.path, db.rules, "SELECT * FROM range(50)", row_limit=20)
    assert (len(capped.frame), capped.truncated, capped.row_limit) == (20, True, 20)
    assert (
        run_query(db.path, db.rules, "SELECT rule('rule_controls_complaint_rate_max') AS r").frame["r"][0]
        == db.query("SELECT rule('rule_controls_complaint_rate_max')")[0][0]
    )


def _open_access_worker(db):
    """The warm worker of open access (every dealer) on this warehouse."""
    return explore._POOL.workers[repr((str(db.path.resolve()), None))]


def test_the_worker_stays_warm_and_follows_new_loads(db):
    run_query(db.path, db.rules, "SELECT 1")
    first = _open_access_worker(db).process.pid
    started = time.perf_counter()
    run_query(db.path, db.rules, "SELECT count(*) FROM repairs")
    assert time.perf_counter() - started < 0.5
    assert _open_access_worker(db).process.pid == first
    db.load(
        db.file(
            "hotline2.csv",
            [
                ["ticket_id", "received_at", "dealer_id", "ticket_type", "customer_phone"],
                ["H2", "2025-03-06 10:00", "D2", "inquiry", "13311112222"],
            ],
        )
    )
    frame = run_query(db.path, db.rules, "SELECT ticket_id, customer_phone FROM hotline ORDER BY 1").frame
    assert frame.values.tolist() == [["H1", "135****4444"], ["H2", "133****2222"]]
    assert _open_access_worker(db).process.pid != first
