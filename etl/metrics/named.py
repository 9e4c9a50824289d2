"""Named queries: one SQL file per query in etl/metrics/sql/, loaded by name (as dbt's models and
Evidence's queries are), so the SQL reads as SQL and is found by its name.

A file holds one statement, with comments saying what it returns. Values are bound as named
parameters ($name). The few pieces of SQL a query takes from Python are fragments, written {{ name }}
in the file and given as keyword arguments (any name: the functions' own arguments are
positional-only): the scope's filter (etl.metrics.scope, the one filter builder), a roll-up's columns
generated from etl.metrics.definitions, another named query to build on. A fragment may be a
Fragment (SQL with parameters of its own), whose parameters join the query's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd

SQL_DIR = Path(__file__).with_name("sql")
_FRAGMENT = re.compile(r"\{\{\s*(\w+)\s*\}\}")


@dataclass(frozen=True)
class Fragment:
    """A piece of SQL for a {{ name }} of a named query, with the parameters it binds."""

    sql: str
    params: dict = field(default_factory=dict)


def names() -> list[str]:
    """Every named query, by file name."""
    return sorted(path.stem for path in SQL_DIR.glob("*.sql"))


@cache
def text(name: str) -> str:
    """The SQL file of a named query, as written."""
    path = SQL_DIR / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"no named query {name!r} in {SQL_DIR}")
    return path.read_text(encoding="utf-8")


def fragment(name: str, params: dict | None = None, /, **fragments) -> Fragment:
    """A named query with its fragments filled in, as a fragment of another."""
    return Fragment(*_bind(name, params, fragments))


def sql(name: str, /, **fragments) -> str:
    """The named query's SQL with its fragments filled in (plain strings or Fragments)."""
    return _bind(name, None, fragments)[0]


def _bind(name: str, params: dict | None, fragments: dict) -> tuple[str, dict]:
    query = text(name)
    wanted = set(_FRAGMENT.findall(query))
    if wanted != set(fragments):
        raise TypeError(f"named query {name!r} takes the fragments {sorted(wanted)}, not {sorted(fragments)}")
    bound = dict(params or {})
    for piece in fragments.values():
        for key, value in piece.params.items() if isinstance(piece, Fragment) else ():
            if key in bound and bound[key] != value:
                raise ValueError(f"named query {name!r}: parameter ${key} bound to two values")
            bound[key] = value
    filled = _FRAGMENT.sub(lambda m: _text(fragments[m.group(1)]), query)
    return filled, bound


def _text(piece) -> str:
    return piece.sql if isinstance(piece, Fragment) else str(piece)


def execute(con, name: str, params: dict | None = None, /, **fragments):
    """Run a named query; the DuckDB result, to fetch from."""
    query, bound = _bind(name, params, fragments)
    return con.execute(query, bound) if bound else con.execute(query)


def run(con, name: str, params: dict | None = None, /, **fragments) -> pd.DataFrame:
    """A named query's rows as a DataFrame."""
    return execute(con, name, params, **fragments).df()


def rows(con, name: str, params: dict | None = None, /, **fragments) -> list[tuple]:
    """A named query's rows as tuples."""
    return execute(con, name, params, **fragments).fetchall()


def value(con, name: str, params: dict | None = None, /, **fragments):
    """The first column of a named query's first row (None when it has no row). The rows are fetched
    whole: DuckDB refuses other work (register()) on a connection with an unfinished result."""
    found = execute(con, name, params, **fragments).fetchall()
    return found[0][0] if found else None


def arrow(con, name: str, params: dict | None = None, /, **fragments):
    """A named query's rows as an Arrow table (through a relation: no extra copy of the rows)."""
    query, bound = _bind(name, params, fragments)
    return (con.sql(query, params=bound) if bound else con.sql(query)).to_arrow_table()
