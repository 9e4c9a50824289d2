"""`python -m etl export --format parquet --out DIR [--db] [--with-personal-data]` (issue 13 point 6):
the loaded tables and the metric tables as Hive-partitioned Parquet with a manifest; read back in a
fresh DuckDB, the same metric views give the same monthly report; names, phones and addresses only
with --with-personal-data.

The database: dealers D1, D2 (urban) and D3 (county), the roster with a contact phone kept aside;
repairs of 2024-12 to 2025-02 with customers' names, phones and addresses (and a second phone kept
aside), a repeat repair, an open record, a late arrival, one row rejected (unknown dealer D9);
callbacks (satisfied, dissatisfied, a complaint, a fake record, one not reached), hotline tickets
(a verified complaint, an unanswered repair request, with phones), sales and a notice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from conftest import Warehouse
from etl import reports
from etl.cli import main
from etl.db import apply_rules, reader
from etl.export import attach
from etl.metrics.views import create_views, version

NAMES = ["张三丰", "李四光", "王五福", "赵六顺", "钱七巧", "孙八方"]
PHONES = [
    "13812345678",
    "13987654321",
    "15011112222",
    "18633334444",
    "17755556666",
    "13500004444",
    "13600007777",
    "18900001111",
    "13711112222",
]
ADDRESSES = ["杭州市西湖区文三路1号", "宁波市江北区人民路8号", "温州市鹿城区五马街3号"]

REPAIRS = [
    "record_no",
    "dealer_id",
    "report_month",
    "submitted_on",
    "hq_ticket_id",
    "customer_name",
    "customer_phone",
    "address",
    "serial_no",
    "service_type",
    "requested_at",
    "arrived_at",
    "status",
    "dealer_callback",
    "备用电话",
]
REPAIR_ROWS = [
    [
        "R1",
        "D1",
        "2024-12",
        "2025-01-10",
        "",
        "张三丰",
        "13812345678",
        "杭州市西湖区文三路1号",
        "SN1",
        "维修",
        "2024-12-20 09:00",
        "2024-12-20 15:00",
        "已完成",
        "Y",
        "13711112222",
    ],
    [
        "R2",
        "D1",
        "2025-01",
        "2025-02-20",
        "T1",
        "李四光",
        "13987654321",
        "宁波市江北区人民路8号",
        "SN1",
        "维修",
        "2025-01-05 09:00",
        "2025-01-07 09:00",
        "已完成",
        "N",
        "",
    ],  # repeat of SN1; 48 h late; report late
    [
        "R3",
        "D1",
        "2025-02",
        "2025-03-05",
        "",
        "王五福",
        "15011112222",
        "温州市鹿城区五马街3号",
        "SN2",
        "安装",
        "2025-02-03 10:00",
        "",
        "未完成",
        "N",
        "",
    ],  # open
    [
        "R4",
        "D2",
        "2025-01",
        "2025-02-08",
        "",
        "赵六顺",
        "18633334444",
        "杭州市西湖区文三路1号",
        "SN3",
        "维修",
        "2025-01-10 08:00",
        "2025-01-10 12:00",
        "已完成",
        "Y",
        "",
    ],
    [
        "R5",
        "D3",
        "2025-02",
        "2025-03-15",
        "",
        "钱七巧",
        "17755556666",
        "宁波市江北区人民路8号",
        "SN4",
        "保养",
        "2025-02-11 08:00",
        "2025-02-12 20:00",
        "已完成",
        "Y",
        "",
    ],  # county: 36 h is on time
    [
        "R6",
        "D9",
        "2025-02",
        "2025-03-15",
        "",
        "孙八方",
        "13600007777",
        "温州市鹿城区五马街3号",
        "SN5",
        "维修",
        "2025-02-12 08:00",
        "",
        "未完成",
        "N",
        "",
    ],  # rejected: unknown dealer
]
CALLBACKS = [
    "callback_id",
    "record_no",
    "dealer_id",
    "called_at",
    "reached",
    "service_confirmed",
    "resolved",
    "satisfaction",
    "complaint",
]
CALLBACK_ROWS = [
    ["C1", "R1", "D1", "2025-01-03 10:00", "Y", "Y", "Y", "5", "N"],
    ["C2", "R2", "D1", "2025-01-20 10:00", "Y", "Y", "N", "2", "Y"],
    ["C3", "R4", "D2", "2025-01-21 10:00", "Y", "N", "Y", "4", "N"],
    ["C4", "R5", "D3", "2025-02-25 10:00", "N", "", "", "", "N"],
]
HOTLINE = ["ticket_id", "received_at", "dealer_id", "ticket_type", "customer_phone", "record_no", "verified"]
HOTLINE_ROWS = [
    ["T1", "2025-01-04 09:00", "D1", "repair_request", "13987654321", "", ""],
    ["T2", "2025-01-15 09:00", "D2", "complaint", "18900001111", "R4", "Y"],
    ["T3", "2025-02-02 09:00", "D3", "repair_request", "13500004444", "", ""],  # nobody answered
]
SALES_ROWS = [
    ["dealer_id", "month", "units_sold", "sales_amount"],
    ["D1", "2024-12", 120, 36000],
    ["D1", "2025-01", 100, 30000],
    ["D2", "2025-01", 80, 24000],
    ["D3", "2025-02", 50, 15000],
]
PARTITIONED = {
    "sales": "month",
    "repairs": "report_month",
    "callbacks": "called_at",
    "hotline": "received_at",
    "report_submissions": "report_month",
    "dealer_month_counts": "month",
    "dealer_month_metrics": "month",
}
SINGLE = ("dealers", "notices", "load_log", "rejects", "rule_settings")
AS_OF = dt.date(2025, 12, 31)
# month=01 folders: without the types DuckDB keeps the month as text ('01'), leading zero and all
HIVE_TYPES = "hive_types = {'year': INTEGER, 'month': INTEGER}"


def export(database: Path, out: Path, *flags: str) -> tuple[int, str]:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        code = main(["export", "--format", "parquet", "--out", str(out), "--db", str(database), *flags])
    return code, printed.getvalue()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, empty_warehouse_file) -> Warehouse:
    with pytest.MonkeyPatch.context() as patch:
        for name in ("SERVICE_QC_DB", "SERVICE_QC_RULES", "SERVICE_QC_HEADER_ALIASES"):
            patch.delenv(name, raising=False)
        wh = Warehouse(tmp_path_factory.mktemp("export_warehouse"))
        shutil.copyfile(empty_warehouse_file, wh.path)
        roster = [
            ["dealer_id", "dealer_name", "area_type", "technicians", "has_service_center", "联系电话"],
            ["D1", "一号", "urban", 3, "Y", "18900001111"],
            ["D2", "二号", "urban", 2, "Y", ""],
            ["D3", "三号", "county", 1, "N", ""],
        ]
        results = wh.load(
            wh.file("dealers.csv", roster),
            wh.file("repairs.csv", [REPAIRS, *REPAIR_ROWS]),
            wh.file("callbacks.csv", [CALLBACKS, *CALLBACK_ROWS]),
            wh.file("hotline.csv", [HOTLINE, *HOTLINE_ROWS]),
            wh.file("sales.csv", SALES_ROWS),
            wh.file(
                "notices.csv", [["notice_id", "dealer_id", "notice_date", "source"], ["N1", "D2", "2025-01-09", "晚报"]]
            ),
        )
    assert [r.status for r in results] == ["loaded"] * 6, results
    assert {r.file: r.rows_rejected for r in results if r.rows_rejected} == {"repairs.csv": 1}, results
    return wh


@pytest.fixture(scope="module")
def exported(loaded, tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("export") / "parquet"
    code, printed = export(loaded.path, out)
    assert code == 0, printed
    return out, printed


@pytest.fixture(scope="module")
def exported_personal(loaded, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export_personal") / "parquet"
    code, printed = export(loaded.path, out, "--with-personal-data")
    assert code == 0, printed
    return out


def parquet_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.parquet"))


def contents(folder: Path) -> dict[Path, tuple[list[str], str]]:
    """Each Parquet file's column names and every value as text (JSON cells as written)."""
    found = {}
    with duckdb.connect() as con:
        for path in parquet_files(folder):
            frame = con.execute(f"SELECT * FROM read_parquet('{path}', hive_partitioning = false)").df()
            found[path] = list(frame.columns), "\n".join(str(v) for v in frame.astype(str).to_numpy().ravel())
    return found


def test_the_command_writes_year_month_partitions_single_files_and_a_manifest(loaded, exported):
    out, printed = exported
    assert "repairs: 5 rows, 3 partitions by year/month of report_month" in printed
    assert "personal data left out" in printed.splitlines()[-1]
    assert sorted(p.relative_to(out / "repairs").parent.as_posix() for p in parquet_files(out / "repairs")) == [
        "year=2024/month=12",
        "year=2025/month=01",
        "year=2025/month=02",
    ]
    assert sorted(p.name for p in (out / "sales" / "year=2025").iterdir()) == ["month=01", "month=02"]
    for table in PARTITIONED:
        folders = [path.parent.relative_to(out / table).as_posix() for path in parquet_files(out / table)]
        assert folders and all(re.fullmatch(r"year=20\d\d/month=(0[1-9]|1[0-2])", f) for f in folders), folders
    for table in SINGLE:
        assert (out / f"{table}.parquet").is_file()

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["personal_data"] is False
    assert manifest["metric_layer_version"] == version()
    assert dt.datetime.fromisoformat(manifest["exported_at"]) <= dt.datetime.now(dt.UTC)
    assert manifest["personal_data_left_out"]["repairs"]["columns"] == ["customer_name", "customer_phone", "address"]
    assert manifest["personal_data_left_out"]["hotline"]["columns"] == ["customer_phone"]
    assert manifest["rules"]["rule_service_sla_hours_county"] == 48
    assert set(manifest["tables"]) == {*PARTITIONED, *SINGLE}
    for table, entry in manifest["tables"].items():
        if table == "rule_settings":
            assert entry["rows"] == len(manifest["rules"])
            continue
        assert entry["rows"] == loaded.query(f"SELECT count(*) FROM {table}")[0][0], table
        expected = {"by": ["year", "month"], "from": PARTITIONED[table]} if table in PARTITIONED else None
        assert (entry["partitioning"] and {k: entry["partitioning"][k] for k in ("by", "from")}) == expected, table


def test_partition_folders_hold_the_rows_of_their_month(exported):
    out, _ = exported
    con = duckdb.connect()
    rows = con.execute(f"""
        SELECT year, month, count(*), bool_and(year(report_month) = year AND month(report_month) = month)
        FROM read_parquet('{out}/repairs/*/*/*.parquet', hive_partitioning = true, {HIVE_TYPES})
        GROUP BY ALL ORDER BY ALL""").fetchall()
    assert rows == [(2024, 12, 1, True), (2025, 1, 2, True), (2025, 2, 2, True)]
    # sales' own column is `month`: the folders hold its year and month, and it comes back from them
    sales = con.execute(
        f"SELECT dealer_id, make_date(year, month, 1) AS month, units_sold FROM read_parquet("
        f"'{out}/sales/*/*/*.parquet', hive_partitioning = true, {HIVE_TYPES}) ORDER BY ALL"
    )
    assert sales.fetchall() == [
        ("D1", dt.date(2024, 12, 1), 120),
        ("D1", dt.date(2025, 1, 1), 100),
        ("D2", dt.date(2025, 1, 1), 80),
        ("D3", dt.date(2025, 2, 1), 50),
    ]


def fresh_metric_layer(location: Path, rules) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory DuckDB: views named like the warehouse's tables over the Parquet files
    (read_parquet with hive_partitioning), the rules as variables, the metric layer on top."""
    con = duckdb.connect(":memory:")
    attach(con, str(location))
    apply_rules(con, rules)
    create_views(con)
    return con


def test_the_metric_layer_over_the_parquet_gives_the_warehouse_s_reports(loaded, exported):
    location = exported[0]  # without personal data: the metric layer never needs it
    con = fresh_metric_layer(location, loaded.rules)
    with reader(loaded.path, loaded.rules) as warehouse:
        expected = {name: reports.build(warehouse, name, 2025, AS_OF) for name in ("monthly", "award", "settlement")}
        expected["all months"] = reports.build(warehouse, "monthly", None, AS_OF)
        stored = warehouse.execute("SELECT * FROM dealer_month_metrics ORDER BY dealer_id, month").df()
    assert len(expected["all months"]) == 5  # D1 2024-12 to 2025-02, D2 2025-01, D3 2025-02
    for name in ("monthly", "award", "settlement"):
        pd.testing.assert_frame_equal(reports.build(con, name, 2025, AS_OF), expected[name], obj=name)
    pd.testing.assert_frame_equal(reports.build(con, "monthly", None, AS_OF), expected["all months"])
    con.close()
    # the exported metric tables themselves, as an engine without the metric layer reads them
    con = duckdb.connect(":memory:")
    attach(con, str(location), groups=("metric",))
    pd.testing.assert_frame_equal(
        con.execute("SELECT * FROM dealer_month_metrics ORDER BY dealer_id, month").df(), stored
    )
    con.close()


def test_without_the_flag_no_name_phone_or_address_is_in_any_file(exported):
    out, _ = exported
    personal = ("customer_name", "customer_phone", "address")
    files = contents(out)
    assert len(files) > 20
    for path, (columns, text) in files.items():
        assert not set(columns) & set(personal), path
        raw = path.read_bytes()  # column statistics in the footer too
        for value in NAMES + PHONES + ADDRESSES:
            assert value not in text, (path, value)
            assert value.encode() not in raw, (path, value)
    rejects = files[out / "rejects.parquet"][1]
    assert "孙*" in rejects and "136****7777" in rejects  # masked as the Data page masks them
    assert "18900001111" not in files[out / "dealers.parquet"][1]  # the roster's phone kept aside: dropped


def test_with_the_flag_names_phones_and_addresses_are_kept(exported_personal):
    out = exported_personal
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["personal_data"] is True and manifest["personal_data_left_out"] == {}
    texts: dict[str, str] = {}
    for path, (columns, text) in contents(out).items():
        table = path.relative_to(out).parts[0]
        texts[table] = texts.get(table, "") + text
        if table == "repairs":
            assert {"customer_name", "customer_phone", "address"} <= set(columns)
    everything = "\n".join(texts.values())
    for value in NAMES + PHONES + ADDRESSES:
        assert value in everything, value
    assert "13711112222" in texts["repairs"]  # the phone kept aside in extra_columns
    assert "孙八方" in texts["rejects.parquet"]


def test_exporting_again_replaces_the_earlier_export_and_nothing_else(loaded, tmp_path):
    out = tmp_path / "again"
    assert export(loaded.path, out)[0] == 0
    stale = out / "repairs" / "year=2023" / "month=01"
    stale.mkdir(parents=True)
    (stale / "data_0.parquet").write_bytes(b"not from this export")
    assert export(loaded.path, out)[0] == 0
    assert not (out / "repairs" / "year=2023").exists()
    assert duckdb.connect().execute(f"SELECT count(*) FROM '{out}/repairs/*/*/*.parquet'").fetchall() == [(5,)]

    foreign = tmp_path / "foreign"
    (foreign / "repairs").mkdir(parents=True)
    code, printed = export(loaded.path, foreign)
    assert code == 2 and "is in the way" in printed
    assert export(tmp_path / "none.duckdb", tmp_path / "nowhere")[0] == 2


def test_an_empty_warehouse_exports_empty_tables_that_read_back(empty_warehouse_file, tmp_path):
    database = tmp_path / "empty.duckdb"
    shutil.copyfile(empty_warehouse_file, database)
    assert export(database, tmp_path / "out")[0] == 0
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    non_empty = {t: e["rows"] for t, e in manifest["tables"].items() if e["rows"]}
    assert non_empty == {"rule_settings": len(manifest["rules"])}
    with duckdb.connect() as con:
        attach(con, str(tmp_path / "out"), groups=("loaded", "metric"))
        assert con.execute("SELECT count(*) FROM repairs, dealer_month_metrics").fetchall() == [(0,)]
