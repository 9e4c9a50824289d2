"""Excel downloads: the first sheet says which filters made the workbook and when; then one sheet per table.

Values stay native (numbers, dates, booleans) with Excel number formats, so the workbook can be
summed and filtered; headers and codes are in the page's language.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field

import pandas as pd
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app import format as fmt
from app.i18n import code, t
from app.tables import Spec, headers

NUMBER_FORMATS = {
    "count": "#,##0", "percent": "0.0%", "per_mille": '0.00" ‰"', "money": '"¥"#,##0.00', "number": "#,##0.0",
    "month": "yyyy-mm", "day": "yyyy-mm-dd", "moment": "yyyy-mm-dd hh:mm",
}


@dataclass
class Sheet:
    title: str
    frame: pd.DataFrame
    spec: Spec
    totals: dict[str, float] = field(default_factory=dict)  # column -> value of a last "total" row


def _sheet_name(title: str, taken: set[str]) -> str:
    """Excel allows 31 characters and none of []:*?/\\ in a sheet name, and no two alike."""
    name = re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "sheet"
    base, n = name, 2
    while name in taken:
        name = f"{base[:28]} {n}"
        n += 1
    taken.add(name)
    return name


def _values(sheet: Sheet, lang: str) -> pd.DataFrame:
    """The spec's columns with codes translated and naive date-times, ready for openpyxl."""
    out = pd.DataFrame(index=sheet.frame.index)
    for column, kind in sheet.spec:
        values = sheet.frame[column]
        if kind == "code":
            values = values.map(lambda v: None if fmt.is_empty(v) else code(v, lang))
        elif kind in ("month", "day", "moment"):
            values = pd.to_datetime(values)
        elif kind in ("count", "percent", "per_mille", "money", "number"):
            values = pd.to_numeric(values, errors="coerce")
        out[column] = values
    if sheet.totals:
        total = {column: sheet.totals.get(column) for column, _ in sheet.spec}
        total[sheet.spec[0][0]] = t("total", lang)
        out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    return out.rename(columns=headers(sheet.spec, lang))


def workbook(sheets: list[Sheet], filters: list[tuple[str, str]], lang: str,
             generated_at: dt.datetime | None = None) -> bytes:
    """The xlsx bytes: a filters sheet first, then each table with formats and a frozen, bold header."""
    generated_at = generated_at or dt.datetime.now()
    rows = filters + [(t("excel.generated_at", lang), generated_at.strftime("%Y-%m-%d %H:%M:%S"))]
    buffer, taken = io.BytesIO(), set()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        cover = pd.DataFrame(rows, columns=[t("excel.filter", lang), t("excel.value", lang)])
        cover_name = _sheet_name(t("excel.filters_sheet", lang), taken)
        cover.to_excel(writer, sheet_name=cover_name, index=False)
        _tidy(writer.sheets[cover_name], [40, 60])
        for sheet in sheets:
            name = _sheet_name(sheet.title, taken)
            _values(sheet, lang).to_excel(writer, sheet_name=name, index=False)
            target = writer.sheets[name]
            widths = [max(10, min(48, len(str(h)) * 2 + 2)) for h in headers(sheet.spec, lang).values()]
            _tidy(target, widths)
            for position, (_, kind) in enumerate(sheet.spec, start=1):
                if kind in NUMBER_FORMATS:
                    letter = get_column_letter(position)
                    for cell in target[letter][1:]:
                        cell.number_format = NUMBER_FORMATS[kind]
            if sheet.totals:
                for cell in target[target.max_row]:
                    cell.font = Font(bold=True)
    return buffer.getvalue()


def _tidy(sheet, widths: list[int]) -> None:
    sheet.freeze_panes = "A2"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for position, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width
