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
# Issue 12.2: the command line speaks the locale's language (etl.cli.language): English here, on any machine, unless a
# test sets the locale itself (monkeypatch) or passes --lang.
for _name in ("LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_name, None)
os.environ["LANG"] = "C.UTF-8"

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
    """The dashboard served on a private copy of the demo database, shared by every browser module that this
    process (xdist worker) runs (tests/served_app.py); a test may load files into it."""
    return SHARED.dashboard(
        lambda: copy_database(demo_warehouse, tmp_path_factory.mktemp("dashboard") / "warehouse.duckdb")
    )


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright, shared by every browser module of this process."""
    return SHARED.chromium()


@pytest.fixture(scope="module", autouse=True)
def server_logged_no_error(request):
    """After each browser module, the log of this worker's server holds no error: what the app did not show must
    not hide there. (With one server for all the browser modules, the last module's own check covered them all;
    now each worker's server is checked after every browser module it runs.)"""
    yield
    log = SHARED.server_log
    if log is not None and is_browser_module(str(request.path)):
        text = log.read_text(encoding="utf-8")
        assert "Traceback" not in text and "Error" not in text, f"after {request.path.name}: {text}"


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    """Stop Chromium (and Playwright's event loop) once the next test does not use it; the server runs on."""
    if SHARED.chromium_running and (nextitem is None or "browser" not in getattr(nextitem, "fixturenames", ())):
        SHARED.stop_chromium()


# --- the order of the work: xdist's `--dist loadfile`, longest module first ------------------------------------


def is_browser_module(path: str) -> bool:
    """A module driving Chromium (tests/test_browser*.py): found by its name, so a new one needs no list."""
    return Path(path.split("::")[0]).name.startswith("test_browser")


# Without durations of an earlier run (pytest's cache, as in CI's fresh checkout): a browser test's guess, any
# other test's, and the modules whose few tests take long, in seconds on a quiet 2-core machine.
GUESS_BROWSER_TEST = 12.0
GUESS_TEST = 0.4
SLOW_MODULES = {
    "test_damaged_files.py": 100.0,
    "test_marts.py": 80.0,
    "test_dates_properties.py": 40.0,
    "test_sample_national.py": 40.0,
}
DURATIONS_KEY = "service_qc/durations"
# The demo database takes this long to build when no earlier run left it in the cache (tests/demo_data.py):
# meanwhile a second worker runs a long module of another kind rather than wait for it.
DEMO_BUILD_SECONDS = 60.0


_DURATIONS: dict[str, float] = {}  # nodeid -> seconds of setup, call and teardown, gathered by the controller


def pytest_runtest_logreport(report):
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        _DURATIONS[report.nodeid] = _DURATIONS.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish(session):
    SHARED.stop()
    cache = getattr(session.config, "cache", None)
    if cache is not None and _DURATIONS and not os.environ.get("PYTEST_XDIST_WORKER"):
        known = cache.get(DURATIONS_KEY, {})
        cache.set(DURATIONS_KEY, {**known, **{k: round(v, 3) for k, v in _DURATIONS.items()}})


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile` (a module's tests on one worker, so that its module fixtures are made once), with the
    modules handed out longest first to whichever worker is free (longest processing time first), the length
    taken from the durations of the last run (pytest's cache) or else guessed (GUESS_*, SLOW_MODULES). Each
    worker that runs a browser module serves the dashboard and runs Chromium itself (tests/served_app.py)."""
    if config.getoption("dist", None) != "loadfile":
        return None
    import time

    from xdist.scheduler import LoadFileScheduling

    cache = getattr(config, "cache", None)
    known: dict[str, float] = cache.get(DURATIONS_KEY, {}) if cache is not None else {}

    class LongestFirst(LoadFileScheduling):
        def __init__(self, config, log=None) -> None:
            super().__init__(config, log)
            self.browser_since: float | None = None  # when the first browser module was handed out
            self.served: set = set()  # the workers that ran a browser module

        def _cost(self, scope: str) -> float:
            tests = self.workqueue[scope]
            guess = GUESS_BROWSER_TEST if is_browser_module(scope) else GUESS_TEST
            cost = sum(known.get(nodeid, guess) for nodeid in tests)
            if not any(nodeid in known for nodeid in tests):
                cost = max(cost, SLOW_MODULES.get(Path(scope).name, 0.0))
            return cost

        def _assign_work_unit(self, node) -> None:
            ranked = sorted(self.workqueue, key=self._cost, reverse=True)
            scope = ranked[0]
            waiting = self.browser_since is not None and time.monotonic() - self.browser_since < DEMO_BUILD_SECONDS
            if is_browser_module(scope) and node not in self.served and waiting:
                scope = next((s for s in ranked if not is_browser_module(s)), scope)
            if is_browser_module(scope):
                self.served.add(node)
                if self.browser_since is None:
                    self.browser_since = time.monotonic()
            self.workqueue.move_to_end(scope, last=False)
            super()._assign_work_unit(node)

        def _reschedule(self, node) -> None:
            """A worker gets its next module when one test of its current one is left (xdist: two), so that
            the last modules go to the worker that is free first."""
            if node.shutting_down:
                return
            if not self.workqueue:
                node.shutdown()
            elif self._pending_of(self.assigned_work[node]) <= 1:
                self._assign_work_unit(node)

    return LongestFirst(config, log)
