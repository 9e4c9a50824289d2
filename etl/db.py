"""Connections: one writer that waits its turn, short-lived readers with the rules applied.

DuckDB lets one process write a database file while no other process holds it, so the
loader waits and retries with a visible message, and readers keep connections short.
"""
from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from pathlib import Path

import duckdb

from etl.rules import Rules, load_rules

LOCK_WORDS = ("lock", "conflicting", "being used", "already open")


class DatabaseBusy(RuntimeError):
    """Another process kept the database past the waiting time."""


def _is_lock_error(exc: Exception) -> bool:
    return any(word in str(exc).lower() for word in LOCK_WORDS)


def _connect_waiting(path: Path, read_only: bool, wait_seconds: float, notify) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + wait_seconds
    told = False
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            if not _is_lock_error(exc) or time.monotonic() > deadline:
                if _is_lock_error(exc):
                    raise DatabaseBusy(
                        f"the database {path} is still in use by another process after "
                        f"{wait_seconds:.0f} s; try again when it has finished") from exc
                raise
            if not told and notify:
                notify(f"the database {path.name} is in use by another process; "
                       f"waiting up to {wait_seconds:.0f} s ...")
                told = True
            time.sleep(0.2)


def apply_rules(con, rules: Rules) -> None:
    """Hand every threshold to SQL: the metric views read them with getvariable()."""
    for name, value in rules.sql_variables().items():
        if isinstance(value, bool):
            literal = "true" if value else "false"
        elif isinstance(value, (int, float)):
            literal = f"CAST('{value!r}' AS DECIMAL(18,6))"
        else:
            literal = "'" + str(value).replace("'", "''") + "'"
        con.execute(f"SET VARIABLE {name} = {literal}")


@contextmanager
def writer(path: Path, rules: Rules | None = None, wait_seconds: float = 300, notify=None):
    """The one read-write connection, with tables and views in place."""
    from etl.metrics.views import create_views, is_current
    from etl.warehouse import create_tables
    path.parent.mkdir(parents=True, exist_ok=True)
    notify = notify or (lambda message: print(message, file=sys.stderr, flush=True))
    con = _connect_waiting(path, False, wait_seconds, notify)
    try:
        if not is_current(con):
            create_tables(con)
            create_views(con)
        apply_rules(con, rules or load_rules())
        yield con
    finally:
        con.close()


@contextmanager
def reader(path: Path, rules: Rules | None = None, wait_seconds: float = 60, notify=None):
    """A short-lived read-only connection with the rules applied; closes on exit."""
    from etl.metrics.views import is_current
    con = _connect_waiting(path, True, wait_seconds, notify) if path.exists() else None
    if con is None or not is_current(con):
        if con is not None:
            con.close()
        with writer(path, rules, wait_seconds, notify):
            pass
        con = _connect_waiting(path, True, wait_seconds, notify)
    try:
        apply_rules(con, rules or load_rules())
        yield con
    finally:
        con.close()
