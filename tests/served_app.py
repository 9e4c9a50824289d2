"""The dashboard as run.sh serves it, and Debian's Chromium, for the browser test modules.

One of each per test process (SHARED, through tests/conftest.py's fixtures `dashboard` and `browser`): the
browser modules are spread over the xdist workers (conftest's scheduler), and each worker that runs one starts
its own server, on its own free port and its own copy of the demo database built once (tests/demo_data.py),
and its own Chromium. The server runs until the session ends, whatever the worker runs between two browser
modules; Chromium stops as soon as the worker's next test does not use it (conftest's
pytest_runtest_teardown): Playwright's sync API leaves its event loop marked as running in the main thread,
which other tests must not inherit. A later browser test starts it again (about a second).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass(frozen=True)
class Dashboard:
    url: str  # e.g. http://127.0.0.1:43567
    database: Path  # the server's own copy of the demo database (a test may load files into it)
    log: Path  # everything the server printed


def server_log() -> Path:
    """The server's log: one per xdist worker (each that runs a browser module starts its own server)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return SCREENSHOTS / (f"streamlit-{worker}.log" if worker else "streamlit.log")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, log_path: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}: {log_path.read_text(encoding='utf-8')}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not answer at {url} within {seconds} s")


@contextlib.contextmanager
def serving(database: Path, log_path: Path, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """The dashboard on `database`, as run.sh starts it, on a free port; its address while it runs.
    extra_env: more environment (a users file: tests/test_access_browser.py)."""
    port = _free_port()
    env = {**os.environ, "SERVICE_QC_DB": str(database), "PYTHONPATH": str(ROOT), **(extra_env or {})}
    log_path.parent.mkdir(exist_ok=True)
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "app.serve",
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.fileWatcherType",
                "none",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, process, log_path)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


class Shared:
    """One dashboard server and one Chromium, each started on first use: stop_chromium() ends Chromium (and
    Playwright), stop() both."""

    def __init__(self) -> None:
        self._server: contextlib.ExitStack | None = None
        self._browser: contextlib.ExitStack | None = None
        self._dashboard: Dashboard | None = None
        self._chromium = None

    @property
    def chromium_running(self) -> bool:
        return self._browser is not None

    @property
    def server_log(self) -> Path | None:
        """The running server's log, if this process started one."""
        return self._dashboard.log if self._dashboard is not None else None

    def dashboard(self, prepare_database: Callable[[], Path]) -> Dashboard:
        """The server, on the database prepare_database() returns when it has to start."""
        if self._dashboard is None:
            database, log = prepare_database(), server_log()
            stack = contextlib.ExitStack()
            try:
                url = stack.enter_context(serving(database, log))
            except BaseException:
                stack.close()
                raise
            self._server, self._dashboard = stack, Dashboard(url, database, log)
        return self._dashboard

    def chromium(self):
        if self._chromium is None:
            from playwright.sync_api import sync_playwright

            stack = contextlib.ExitStack()
            try:
                playwright = stack.enter_context(sync_playwright())
                chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                stack.callback(chromium.close)
            except BaseException:
                stack.close()
                raise
            self._browser, self._chromium = stack, chromium
        return self._chromium

    def stop_chromium(self) -> None:
        stack, self._browser, self._chromium = self._browser, None, None
        if stack is not None:
            stack.close()

    def stop(self) -> None:
        self.stop_chromium()
        stack, self._server, self._dashboard = self._server, None, None
        if stack is not None:
            stack.close()


SHARED = Shared()


def choices_shown(page) -> list[str]:
    """What the page's choice boxes show: Streamlit 1.67 draws a selectbox's value in its input (a value, not text
    get_by_text finds), e.g. the drill-down's dealer choice 'JX101 · 杭州西湖家电服务部'."""
    return page.locator('[data-testid="stSelectbox"] input').evaluate_all("boxes => boxes.map(box => box.value)")
