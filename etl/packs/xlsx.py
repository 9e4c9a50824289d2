"""A document as an Excel workbook, the conventions of the dashboard's downloads (app/excel.py): the
printed filters on the first sheet, then one sheet per table with native values (numbers, dates),
Excel number formats, a bold frozen header and an autofilter; text stays text (etl.inert)."""

from __future__ import annotations

import io
import re

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from etl import inert
from etl.packs.document import Document, Facts, Table, code
from i18n import t

# The same formats as the dashboard's downloads (app/excel.py NUMBER_FORMATS).
NUMBER_FORMATS = {
    "count": "#,##0",
    "percent": "0.0%",
    "per_mille": '0.00" ‰"',
    "money": '"¥"#,##0.00',
    "number": "#,##0.0",
    "month": "yyyy-mm",
    "day": "yyyy-mm-dd",
}


def _cut(text: str, most: int) -> str:
    """At most `most` characters, cut after a whole word (at a space) when the text is longer; a text without
    spaces (Chinese) is cut between characters, each a word of its own."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= most:
        return text
    head = text[: most + 1]
    space = head.rfind(" ")
    return (head[:space] if space > 0 else text[:most]).rstrip(" -–·,;")


def sheet_name(title: str, taken: set[str]) -> str:
    """Excel allows 31 characters and none of []:*?/\\ in a sheet name, and no two alike: cut at a whole word."""
    name = _cut(re.sub(r"[\[\]:*?/\\]", " ", title), 31) or "sheet"
    base, n = name, 2
    while name in taken:
        name = f"{_cut(base, 28)} {n}"
        n += 1
    taken.add(name)
    return name


def values(table: Table, lang: str) -> pd.DataFrame:
    """The table's columns as the sheet holds them: codes and verdicts in words, dates as dates, numbers as numbers."""
    out = pd.DataFrame(index=table.frame.index)
    for column in table.columns:
        cells = (
            table.frame[column.name] if column.name in table.frame else pd.Series(None, index=out.index, dtype=object)
        )
        if column.kind == "code":
            cells = cells.map(lambda v: None if v is None or v != v else code(v, lang))
        elif column.kind == "verdict":
            cells = cells.map(
                lambda v: (
                    None
                    if v is None or v is pd.NA or v != v
                    else (t("pack.pass", lang) if bool(v) else t("pack.fail", lang))
                )
            )
        elif column.kind in ("month", "day"):
            cells = pd.to_datetime(cells)
        elif column.kind in ("count", "percent", "per_mille", "money", "number", "rate", "change"):
            cells = pd.to_numeric(cells, errors="coerce")
        out[column.label] = cells
    if table.totals:
        total: dict[str, object] = {c.label: table.totals.get(c.name) for c in table.columns}
        total[table.columns[0].label] = t("total", lang)
        out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    return out


def render(document: Document) -> bytes:
    """The workbook's bytes (openpyxl's write-only mode: a burst writes hundreds)."""
    lang = document.lang
    book = Workbook(write_only=True)
    taken: set[str] = set()
    cover_rows = [(t("pack.document", lang), document.title)] + list(document.header)
    for section in document.sections:
        if isinstance(section, Facts):
            cover_rows += [("", "")] + [(f"{section.title} · {label}", value) for label, value in section.rows]
    cover = book.create_sheet(sheet_name(t("excel.filters_sheet", lang), taken))
    _start(cover, [t("excel.filter", lang), t("excel.value", lang)], [36, 70], autofilter=None)
    for line in cover_rows:
        cover.append([_text(cover, value) for value in line])
    for table in document.tables():
        frame = values(table, lang)
        sheet = book.create_sheet(sheet_name(table.title, taken))
        labels = [c.label for c in table.columns]
        _start(
            sheet,
            labels,
            [max(10, min(40, len(str(label)) * 2 + 2)) for label in labels],
            autofilter=f"A1:{get_column_letter(len(labels))}{len(frame) + 1}" if len(frame) else None,
        )
        scales = table.frame["scale"].tolist() if "scale" in table.frame else []
        kinds = [c.kind for c in table.columns]
        last = len(frame) - 1
        for n, cells in enumerate(frame.itertuples(index=False, name=None)):
            bold = bool(table.totals) and n == last
            row: list[WriteOnlyCell] = []
            for value, kind in zip(cells, kinds):
                if kind in ("rate", "change"):
                    kind = "per_mille" if n < len(scales) and scales[n] == 1000 else "percent"
                cell = _text(sheet, _native(value))
                if kind in NUMBER_FORMATS:
                    cell.number_format = NUMBER_FORMATS[kind]
                if bold:
                    cell.font = BOLD
                row.append(cell)
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


BOLD = Font(bold=True)


def _native(value):
    """A cell value openpyxl writes: None for empty, Python numbers and date-times."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    return value


def _text(sheet, value) -> WriteOnlyCell:
    """A cell; text that starts like a formula stays text (etl.inert)."""
    cell = WriteOnlyCell(sheet, value=value)
    if inert.risky(value) and cell.data_type == "f":
        cell.data_type = "s"
    return cell


def _start(sheet, labels: list[str], widths: list[int], autofilter: str | None) -> None:
    """Column widths, a frozen bold header, the autofilter: set before a write-only sheet's first row."""
    for position, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.freeze_panes = "A2"
    if autofilter:
        sheet.auto_filter.ref = autofilter
    header = []
    for label in labels:
        cell = _text(sheet, label)
        cell.font = BOLD
        header.append(cell)
    sheet.append(header)
