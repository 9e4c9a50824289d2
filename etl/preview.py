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
from etl.read import DELIMITER_WORDS, FileRejected, open_file, read_cells
from etl.reject_reasons import render, render_all
from etl.rules import Rules
from etl.warehouse import create_tables
from etl.wording import inspect_message, inspect_words
from i18n import later, ngettext, say, t


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
    notes = list(result.said.get("notes") or [])
    if not with_database:
        notes.append(later.t("inspect.note_no_database"))
    elif result.kind == "callbacks":
        notes.append(later.t("inspect.note_callbacks"))
    message = later.t("inspect.same_content", file=previous[0], load_id=previous[1]) if previous else None
    status = "already_loaded" if previous else "would_load"
    return {
        **report,
        "kind": result.kind,
        "status": status,
        "message": say(message, "en"),
        "rows_read": result.rows_read,
        "rows_loaded": result.rows_loaded,
        "rows_rejected": result.rows_rejected,
        "warnings": result.warnings,
        "notes": [say(note, "en") for note in notes],
        # the message, the warnings and the notes as catalog messages: put in words in the reader's language
        "said": {"message": message, "warnings": result.said.get("warnings") or [], "notes": notes},
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
            {"reason": render(_reason(code, col), result.kind), "code": code, "col": col, "rows": rows}
            for code, col, rows in reasons
        ],
    }


def _reason(code: str, col: str | None) -> dict:
    """A reason counted over rows: its problem with the row's own value and detail left out."""
    return {"code": code, "col": col, "value": "…", "detail": "…"}


def _skipped_reason(report: dict, sheet: dict, lang: str) -> str:
    """Why a sheet was skipped, in `lang`: the reason of its note (load.note_skipped_sheet), else as the details
    have it (English)."""
    for note in (report.get("said") or {}).get("notes") or []:
        values = note.get("values", {}) if isinstance(note, dict) else {}
        if note.get("key") == "load.note_skipped_sheet" and values.get("sheet") == sheet.get("name"):
            return say(values.get("reason"), lang, str(sheet.get("reason")))
    return str(sheet.get("reason"))


def describe(report: dict, lang: str = "en") -> str:
    """The inspect command's text for one file, in `lang`."""
    name = report["file"]
    if report["status"] == "rejected":
        kind = report.get("kind") or t("load.unknown_kind", lang)
        return t("inspect.line_rejected", lang, file=name, kind=kind, message=inspect_message(report, lang))
    lines = [
        t(
            "inspect.line",
            lang,
            file=name,
            kind=report["kind"],
            read=report["rows_read"],
            loaded=report["rows_loaded"],
            rejected=report["rows_rejected"],
        )
    ]
    if report["status"] == "already_loaded":
        lines[0] += t("inspect.already_loaded", lang, message=inspect_message(report, lang))
    details = report.get("details") or {}
    how = [details.get("format"), details.get("encoding")]
    if details.get("delimiter"):
        word = DELIMITER_WORDS.get(details["delimiter"])
        how.append(t(f"load.note_delimiter.{word}", lang) if word else repr(details["delimiter"]))
    separator = t("inspect.separator", lang)
    lines.append(t("inspect.read_as", lang, how=separator.join(str(part) for part in how if part)))
    for sheet in details.get("sheets", []):
        header_rows = sheet.get("header_rows", [])
        rows = "-".join(str(r) for r in header_rows)
        where = (
            ngettext("inspect.sheet_header_rows", len(header_rows), lang, sheet=sheet["name"], rows=rows)
            if sheet.get("name")
            else ngettext("inspect.header_lines", len(header_rows), lang, rows=rows)
        )
        lines.append(f"  {where}")
    for sheet in details.get("skipped_sheets", []):
        reason = _skipped_reason(report, sheet, lang)
        lines.append(t("inspect.sheet_skipped", lang, sheet=sheet.get("name"), reason=reason))
    mapping = details.get("mapping", []) + [
        [source, t("inspect.its_date", lang, column=column)] for source, column in details.get("date_parts", [])
    ]
    if mapping:
        pairs = separator.join(f"{source} -> {column}" for source, column in mapping)
        lines.append(t("inspect.columns", lang, columns=pairs))
    if details.get("kept_aside"):
        lines.append(t("inspect.kept_aside", lang, columns=separator.join(details["kept_aside"])))
    lines += [t("load.line_warning", lang, text=w) for w in inspect_words(report, "warnings", lang)]
    lines += [t("load.line_note", lang, text=n) for n in inspect_words(report, "notes", lang)]
    if report.get("first_rejects"):
        lines.append(t("inspect.first_rejects", lang, rows=report["rows_rejected"]))
        for reject in report["first_rejects"]:
            problems = reject.get("problems")
            reason = render_all(problems, report.get("kind"), lang) if problems else reject["reason"]
            if reject.get("sheet"):
                lines.append(
                    t("inspect.reject_in_sheet", lang, sheet=reject["sheet"], row=reject["row_no"], reason=reason)
                )
            else:
                lines.append(t("inspect.reject", lang, row=reject["row_no"], reason=reason))
    if report.get("reason_counts"):
        counted = [
            t(
                "inspect.reason_count",
                lang,
                reason=(
                    render(_reason(r["code"], r.get("col")), report.get("kind"), lang) if "code" in r else r["reason"]
                ).strip(),
                rows=r["rows"],
            )
            for r in report["reason_counts"]
        ]
        lines.append(t("inspect.reasons", lang, reasons=t("reject.separator", lang).join(counted)))
    return "\n".join(lines)
