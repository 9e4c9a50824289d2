"""`python -m etl export --format parquet`: the loaded tables and the stored metric tables as
Hive-partitioned Parquet, for a larger HQ's shared engine (docs/parquet.md; issue 13 point 6).

Layout of the folder written:

    manifest.json                        tables, rows, columns, partitioning, personal data or not,
                                         export time, metric-layer version, the rules in force
    repairs/year=2025/month=03/data_0.parquet   a table with a month: partitioned by the year and
                                         month of its date column (PARTITION_BY (year, month))
    dealers.parquet                      a table without one: a single file

Customer names, phones and addresses (the columns etl/schema.py flags `personal`) are left out
unless `personal_data` is asked for; so are the keys of the JSON cells kept aside (extra_columns)
that hold them, and the rejected rows' cells are masked exactly as the Data page masks them
(etl.metrics.privacy.masked_rejects: phone 138****5678, name 张*, address ***).

`attach(con, location)` is the way back: views named like the warehouse's tables over the files
(local or s3://), from which etl.metrics.views.create_views builds the same metric layer.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from etl.schema import KIND_BY_NAME, KINDS
from i18n import SaidError, later

MANIFEST = "manifest.json"
HIVE_TYPES = "{'year': INTEGER, 'month': INTEGER}"


class ExportError(SaidError, RuntimeError):
    """The export cannot be written (the message, a catalog message: said, says why)."""


@dataclass(frozen=True)
class Table:
    name: str
    group: str  # loaded | bookkeeping | metric | rules
    date: str | None = None  # the column whose year and month name the partition folders
    order: tuple[str, ...] = ()


LOADED = (
    Table("dealers", "loaded", None, ("dealer_id",)),
    Table("sales", "loaded", "month", ("dealer_id", "month")),
    Table("repairs", "loaded", "report_month", ("dealer_id", "record_no", "load_id", "row_no")),
    Table("callbacks", "loaded", "called_at", ("dealer_id", "callback_id")),
    Table("hotline", "loaded", "received_at", ("dealer_id", "ticket_id")),
    Table("notices", "loaded", None, ("notice_id",)),
    Table("report_submissions", "bookkeeping", "report_month", ("dealer_id", "report_month")),
    Table("load_log", "bookkeeping", None, ("load_id",)),
    Table("rejects", "bookkeeping", None, ("load_id", "row_no")),
)
RULES_TABLE = Table("rule_settings", "rules", None, ("key",))

PERSONAL = {kind.table: [c.name for c in kind.columns if c.personal] for kind in KINDS}


def metric_tables() -> tuple[str, ...]:
    """The stored metric tables (etl/marts.py's, when it names them), then dealer_month_metrics:
    the counts with every rate and Wilson interval, which engines without the macros cannot compute."""
    try:
        from etl import marts

        stored = getattr(marts, "STORED_TABLES", None) or getattr(marts, "STORED", None) or "dealer_month_counts"
    except ImportError:
        stored = "dealer_month_counts"
    stored = (stored,) if isinstance(stored, str) else tuple(stored)
    return tuple(dict.fromkeys((*stored, "dealer_month_metrics")))


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _columns(con, select: str) -> list[tuple[str, str]]:
    return [(row[0], row[1]) for row in con.execute(f"DESCRIBE {select}").fetchall()]


def _without_keys(column: str, keys: list[str]) -> str:
    """A JSON object cell without the given keys (RFC 7386 merge patch: null removes a key)."""
    patch = json.dumps({key: None for key in keys}, ensure_ascii=False)
    return (
        f"CASE WHEN json_type({_ident(column)}) = 'OBJECT' "
        f"THEN json_merge_patch({_ident(column)}, {_literal(patch)}) ELSE {_ident(column)} END"
    )


def _source_select(con, table: Table, personal_data: bool) -> tuple[str, dict]:
    """The SELECT of a table's rows as exported, and what was left out of it."""
    from etl.explore import personal_key

    if table.name == "rejects" and not personal_data:
        return _masked_rejects(con), {"masked": ["raw_values", "reason", "problems"]}
    columns = _columns(con, f"SELECT * FROM {_ident(table.name)}")
    left_out: dict[str, Any] = {}
    items = []
    for name, data_type in columns:
        if not personal_data and name in PERSONAL.get(table.name, ()):
            left_out.setdefault("columns", []).append(name)
            continue
        if not personal_data and data_type == "JSON" and table.name in KIND_BY_NAME:
            keys = [
                key
                for (key,) in con.execute(
                    f"SELECT DISTINCT unnest(json_keys({_ident(name)})) FROM {_ident(table.name)} "
                    f"WHERE json_type({_ident(name)}) = 'OBJECT' ORDER BY 1"
                ).fetchall()
                if personal_key(key)
            ]
            if keys:
                left_out.setdefault("json_keys", {})[name] = keys
                items.append(f"CAST({_without_keys(name, keys)} AS JSON) AS {_ident(name)}")
                continue
        items.append(_ident(name))
    return f"SELECT {', '.join(items)} FROM {_ident(table.name)}", left_out


def _masked_rejects(con) -> str:
    """Rejected rows with personal cells masked as the Data page shows them, in the table's own columns."""
    from etl.metrics.privacy import masked_rejects

    columns = _columns(con, "SELECT * FROM rejects")
    rows = con.execute(
        "SELECT r.*, l.details FROM rejects r LEFT JOIN "
        "(SELECT load_id, any_value(details) AS details FROM load_log GROUP BY load_id) l "
        "USING (load_id)"
    ).df()
    con.register("_export_rejects", masked_rejects(con, rows).drop(columns=["details"]))
    return (
        "SELECT "
        + ", ".join(f"CAST({_ident(name)} AS {data_type}) AS {_ident(name)}" for name, data_type in columns)
        + " FROM _export_rejects"
    )


def _size(path: Path) -> tuple[int, int]:
    files = [path] if path.is_file() else [p for p in path.rglob("*.parquet") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def _write(con, table: Table, select: str, out: Path) -> dict:
    """COPY one table: partitioned by year and month of its date column, or as a single file."""
    columns = _columns(con, select)
    names = [name for name, _ in columns]
    order = ", ".join(_ident(c) for c in table.order if c in names)
    if table.date:
        clash = [c for c in ("year", "month") if c in names and c != table.date]
        if clash:
            raise ExportError(later.t("export.partition_clash", table=table.name, column=clash[0]))
        date = _ident(table.date)
        copy = (
            f"SELECT * EXCLUDE ({', '.join(_ident(c) for c in ('year', 'month') if c in names)}), "
            if {"year", "month"} & set(names)
            else "SELECT *, "
        )
        copy += (
            f"year({date}) AS year, lpad(CAST(month({date}) AS VARCHAR), 2, '0') AS month "
            f"FROM ({select}) ORDER BY {date}{', ' + order if order else ''}"
        )
        target = out / table.name
        con.execute(
            f"COPY ({copy}) TO {_literal(str(target))} "
            "(FORMAT parquet, PARTITION_BY (year, month), OVERWRITE_OR_IGNORE)"
        ).fetchall()
        path, files_glob = table.name, f"{table.name}/year=*/month=*/*.parquet"
        partitioning = {
            "by": ["year", "month"],
            "from": table.date,
            "folders": "year=YYYY/month=MM",
            "rebuild": (f"make_date(year, month, 1) AS {table.date}" if table.date == "month" else None),
        }
    else:
        target = out / f"{table.name}.parquet"
        con.execute(
            f"COPY ({select}{' ORDER BY ' + order if order else ''}) TO {_literal(str(target))} (FORMAT parquet)"
        ).fetchall()
        path = files_glob = target.name
        partitioning = None
    files, size = _size(target)
    rows = (
        con.execute(f"SELECT count(*) FROM read_parquet({_literal(str(out / files_glob))})").fetchall()[0][0]
        if files
        else 0
    )  # an empty table partitioned by month has no folder to write
    partitions = len({p.parent for p in target.rglob("*.parquet")}) if table.date else 0
    return {
        "group": table.group,
        "rows": rows,
        "path": path,
        "files": files_glob,
        "file_count": files,
        "partitions": partitions,
        "bytes": size,
        "partitioning": partitioning,
        "columns": [{"name": name, "type": data_type} for name, data_type in columns],
    }


def _prepare(out: Path, names: list[str]) -> None:
    """Clear what an earlier export wrote here (the paths its manifest lists); refuse anything else in the way."""
    if out.exists() and not out.is_dir():
        raise ExportError(later.t("export.not_a_folder", out=str(out)))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a parent that is a file, no right to write there
        raise ExportError(later.t("export.cannot_make_folder", out=str(out), reason=str(exc.strerror or exc))) from None
    earlier: list[str] = []
    manifest = out / MANIFEST
    if manifest.exists():
        try:
            earlier = [entry["path"] for entry in json.loads(manifest.read_text(encoding="utf-8"))["tables"].values()]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ExportError(later.t("export.not_a_manifest", manifest=str(manifest), error=str(exc))) from None
    targets = {f"{name}.parquet" for name in names} | set(names)
    for path in sorted(set(earlier) | targets):
        target = (out / path).resolve()
        if not target.exists():
            continue
        if out.resolve() not in target.parents or path not in earlier:
            raise ExportError(later.t("export.in_the_way", path=str(out / path)))
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    manifest.unlink(missing_ok=True)


def _rules_select(rules) -> str:
    values = ", ".join(
        f"({_literal(name)}, CAST({_literal(repr(int(value) if isinstance(value, bool) else value))} AS DECIMAL(18,6)))"
        for name, value in rules.sql_variables().items()
    )
    return f"SELECT * FROM (VALUES {values}) AS t(key, value)"


def export_parquet(
    con, out: Path, rules, personal_data: bool = False, database: Path | None = None, on_table=None
) -> dict:
    """Write every table into `out` and the manifest last; returns the manifest.

    con: a reader on the warehouse (etl.db.reader) with `rules` applied; on_table(name, entry) is
    called after each table is written.
    """
    import duckdb

    from etl.metrics.views import version

    started = time.perf_counter()
    tables = [*LOADED, *(Table(name, "metric", None, ("dealer_id", "month")) for name in metric_tables()), RULES_TABLE]
    present = {
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "UNION SELECT view_name FROM duckdb_views() WHERE database_name = current_database()"
        ).fetchall()
    }
    missing = [t.name for t in tables if t.name not in present and t is not RULES_TABLE]
    if missing:
        raise ExportError(later.t("export.missing_tables", tables=", ".join(missing)))
    _prepare(out, [t.name for t in tables])
    entries: dict[str, dict] = {}
    left_out: dict[str, dict] = {}
    for table in tables:
        dropped: dict[str, Any] = {}
        if table is RULES_TABLE:
            select = _rules_select(rules)
        else:
            select, dropped = _source_select(con, table, personal_data)
            if table.group == "metric":
                names = {name for name, _ in _columns(con, select)}
                table = Table(table.name, "metric", "month" if "month" in names else None, table.order)
        entries[table.name] = entry = _write(con, table, select, out)
        if table.name == "rejects" and not personal_data:
            con.unregister("_export_rejects")
        if dropped:
            left_out[table.name] = dropped
        if on_table:
            on_table(table.name, entry)
    manifest = {
        "format": "parquet",
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 2),
        "source_database": database.name if database else None,
        "metric_layer_version": version(),
        "duckdb_version": duckdb.__version__,
        "personal_data": personal_data,
        "personal_data_left_out": left_out,
        "rules": {
            name: (int(value) if isinstance(value, bool) else value) for name, value in rules.sql_variables().items()
        },
        "tables": entries,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest


# --- the way back: views over an export ------------------------------------------------------------


def read_manifest(con, location: str) -> dict:
    """manifest.json of an export, read through DuckDB (so s3:// and https:// work as local folders do)."""
    return json.loads(
        con.execute("SELECT content FROM read_text(?)", [f"{location.rstrip('/')}/{MANIFEST}"]).fetchall()[0][0]
    )


def view_sql(name: str, entry: dict, location: str) -> str:
    """CREATE VIEW <name> over its files, columns in the warehouse's order and types: the partition
    columns year and month dropped, or, where the table's own date column is `month`, month rebuilt
    from them (the folder's month=MM hides the file's column of that name)."""
    files = _literal(f"{location.rstrip('/')}/{entry['files']}")
    partitioning = entry.get("partitioning")
    if not entry.get("file_count"):  # no rows, no files: the columns alone
        nulls = ", ".join(f"CAST(NULL AS {c['type']}) AS {_ident(c['name'])}" for c in entry["columns"])
        return f"CREATE OR REPLACE VIEW {_ident(name)} AS SELECT {nulls} WHERE false"
    items = []
    for column in entry["columns"]:
        if partitioning and partitioning.get("rebuild") and column["name"] == partitioning["from"]:
            items.append(partitioning["rebuild"])
        else:
            items.append(_ident(column["name"]))
    source = (
        f"read_parquet({files}, hive_partitioning = true, hive_types = {HIVE_TYPES})"
        if partitioning
        else f"read_parquet({files})"
    )
    return f"CREATE OR REPLACE VIEW {_ident(name)} AS SELECT {', '.join(items)} FROM {source}"


def attach(con, location: str, groups: tuple[str, ...] = ("loaded", "bookkeeping", "rules")) -> dict:
    """Views named like the warehouse's tables over an export's files, for the tables of the given
    groups (by default not the metric tables, which etl.metrics.views.create_views builds itself).
    Returns the manifest."""
    manifest = read_manifest(con, location)
    for name, entry in manifest["tables"].items():
        if entry.get("group") in groups:
            con.execute(view_sql(name, entry, location)).fetchall()
    return manifest
