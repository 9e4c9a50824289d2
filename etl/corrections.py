"""The correction sheet a dealer's clerk gets back: every rejected row of a file, its cells as the
dealer wrote them and what is wrong with it, in Chinese (or English), as an Excel workbook.

The clerk corrects those rows in the original file and sends the whole file again; it then loads
as a resubmission (a repairs file replaces its dealer-months, other kinds upsert by key).
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from etl.reject_reasons import render_all
from i18n import SaidError, later, t

RED = PatternFill("solid", fgColor="F8D7DA")


class NoRejects(SaidError, LookupError):
    """No load of that file name has rejected rows (the message, a catalog message: said, says which)."""


def latest_load_with_rejects(con, file_name: str) -> tuple:
    """(load_id, finished_at, kind, rows_read, rows_rejected, details) of the newest load of
    `file_name` that rejected rows."""
    row = con.execute(
        "SELECT load_id, finished_at, kind, rows_read, rows_rejected, details FROM load_log "
        "WHERE file_name = ? AND status = 'loaded' AND rows_rejected > 0 ORDER BY load_id DESC LIMIT 1",
        [file_name],
    ).fetchone()
    if row is None:
        known = con.execute("SELECT count(*) FROM load_log WHERE file_name = ?", [file_name]).fetchone()[0]
        raise NoRejects(
            later.t("corrections.nothing_to_correct", file=file_name)
            if known
            else later.t("corrections.never_loaded", file=file_name)
        )
    return row


def rejected_rows(con, load_id: int) -> pd.DataFrame:
    return con.execute(
        "SELECT row_no, sheet, reason, problems, raw_values FROM rejects WHERE load_id = ? "
        "ORDER BY sheet NULLS FIRST, row_no",
        [load_id],
    ).df()


def _append(sheet, values: list) -> None:
    """A row of text as text: a dealer's `=...` never becomes a live formula (issue 11)."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


def _headers_of(column: str, mapping: dict[str, list[str]]) -> list[str]:
    return mapping.get(column, [])


def files_naming(con, scope) -> list[str]:
    """The files whose newest load rejected rows naming a dealer of `scope` (its cell under the header
    mapped to dealer_id): the correction sheets a dealer, or a region, gets (issue 15)."""
    from etl.metrics import named
    from etl.metrics.scope import where

    found = named.run(con, "dealer_rejects", scope=where(scope.dealers_only(), dealers="d"))
    return sorted(set(found["file_name"]))


def correction_workbook(con, file_name: str, lang: str = "zh", dealers: tuple[str, ...] | None = None) -> bytes:
    """The .xlsx bytes of the correction sheet of `file_name`'s newest load with rejects, in `lang`.
    dealers: only the rows whose dealer_id cell names one of these (a signed-in dealer's own rows); None: all."""
    lang = "zh" if lang == "zh" else "en"
    load_id, finished, kind, read, rejected, details = latest_load_with_rejects(con, file_name)
    rows = rejected_rows(con, load_id)
    details = json.loads(details) if isinstance(details, str) else (details or {})
    by_column: dict[str, list[str]] = {}
    for header, column in details.get("mapping", []) + details.get("date_parts", []):
        by_column.setdefault(column, []).append(header)
    raw = [json.loads(v) if isinstance(v, str) else (v or {}) for v in rows["raw_values"]]
    if dealers is not None:
        named_by = by_column.get("dealer_id", [])
        keep = [any(str(values.get(h) or "").strip() in dealers for h in named_by) for values in raw]
        rows, raw = rows[keep].reset_index(drop=True), [values for values, kept in zip(raw, keep) if kept]
        if not raw:
            raise NoRejects(later.t("corrections.none_of_these_dealers", file=file_name))
        rejected = len(raw)
    headers = list(dict.fromkeys(h for values in raw for h in values))
    with_sheet = rows["sheet"].notna().any()

    book = Workbook()
    sheet = book.active
    sheet.title = t("corrections.sheet_name", lang)
    when = finished.strftime("%Y-%m-%d %H:%M") if isinstance(finished, dt.datetime) else str(finished)
    notes = [
        t("corrections.title", lang, file=file_name),
        t("corrections.loaded", lang, when=when, load=load_id, read=read, rejected=rejected),
        t("corrections.repairs", lang) if kind == "repairs" else t("corrections.other", lang),
        t("corrections.mark", lang),
    ]
    for line in notes:
        _append(sheet, [line])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    reason_header = t("corrections.reason", lang)
    head = (
        [t("corrections.row", lang)]
        + ([t("corrections.sheet", lang)] if with_sheet else [])
        + [reason_header]
        + headers
    )
    _append(sheet, head)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    fixed = len(head) - len(headers)
    for (_, row), values in zip(rows.iterrows(), raw):
        reason = render_all(row["problems"], kind, lang) if isinstance(row["problems"], str) else row["reason"]
        cells = [int(row["row_no"])] + ([row["sheet"]] if with_sheet else []) + [reason]
        _append(sheet, cells + [values.get(h) for h in headers])
        problems = json.loads(row["problems"]) if isinstance(row["problems"], str) else []
        for problem in problems:
            for header in _headers_of(problem.get("col") or "", by_column):
                if header in headers:
                    sheet.cell(sheet.max_row, fixed + headers.index(header) + 1).fill = RED
    for index, title in enumerate(head, start=1):
        width = 60 if title == reason_header else min(40, max(10, len(str(title)) * 2 + 2))
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=header_row + 1):
        row[fixed - 1].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = sheet.cell(header_row + 1, fixed + 1)
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(head))}{sheet.max_row}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
