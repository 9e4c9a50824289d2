"""Fixtures that build small input files and a fresh database per test (as datasette does)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest

from etl.db import apply_rules, writer
from etl.load import load_paths
from etl.rules import load_rules

DEALER_HEADER = ["dealer_id", "dealer_name", "region", "province", "city", "area_type",
                 "technicians", "has_service_center", "joined_on", "left_on"]


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    """Rows (header included, title rows too) as a CSV file in the given encoding."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list]) -> Path:
    """Rows as the first sheet of a workbook; Python dates, numbers and bools become real Excel cells."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


class Warehouse:
    """A database in a temp folder, with helpers to load files and query it."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.path = folder / "warehouse.duckdb"
        self.rules = load_rules()

    def file(self, name: str, rows: list[list], encoding: str = "utf-8") -> Path:
        target = self.folder / "in" / name
        target.parent.mkdir(exist_ok=True)
        if name.endswith(".xlsx"):
            return write_xlsx(target, rows)
        return write_csv(target, rows, encoding)

    def load(self, *paths: Path, submitted_on: dt.date | None = None, today=dt.date(2026, 11, 23), rules=None):
        return load_paths(list(paths), self.path, rules or self.rules, submitted_on, today=today)

    def dealers(self, *rows: list, name: str = "dealers.csv"):
        """Load a roster; rows default area urban, 2 technicians, a service center, no dates."""
        full = [[r[0], r[1] if len(r) > 1 else f"Dealer {r[0]}", "华东", "浙江", "杭州",
                 *(list(r[2:]) + ["urban", 2, "Y", "", ""][len(r) - 2:])] for r in rows]
        return self.load(self.file(name, [DEALER_HEADER] + full))

    def query(self, sql: str, params=None, rules=None):
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            apply_rules(con, rules or self.rules)
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def frame(self, sql: str, params=None, rules=None):
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            apply_rules(con, rules or self.rules)
            return con.execute(sql, params or []).df()
        finally:
            con.close()


@pytest.fixture
def wh(tmp_path) -> Warehouse:
    return Warehouse(tmp_path)


@pytest.fixture(scope="session")
def empty_warehouse_file(tmp_path_factory) -> Path:
    """A database with the tables and views in place, made once per session (that takes ~1 s)."""
    path = tmp_path_factory.mktemp("empty_warehouse") / "warehouse.duckdb"
    with writer(path, load_rules()):
        pass
    return path


@pytest.fixture
def prebuilt_warehouse(wh, empty_warehouse_file) -> Warehouse:
    """`wh` starting from a copy of the empty database instead of creating it on first load.

    Opt in per module with ``pytestmark = pytest.mark.usefixtures("prebuilt_warehouse")``.
    """
    for source in (empty_warehouse_file, empty_warehouse_file.with_name(empty_warehouse_file.name + ".wal")):
        if source.exists():
            shutil.copyfile(source, wh.folder / source.name)
    return wh
