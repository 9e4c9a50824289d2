"""A document as an Excel workbook, the conventions of the dashboard's downloads (app/excel.py): the
printed filters on the first sheet, then one sheet per table with native values (numbers, dates),
Excel number formats, a bold frozen header and an autofilter; text stays text (etl.inert)."""
from __future__ import annotations

import io
import re

import pandas as pd
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from etl import inert
from etl.packs.document import Document, Facts, Table, code
from i18n import t

# The same formats as the dashboard's downloads (app/excel.py NUMBER_FORMATS).
NUMBER_FORMATS = {"count": "#,##0", "percent": "0.0%", "per_mille": '0.00" ‰"', "money": '"¥"#,##0.00',
                  "number": "#,##0.0", "month": "yyyy-mm", "day": "yyyy-mm-dd"}


def sheet_name(title: str, taken: set[str]) -> str:
    """Excel allows 31 characters and none of []:*?/\\ in a sheet name, and no two alike."""
    name = re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "sheet"
    base, n = name, 2
    while name in taken:
        name = f"{base[:28]} {n}"
        n += 1
    taken.add(name)
    return name


def values(table: Table, lang: str) -> pd.DataFrame:
    """The table's columns as the sheet holds them: codes and verdicts in words, dates as dates, numbers as numbers."""
    out = pd.DataFrame(index=table.frame.index)
    for column in table.columns:
        cells = table.frame[column.name] if column.name in table.frame else pd.Series(None, index=out.index, dtype=object)
        if column.kind == "code":
            cells = cells.map(lambda v: None if v is None or v != v else code(v, lang))
        elif column.kind == "verdict":
            cells = cells.map(lambda v: None if v is None or v is pd.NA or v != v
                              else (t("pack.pass", lang) if bool(v) else t("pack.fail", lang)))
        elif column.kind in ("month", "day"):
            cells = pd.to_datetime(cells)
        elif column.kind in ("count", "percent", "per_mille", "money", "number", "rate", "change"):
            cells = pd.to_numeric(cells, errors="coerce")
        out[column.label] = cells
    if table.totals:
        total = {c.label: table.totals.get(c.name) for c in table.columns}
        total[table.columns[0].label] = t("total", lang)
        out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    return out


def render(document: Document) -> bytes:
    lang = document.lang
    buffer, taken = io.BytesIO(), set()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        cover_rows = [(t("pack.document", lang), document.title)] + list(document.header)
        for section in document.sections:
            if isinstance(section, Facts):
                cover_rows += [("", "")] + [(f"{section.title} · {label}", value) for label, value in section.rows]
        cover = pd.DataFrame(cover_rows, columns=[t("excel.filter", lang), t("excel.value", lang)])
        name = sheet_name(t("excel.filters_sheet", lang), taken)
        cover.to_excel(writer, sheet_name=name, index=False)
        _tidy(writer.sheets[name], [36, 70], autofilter=False)
        for table in document.tables():
            name = sheet_name(table.title, taken)
            frame = values(table, lang)
            frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            _tidy(sheet, [max(10, min(40, len(str(c.label)) * 2 + 2)) for c in table.columns], autofilter=len(frame) > 0)
            scales = table.frame["scale"].tolist() if "scale" in table.frame else []
            for position, column in enumerate(table.columns, start=1):
                letter = get_column_letter(position)
                for n, cell in enumerate(sheet[letter][1:]):
                    kind = column.kind
                    if kind in ("rate", "change"):
                        kind = "per_mille" if n < len(scales) and scales[n] == 1000 else "percent"
                    if kind in NUMBER_FORMATS:
                        cell.number_format = NUMBER_FORMATS[kind]
            if table.totals:
                for cell in sheet[sheet.max_row]:
                    cell.font = Font(bold=True)
        inert.workbook(writer.book)
    return buffer.getvalue()


def _tidy(sheet, widths: list[int], autofilter: bool) -> None:
    sheet.freeze_panes = "A2"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for position, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width
    if autofilter:
        sheet.auto_filter.ref = sheet.dimensions
