"""Fixtures that build small input files and a fresh database per test (as datasette does), the
demo database built once (tests/demo_data.py), and the dashboard server and Chromium that the
browser modules share (tests/served_app.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import openpyxl
import pytest

from demo_data import copy_database, demo_database
from etl.db import apply_rules, writer
from etl.load import load_paths
from etl.rules import Rules, load_rules
from served_app import SHARED, Dashboard

# Issue 15: no users file unless a test writes one (monkeypatch SERVICE_QC_USERS): open access, as the demo runs;
# a developer's own data/users.toml must not put every page test behind the sign-in form.
os.environ["SERVICE_QC_USERS"] = str(Path(__file__).resolve().parent / "fixtures" / "no-users.toml")

DEALER_HEADER = [
    "dealer_id",
    "dealer_name",
    "region",
    "province",
    "city",
    "area_type",
    "technicians",
    "has_service_center",
    "joined_on",
    "left_on",
]


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
        full = [
            [
                r[0],
                r[1] if len(r) > 1 else f"Dealer {r[0]}",
                "华东",
                "浙江",
                "杭州",
                *(list(r[2:]) + ["urban", 2, "Y", "", ""][len(r) - 2 :]),
            ]
            for r in rows
        ]
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
    """A fresh warehouse whose loads open cases of every kind but the watchlist's: its lines are a
    statistics pass over every dealer after each load (0.3 s), which the tests of loading, rows and
    figures do not look at; tests/test_cases.py and the demo database keep every kind."""
    warehouse = Warehouse(tmp_path)
    values = warehouse.rules.values
    warehouse.rules = Rules(
        {**values, "cases.kinds": tuple(k for k in values["cases.kinds"] if k != "watchlist")}, warehouse.rules.source
    )
    return warehouse


@pytest.fixture
def any_sample(request, tmp_path, monkeypatch):
    """Issue 14's minimum sample (statistics.min_sample) off, for tests whose hand-made dealers have 10-20
    records each (tests/test_min_sample.py shows the minimum at work): for the command line and `wh` alike."""
    path = tmp_path / "any_sample.toml"
    path.write_text("[statistics]\nmin_sample = 0\n", encoding="utf-8")
    monkeypatch.setenv("SERVICE_QC_RULES", str(path))
    if "wh" in request.fixturenames:
        request.getfixturevalue("wh").rules = load_rules(path)


@pytest.fixture(scope="session")
def empty_warehouse_file(tmp_path_factory) -> Path:
    """A database with the tables and views in place, made once per session (that takes ~1 s)."""
    path = tmp_path_factory.mktemp("empty_warehouse") / "warehouse.duckdb"
    with writer(path, load_rules()):
        pass
    return path


class WarehouseTemplates:
    """Databases several tests start from, each loaded once per session (per xdist worker) by its
    builder and handed to each test as a copy at `wh.path`."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.built: dict[str, Path] = {}

    def copy_into(self, wh: Warehouse, build: Callable[[Warehouse], object]) -> Warehouse:
        """`wh` holding what build(a fresh Warehouse) loads; build runs, its checks too, on first use only."""
        name = f"{build.__module__}.{build.__qualname__}"
        if name not in self.built:
            template = Warehouse(self.folder / name)
            template.folder.mkdir()
            build(template)
            self.built[name] = template.path
        copy_database(self.built[name], wh.path)
        return wh


@pytest.fixture(scope="session")
def warehouse_templates(tmp_path_factory) -> WarehouseTemplates:
    return WarehouseTemplates(tmp_path_factory.mktemp("templates"))


@pytest.fixture
def prebuilt_warehouse(wh, empty_warehouse_file) -> Warehouse:
    """`wh` starting from a copy of the empty database instead of creating it on first load.

    Opt in per module with ``pytestmark = pytest.mark.usefixtures("prebuilt_warehouse")``.
    """
    for source in (empty_warehouse_file, empty_warehouse_file.with_name(empty_warehouse_file.name + ".wal")):
        if source.exists():
            shutil.copyfile(source, wh.folder / source.name)
    return wh


# --- the demo data set, the dashboard server, Chromium ----------------------------------------------


@pytest.fixture(scope="session")
def demo_warehouse(request, tmp_path_factory) -> Path:
    """The demo data set loaded, as `python -m etl demo` makes it: built once for the sources it comes
    from and kept in pytest's cache, so both xdist workers and later runs reuse it (tests/demo_data.py).
    A template: open it read-only, or copy it (demo_data.copy_database) to change it."""
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        folder = cache.mkdir("demo_warehouse")
    else:  # -p no:cacheprovider: the temporary folder every worker of this run shares
        base = tmp_path_factory.getbasetemp()
        folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "demo_warehouse"
    return demo_database(Path(folder))


@pytest.fixture(scope="module")
def dashboard(demo_warehouse, tmp_path_factory) -> Dashboard:
    """The dashboard served on a private copy of the demo database, shared by every browser module
    (tests/served_app.py); a test may load files into it."""
    return SHARED.dashboard(
        lambda: copy_database(demo_warehouse, tmp_path_factory.mktemp("dashboard") / "warehouse.duckdb")
    )


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright, shared by every browser module."""
    return SHARED.chromium()


def _uses_shared(item) -> bool:
    return bool({"dashboard", "browser"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    """Stop the shared server and Chromium once the next test (of another module) needs neither."""
    if not SHARED.running:
        return
    if nextitem is None or (nextitem.path != item.path and not _uses_shared(nextitem)):
        SHARED.stop()


def pytest_sessionfinish(session):
    SHARED.stop()


# The units of work that take longest (a few minutes each on 2 cores), longest first: started first, so
# that no worker is left running one of them alone at the end. xdist would otherwise start the units
# with the most tests first, and these have few. A new slow module belongs here.
LONGEST_FIRST = (
    "browser modules",
    "test_dates_properties.py",
    "test_marts.py",
    "test_damaged_files.py",
    "test_sample_national.py",
)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile`, except that the browser modules (tests/test_browser*.py) are one unit of work,
    run by one worker, so that they share one server and one Chromium; and LONGEST_FIRST go first."""
    if config.getoption("dist", None) != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class BrowserModulesTogetherLongestFirst(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            scope = super()._split_scope(nodeid)
            return "browser modules" if Path(scope).name.startswith("test_browser") else scope

        def _assign_work_unit(self, node) -> None:
            for name in reversed(LONGEST_FIRST):
                for scope in [s for s in self.workqueue if s == name or Path(s).name == name]:
                    self.workqueue.move_to_end(scope, last=False)
            super()._assign_work_unit(node)

    return BrowserModulesTogetherLongestFirst(config, log)
