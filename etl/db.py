"""Connections: one writer that waits its turn, short-lived readers with the rules applied.

DuckDB lets one process write a database file while no other process holds it, so the
loader waits and retries with a visible message, and readers keep connections short.
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import duckdb

from etl.rules import Rules, load_rules
from i18n import Notice, SaidError, later, say_of

# "different configuration": this process holds the file read-only (the dashboard's idle readers
# close within a second), so a writer here waits as it would for another process.
LOCK_WORDS = ("lock", "conflicting", "being used", "already open", "different configuration")


class DatabaseBusy(SaidError, RuntimeError):
    """Another process kept the database past the waiting time (the message is a catalog message: said)."""


# The language of the notices a writer prints when nobody passed it a notify callback (tell): the command line sets
# its own (--lang or the locale) for the command's run; English otherwise (a server's log).
NOTICE_LANGUAGE: ContextVar[str] = ContextVar("notice_language", default="en")


def tell(message: str) -> None:
    """The notify callback of those who pass none: the notice on stderr, in NOTICE_LANGUAGE when it keeps its
    catalog message (a Notice), else as it is."""
    print(say_of(message, NOTICE_LANGUAGE.get()), file=sys.stderr, flush=True)


def _is_lock_error(exc: Exception) -> bool:
    return any(word in str(exc).lower() for word in LOCK_WORDS)


def retry_while_locked(action, path: Path, wait_seconds: float, notify):
    """action() until another process stops holding the database, for at most wait_seconds."""
    deadline = time.monotonic() + wait_seconds
    told = False
    while True:
        try:
            return action()
        except (duckdb.IOException, duckdb.ConnectionException, duckdb.BinderException) as exc:
            if not _is_lock_error(exc) or time.monotonic() > deadline:
                if _is_lock_error(exc):
                    raise DatabaseBusy(later.t("db.still_busy", path=str(path), seconds=f"{wait_seconds:.0f}")) from exc
                raise
            if not told and notify:
                notify(Notice(later.t("db.waiting", name=path.name, seconds=f"{wait_seconds:.0f}")))
                told = True
            time.sleep(0.2)


def _connect_waiting(path: Path, read_only: bool, wait_seconds: float, notify) -> duckdb.DuckDBPyConnection:
    return retry_while_locked(lambda: duckdb.connect(str(path), read_only=read_only), path, wait_seconds, notify)


def _sql_value(value) -> str:
    if isinstance(value, bool):
        return "CAST(1 AS DECIMAL(18,6))" if value else "CAST(0 AS DECIMAL(18,6))"
    return f"CAST('{value!r}' AS DECIMAL(18,6))"


def apply_rules(con, rules: Rules) -> None:
    """Hand every threshold to SQL: the metric views read them with rule('rule_...')."""
    for name, value in rules.sql_variables().items():
        con.execute(f"SET VARIABLE {name} = {_sql_value(value)}")


def store_rules(con, rules: Rules) -> None:
    """Keep the rules in force in the database, for readers that set no variables (a DuckDB shell)."""
    rows = ", ".join(f"('{name}', {_sql_value(value)})" for name, value in rules.sql_variables().items())
    con.execute(f"CREATE OR REPLACE TABLE rule_settings AS SELECT * FROM (VALUES {rows}) AS t(key, value)")
    con.execute(
        "COMMENT ON TABLE rule_settings IS 'Thresholds of the rules file in force at the last load "
        "(rules.toml); the metric views use them when a connection sets no rule variables.'"
    )


def limit_memory(con, rules: Rules) -> None:
    """Keep a load within [limits] load_memory_mb: past it DuckDB spills sorts, joins and groups to
    its temporary folder (`<database>.tmp`, beside the file) instead of failing or swapping."""
    con.execute(f"SET memory_limit = '{int(rules['limits.load_memory_mb'])}MB'")


@contextmanager
def writer(path: Path, rules: Rules | None = None, wait_seconds: float = 300, notify=None):
    """The one read-write connection, with tables and views in place."""
    from etl import marts
    from etl.metrics.views import create_views, is_current
    from etl.warehouse import create_tables

    path.parent.mkdir(parents=True, exist_ok=True)
    notify = notify or tell
    con = _connect_waiting(path, False, wait_seconds, notify)
    try:
        rules = rules or load_rules()
        limit_memory(con, rules)
        store_rules(con, rules)
        if not is_current(con):
            create_tables(con)
            create_views(con)
        apply_rules(con, rules)
        if not marts.is_fresh(con):  # the rules the stored counts depend on changed
            marts.rebuild(con)
        yield con
    finally:
        con.close()


def open_reader(
    path: Path, rules: Rules | None = None, wait_seconds: float = 60, notify=None
) -> duckdb.DuckDBPyConnection:
    """A read-only connection with the rules applied; the caller closes it (soon: it blocks writers)."""
    from etl import marts
    from etl.metrics.views import is_current

    rules = rules or load_rules()
    con = _connect_waiting(path, True, wait_seconds, notify) if path.exists() else None
    if con is not None:
        try:
            apply_rules(con, rules)
            ready = is_current(con) and marts.is_fresh(con)
        except BaseException:
            con.close()
            raise
        if ready:
            return con
        con.close()
    # Views made by older code, or stored counts made with other rules: the writer brings them along.
    with writer(path, rules, wait_seconds, notify):
        pass
    con = _connect_waiting(path, True, wait_seconds, notify)
    try:
        apply_rules(con, rules)
    except BaseException:
        con.close()
        raise
    return con


@contextmanager
def reader(path: Path, rules: Rules | None = None, wait_seconds: float = 60, notify=None):
    """A short-lived read-only connection with the rules applied; closes on exit."""
    con = open_reader(path, rules, wait_seconds, notify)
    try:
        yield con
    finally:
        con.close()
