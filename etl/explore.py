"""Ad-hoc read-only SQL for the Explore page, guarded as datasette guards user SQL.

Three fences: the statement must be one SELECT (DuckDB's own parser decides, not a regex); the
connection is read-only with external access disabled and its configuration locked, so no
function can reach files, the network or settings; and a timer interrupts a query that runs
past the time limit. Results are cut at a row limit, and the caller is told.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from etl.db import DatabaseBusy, apply_rules, retry_while_locked
from etl.rules import Rules


class QueryRefused(ValueError):
    """The SQL is not allowed here; `code` names the reason for the page's message table."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code, self.detail = code, detail


@dataclass
class QueryResult:
    frame: pd.DataFrame
    truncated: bool
    row_limit: int
    seconds: float


def check_statement(sql: str) -> str:
    """The one SELECT statement in `sql`, or QueryRefused (empty, several, or not a SELECT)."""
    if not sql or not sql.strip():
        raise QueryRefused("empty")
    parser = duckdb.connect(":memory:")
    try:
        statements = parser.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryRefused("syntax", str(exc).splitlines()[0]) from exc
    finally:
        parser.close()
    if len(statements) != 1:
        raise QueryRefused("several_statements", str(len(statements)))
    statement = statements[0]
    if statement.type != duckdb.StatementType.SELECT:
        raise QueryRefused("not_select", statement.type.name)
    return statement.query


def _sandbox(path: Path, rules: Rules) -> duckdb.DuckDBPyConnection:
    """Its own in-memory DuckDB with the warehouse attached read-only, then locked down.

    Settings belong to a database instance, and every connection to one file in one process
    shares an instance: locking a plain connection would lock the dashboard's other readers
    too, and a reader opened meanwhile would share the sandbox's instance.
    """
    con = duckdb.connect(":memory:")
    literal = "'" + str(path.resolve()).replace("'", "''") + "'"
    try:
        retry_while_locked(lambda: con.execute(f"ATTACH {literal} AS warehouse (READ_ONLY)"), path, 30, None)
        con.execute("USE warehouse")
        apply_rules(con, rules)
    except BaseException:
        con.close()
        raise
    for setting in ("enable_external_access = false", "autoinstall_known_extensions = false",
                    "autoload_known_extensions = false", "allow_community_extensions = false",
                    "lock_configuration = true"):
        con.execute(f"SET {setting}")
    return con


def run_query(path: Path, rules: Rules, sql: str, row_limit: int | None = None,
              timeout_seconds: float | None = None) -> QueryResult:
    """Run one guarded SELECT; QueryRefused for anything else, for errors and for time-outs."""
    import time
    query = check_statement(sql)
    row_limit = row_limit or int(rules["explore.row_limit"])
    timeout_seconds = timeout_seconds or float(rules["explore.query_timeout_seconds"])
    try:
        con = _sandbox(path, rules)
    except DatabaseBusy as exc:
        raise QueryRefused("busy", str(exc)) from exc
    timer = threading.Timer(timeout_seconds, con.interrupt)
    started = time.perf_counter()
    timer.start()
    try:
        cursor = con.execute(query)
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchmany(row_limit + 1)
    except duckdb.InterruptException as exc:
        raise QueryRefused("timeout", f"{timeout_seconds:g}") from exc
    except duckdb.Error as exc:
        if time.perf_counter() - started >= timeout_seconds:
            raise QueryRefused("timeout", f"{timeout_seconds:g}") from exc
        message = str(exc).splitlines()[0]
        lowered = message.lower()
        forbidden = ("permission error", "external access", "disabled by configuration", "lock_configuration")
        code = "forbidden" if any(word in lowered for word in forbidden) else "error"
        raise QueryRefused(code, message) from exc
    finally:
        timer.cancel()
        con.close()
    truncated = len(rows) > row_limit
    frame = pd.DataFrame(rows[:row_limit], columns=names)
    return QueryResult(frame, truncated, row_limit, time.perf_counter() - started)


def catalog(con) -> pd.DataFrame:
    """Tables and views with their columns and comments, for the list beside the editor."""
    return con.execute("""
        SELECT c.table_name AS name, CASE WHEN v.view_name IS NULL THEN 'table' ELSE 'view' END AS kind,
               c.column_name AS column_name, c.data_type, coalesce(c.comment, '') AS comment,
               coalesce(t.comment, v.comment, '') AS table_comment
        FROM duckdb_columns() c
        LEFT JOIN duckdb_views() v ON v.view_name = c.table_name AND v.schema_name = c.schema_name
        LEFT JOIN duckdb_tables() t ON t.table_name = c.table_name AND t.schema_name = c.schema_name
        WHERE c.schema_name = 'main' AND NOT c.internal
        ORDER BY kind DESC, name, c.column_index""").df()
