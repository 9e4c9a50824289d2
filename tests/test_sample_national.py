"""The national-scale data set (`python -m etl sample --dealers N --months M`, sampledata/national.py):
the same seed gives the same bytes, a small set loads without a rejected row and gives non-trivial
metrics, volumes scale as its docstring says, and a few properties one can check by hand."""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from etl.cli import main
from etl.load import collect_paths, load_paths
from etl.read import kind_from_name, month_from_name
from etl.rules import load_rules
from etl.schema import KIND_BY_NAME
from sampledata import generate
from sampledata.national_plan import RECORDS_PER_DEALER_MONTH

END = "2026-06"  # a fixed last month, so the test does not depend on today's date
DEALERS, MONTHS = 40, 5


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def national(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("national") / "set"
    assert (
        main(["sample", "--dealers", str(DEALERS), "--months", str(MONTHS), "--end-month", END, "--out", str(folder)])
        == 0
    )
    return folder


@pytest.fixture(scope="module")
def loaded(national, tmp_path_factory, empty_warehouse_file) -> Path:
    database = tmp_path_factory.mktemp("national_db") / "warehouse.duckdb"
    shutil.copyfile(empty_warehouse_file, database)
    results = load_paths(collect_paths([str(national)]), database, load_rules())
    assert [r.file for r in results if r.status != "loaded"] == []
    assert sum(r.rows_rejected for r in results) == 0, [r.line() for r in results if r.rows_rejected]
    return database


def test_same_seed_same_bytes_other_seed_other_bytes(national, tmp_path):
    again = tmp_path / "again"
    generate(again, end_month=END, dealers=DEALERS, months=MONTHS)
    assert _digest(again) == _digest(national)
    other = tmp_path / "other"
    generate(other, seed=7, end_month=END, dealers=DEALERS, months=MONTHS)
    assert _digest(other).keys() == _digest(national).keys()
    assert _digest(other)["repairs_2026-06.csv"] != _digest(national)["repairs_2026-06.csv"]


def test_one_file_per_kind_and_month_named_as_the_loader_reads_them(national):
    months = ["2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    expected = {"dealers.csv", "notices.csv"}
    expected |= {f"{kind}_{month}.csv" for kind in ("sales", "repairs", "hotline") for month in months}
    expected |= {f"callbacks_{month}.csv" for month in months[1:]}  # called days after the report came in
    assert {p.name for p in national.iterdir()} == expected
    for path in national.iterdir():
        kind = kind_from_name(path.name)
        assert kind is not None and path.name.startswith(kind.name)
        with path.open(encoding="utf-8") as handle:
            header = handle.readline().rstrip("\n").split(",")
        assert header == [c.chinese for c in KIND_BY_NAME[kind.name].columns]  # the spec's Chinese headers
        if kind.name == "repairs":
            month = month_from_name(path.name)
            assert {row["报表月份"] for row in _rows(path)} == {f"{month:%Y-%m}"}


def test_loads_without_a_rejected_row_and_the_rates_are_not_trivial(loaded, tmp_path, capsys):
    out = tmp_path / "monthly.csv"
    assert main(["report", "monthly", "--db", str(loaded), "--out", str(out)]) == 0
    rows = _rows(out)
    total = {
        name: sum(int(r[name]) for r in rows)
        for name in (
            "services",
            "complaints",
            "misses",
            "callbacks_answered",
            "satisfied",
            "dissatisfied",
            "fake_records",
            "on_time",
            "on_time_base",
            "dealer_callbacks",
            "repeat_repairs",
            "repeat_base",
            "requests",
        )
    }
    assert 0.005 < total["complaints"] / total["services"] < 0.03
    assert 0.01 < total["misses"] / total["requests"] < 0.05
    assert total["requests"] > total["services"]  # unanswered hotline repair requests count as requests
    assert 0.8 < total["satisfied"] / total["callbacks_answered"] < 0.95
    assert 0.02 < total["dissatisfied"] / total["callbacks_answered"] < 0.1
    assert total["fake_records"] > 0
    assert 0.8 < total["on_time"] / total["on_time_base"] < 0.97
    assert 0.25 < total["dealer_callbacks"] / total["services"] < 0.5
    assert 0.005 < total["repeat_repairs"] / total["repeat_base"] < 0.04
    on_time = [r["report_on_time"] for r in rows if int(r["services"])]
    assert 0 < on_time.count("false") < len(on_time) / 10  # a few late or missing reports


def test_volumes_scale_as_documented(national, loaded):
    con = duckdb.connect(str(loaded), read_only=True)
    try:
        repairs, callbacks, tickets, sales = (
            con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("repairs", "callbacks", "hotline", "sales")
        )
    finally:
        con.close()
    # about 196 records per dealer-month under contract; a few contracts begin or end, ~1 % of reports missing
    nominal = RECORDS_PER_DEALER_MONTH * DEALERS * MONTHS
    assert 0.85 * nominal < repairs < 1.02 * nominal
    # 10-20 % of each delivered dealer-month; the last month's records are mostly not called yet
    assert 0.10 * repairs * (MONTHS - 1) / MONTHS < callbacks < 0.17 * repairs
    assert 0.04 * repairs < tickets < 0.07 * repairs
    assert 0.9 * DEALERS * MONTHS < sales <= DEALERS * MONTHS


def test_double_the_dealers_double_the_records(tmp_path):
    small, large = tmp_path / "small", tmp_path / "large"
    generate(small, end_month=END, dealers=30, months=2)
    generate(large, end_month=END, dealers=60, months=2)

    def records(folder: Path) -> int:
        return sum(len(_rows(p)) for p in folder.glob("repairs_*.csv"))

    assert 1.7 < records(large) / records(small) < 2.3
    assert records(small) == pytest.approx(RECORDS_PER_DEALER_MONTH * 30 * 2, rel=0.15)


def test_town_and_county_dealer_of_a_city_and_a_repeat_across_them(national, loaded):
    dealers = _rows(national / "dealers.csv")
    assert [d["经销商编号"] for d in dealers] == [f"JX{10001 + i}" for i in range(DEALERS)]
    first, second = dealers[0], dealers[1]
    assert [first["城市"], first["区域类型"]] == ["杭州市", "市区"]
    assert [second["城市"], second["区域类型"]] == ["杭州市", "郊县"]
    con = duckdb.connect(str(loaded), read_only=True)
    try:
        across = con.execute("""
            SELECT count(*) FROM repairs later JOIN repairs earlier
              ON later.serial_no = earlier.serial_no AND later.dealer_id <> earlier.dealer_id
            WHERE later.service_type = 'repair' AND earlier.service_type = 'repair'
              AND earlier.requested_at < later.requested_at
              AND later.requested_at - earlier.requested_at <= INTERVAL 30 DAY""").fetchone()[0]
        answered_later = con.execute("""
            SELECT count(*) FROM hotline h JOIN repairs r ON r.hq_ticket_id = h.ticket_id AND r.dealer_id = h.dealer_id
            WHERE date_trunc('month', h.received_at) < r.report_month""").fetchone()[0]
        merged = con.execute("""
            SELECT count(*) FROM callbacks c JOIN hotline h ON h.record_no = c.record_no AND h.dealer_id = c.dealer_id
            WHERE c.complaint AND h.ticket_type = 'complaint'""").fetchone()[0]
    finally:
        con.close()
    assert across > 0  # the county dealer repairs what the town dealer repaired weeks before
    assert answered_later > 0  # a request that came in late in a month, answered by next month's record
    assert merged > 0  # a complaint made in a callback and to the hotline


def test_every_record_with_a_hotline_ticket_names_a_request_of_its_dealer(national):
    tickets = {}
    for path in national.glob("hotline_*.csv"):
        for row in _rows(path):
            tickets[row["工单号"]] = (row["经销商编号"], row["工单类型"])
    answered = [
        (row["总部工单号"], row["经销商编号"])
        for path in sorted(national.glob("repairs_*.csv"))[1:]
        for row in _rows(path)
        if row["总部工单号"]
    ]
    assert answered
    assert all(tickets[ticket] == (dealer, "报修") for ticket, dealer in answered)
