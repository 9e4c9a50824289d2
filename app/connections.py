"""Read-only connections for the dashboard's reads: one per script thread, reused by the reads
of one page run and closed as soon as it has been idle for IDLE_SECONDS.

Opening a connection (file, catalog, the rules' variables) and closing it costs about 30 ms,
and a page makes five to eight reads, so a connection per read spent a third of a page's data
work on connecting. Holding one for good would block every load by another process (DuckDB
lets a writer in only when no other process holds the file), so it is held only while a page
run keeps reading: a terminal load or an upload waits at most one page render plus
IDLE_SECONDS. A connection is never shared between threads (DuckDB 2.0 refuses a connection
busy in another thread), and what a read leaves behind on it (the temporary table
etl.metrics.overview.use_metric_rows creates) is dropped before the next read can see it.
"""

from __future__ import annotations

import atexit
import threading
from contextlib import contextmanager
from pathlib import Path

from etl.db import open_reader
from etl.rules import Rules

IDLE_SECONDS = 0.4
# Session state a read may leave on its connection; dropped after every read.
LEFTOVERS = ("DROP TABLE IF EXISTS temp.main.page_metric_rows",)


class _Held:
    """A thread's connection: `lock` guards it against the idle timer closing it mid-read."""

    def __init__(self, path: Path, rules: Rules, con):
        self.path, self.rules_key, self.con = path, tuple(sorted(rules.values.items())), con
        self.lock = threading.Lock()
        self.closed = False
        self.timer: threading.Timer | None = None

    def matches(self, path: Path, rules: Rules) -> bool:
        return self.path == path and self.rules_key == tuple(sorted(rules.values.items()))

    def close(self) -> None:
        with self.lock:
            if not self.closed:
                self.closed = True
                self.con.close()


_held: dict[int, _Held] = {}
_registry = threading.Lock()


def _take(thread: int, path: Path, rules: Rules) -> _Held | None:
    """This thread's open connection for the same file and rules, locked for a read; else None."""
    with _registry:
        held = _held.pop(thread, None)
    if held is None:
        return None
    if held.timer:
        held.timer.cancel()
    held.lock.acquire()
    if held.closed or not held.matches(path, rules):
        held.lock.release()
        held.close()
        return None
    return held


def _release(thread: int, held: _Held) -> None:
    held.lock.release()
    with _registry:
        _held[thread] = held
    held.timer = threading.Timer(IDLE_SECONDS, _close_if_idle, (thread, held))
    held.timer.daemon = True
    held.timer.start()


def _close_if_idle(thread: int, held: _Held) -> None:
    with _registry:
        if _held.get(thread) is held:
            del _held[thread]
    held.close()  # waits for a read in progress, if the thread took it back meanwhile


@contextmanager
def read_connection(path: Path, rules: Rules, wait_seconds: float):
    """A read-only connection for one read: this thread's recent one when it is still open."""
    thread = threading.get_ident()
    held = _take(thread, path, rules)
    if held is None:
        held = _Held(path, rules, open_reader(path, rules, wait_seconds))
        held.lock.acquire()
    try:
        yield held.con
        for statement in LEFTOVERS:
            held.con.execute(statement)
    except BaseException:
        held.lock.release()
        held.close()  # state unknown after a failed read: never reuse it
        raise
    _release(thread, held)


def close_all() -> None:
    """Close every idle connection now (before this process waits for a load it started)."""
    with _registry:
        taken = list(_held.values())
        _held.clear()
    for held in taken:
        if held.timer:
            held.timer.cancel()
        held.close()


atexit.register(close_all)  # a connection still open at exit would be torn down half-way
