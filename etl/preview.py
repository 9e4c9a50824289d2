"""`python -m etl inspect`: what a load would read from each file, and writes nothing.

The same reader and validator as a load (etl/load.py: stage), on a read-only connection to the
warehouse (so dealer ids and callbacks' repairs are checked against what is loaded now) or, with
no warehouse yet, on an empty in-memory database (those checks are then skipped, and said so).
The Data page shows this preview of uploaded files before its Load button commits them.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb

from etl.db import retry_while_locked
from etl.load import stage
from etl.metrics.privacy import masked_rejects
from etl.read import FileRejected, open_file, read_cells
from etl.reject_reasons import render
from etl.rules import Rules
from etl.warehouse import create_tables
from i18n import ngettext


def _connect(database: Path):
    """Read-only on the warehouse when it exists (waiting for a running load), else in memory."""
    if database.exists():
        return retry_while_locked(lambda: duckdb.connect(str(database), read_only=True), database, 60, None), True
    con = duckdb.connect(":memory:")
    create_tables(con)
    return con, False


def inspect_file(
    path: Path,
    database: Path,
    rules: Rules,
    submitted_on: dt.date | None = None,
    today: dt.date | None = None,
    max_rejects: int = 10,
) -> dict:
    """Everything a load would say and record about `path`, plus its first rejected rows."""
    today = today or dt.date.today()
    raw = open_file(path)
    report = {"file": path.name, "kind": raw.kind.name if raw.kind else None, "sha256": raw.sha256}
    try:
        read_cells(raw)
    except FileRejected as exc:
        return {**report, "status": "rejected", "message": str(exc), "said": {"message": exc.said}}
    con, with_database = _connect(database)
    try:
        previous = None
        if with_database:
            found = con.execute(
                "SELECT file_name, load_id FROM load_log WHERE sha256 = ? AND status = 'loaded' "
                "ORDER BY load_id LIMIT 1",
                [raw.sha256],
            ).fetchall()
            previous = found[0] if found else None
        _, result = stage(con, raw, submitted_on, today, rules, against_database=with_database)
        rejects = con.execute(
            "SELECT row_no, sheet, reason, problems, raw_values FROM staged_rejects ORDER BY rowid LIMIT ?",
            [max_rejects],
        ).df()
        rejects["kind"], rejects["details"] = result.kind, json.dumps(result.details, ensure_ascii=False, default=str)
        rejects = masked_rejects(con, rejects)  # a preview is on screen: personal data masked as everywhere
        reasons = con.execute(
            "SELECT p.code, p.col, count(*) FROM (SELECT unnest(problems) AS p FROM staged) "
            "GROUP BY ALL ORDER BY 3 DESC, 1, 2"
        ).fetchall()
    finally:
        con.close()
    notes = list(result.notes)
    if not with_database:
        notes.append("no database yet: dealer ids and callbacks' repairs were not checked")
    elif result.kind == "callbacks":
        notes.append("callbacks are checked against the repairs loaded now; repairs files loaded with them count")
    status = "already_loaded" if previous else "would_load"
    return {
        **report,
        "kind": result.kind,
        "status": status,
        "message": f"same content as {previous[0]}, load #{previous[1]}" if previous else "",
        "rows_read": result.rows_read,
        "rows_loaded": result.rows_loaded,
        "rows_rejected": result.rows_rejected,
        "warnings": result.warnings,
        "notes": notes,
        "details": result.details,
        "first_rejects": [
            {
                "row_no": int(r.row_no),
                "sheet": None if r.sheet is None or r.sheet != r.sheet else r.sheet,  # NaN: none
                "reason": r.reason,
                "problems": r.problems,
            }
            for r in rejects.itertuples()
        ],
        "reason_counts": [
            {"reason": render({"code": code, "col": col, "value": "…", "detail": "…"}, result.kind), "rows": rows}
            for code, col, rows in reasons
        ],
    }


def describe(report: dict) -> str:
    """The inspect command's text for one file."""
    name = report["file"]
    if report["status"] == "rejected":
        return f"{name}: would be REJECTED ({report.get('kind') or 'unknown kind'}): {report['message']}"
    lines = [
        f"{name}: {report['kind']}: {report['rows_read']} rows read, {report['rows_loaded']} would load, "
        f"{report['rows_rejected']} would be rejected"
    ]
    if report["status"] == "already_loaded":
        lines[0] += f" (already loaded: {report['message']}; loading it again does nothing)"
    details = report.get("details") or {}
    fmt = [details.get("format"), details.get("encoding")]
    if details.get("delimiter"):
        fmt.append(
            "separated by "
            + {"\t": "tabs", ",": "commas", ";": "semicolons"}.get(details["delimiter"], repr(details["delimiter"]))
        )
    lines.append("  read as: " + ", ".join(str(f) for f in fmt if f))
    for sheet in details.get("sheets", []):
        header_rows = sheet.get("header_rows", [])
        rows = "-".join(str(r) for r in header_rows)
        where = (
            ngettext("inspect.sheet_header_rows", len(header_rows), "en", sheet=sheet["name"], rows=rows)
            if sheet.get("name")
            else ngettext("inspect.header_lines", len(header_rows), "en", rows=rows)
        )
        lines.append(f"  {where}")
    for sheet in details.get("skipped_sheets", []):
        lines.append(f'  sheet "{sheet.get("name")}" skipped: {sheet.get("reason")}')
    mapping = details.get("mapping", []) + [
        [source, f"{column} (its date)"] for source, column in details.get("date_parts", [])
    ]
    if mapping:
        lines.append("  columns: " + ", ".join(f"{source} -> {column}" for source, column in mapping))
    if details.get("kept_aside"):
        lines.append("  kept aside: " + ", ".join(details["kept_aside"]))
    lines += [f"  warning: {w}" for w in report.get("warnings", [])]
    lines += [f"  note: {n}" for n in report.get("notes", [])]
    if report.get("first_rejects"):
        lines.append(f"  first rejected rows (of {report['rows_rejected']}):")
        for reject in report["first_rejects"]:
            where = f'sheet "{reject["sheet"]}" row' if reject.get("sheet") else "row"
            lines.append(f"    {where} {reject['row_no']}: {reject['reason']}")
    if report.get("reason_counts"):
        lines.append("  reasons: " + "; ".join(f"{r['reason'].strip()} ({r['rows']})" for r in report["reason_counts"]))
    return "\n".join(lines)
