"""Excel downloads: one sheet per table first (a tool reading the first sheet gets the data), then a sheet saying
which filters made the workbook and when. Each table has a frozen header with an autofilter, widths fitted to
its contents, and sheet names cut at a whole word.

Values stay native (numbers, dates, booleans) with Excel number formats, so the workbook can be
summed and filtered; headers and codes are in the page's language. Text stays text (etl.inert):
a dealer's `=...` is never a live formula in a download.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

import pandas as pd
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app import format as fmt
from app.i18n import code, t
from app.tables import Spec, headers
from etl import inert
from etl.packs.xlsx import sheet_name

NUMBER_FORMATS = {
    "count": "#,##0",
    "percent": "0.0%",
    "per_mille": '0.00" ‰"',
    "money": '"¥"#,##0.00',
    "number": "#,##0.0",
    "month": "yyyy-mm",
    "day": "yyyy-mm-dd",
    "moment": "yyyy-mm-dd hh:mm",
}


@dataclass
class Sheet:
    title: str
    frame: pd.DataFrame
    spec: Spec
    totals: dict[str, float] = field(default_factory=dict)  # column -> value of a last "total" row


def _width(header, values) -> int:
    """A column wide enough for its header and its longest value (Chinese characters count double), 10-60."""

    def length(value) -> int:
        text = "" if fmt.is_empty(value) else str(value)
        return sum(2 if ord(char) > 0x2E80 else 1 for char in text)

    longest = max([length(header)] + [length(v) for v in list(values)[:500]])
    return max(10, min(60, longest + 2))


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
        total: dict[str, object] = {column: sheet.totals.get(column) for column, _ in sheet.spec}
        total[sheet.spec[0][0]] = t("total", lang)
        out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    return out.rename(columns=headers(sheet.spec, lang))


def workbook(
    sheets: list[Sheet], filters: list[tuple[str, str]], lang: str, generated_at: dt.datetime | None = None
) -> bytes:
    """The xlsx bytes: each table with formats, a frozen bold header and an autofilter, then the filters sheet."""
    generated_at = generated_at or dt.datetime.now()
    rows = filters + [(t("excel.generated_at", lang), generated_at.strftime("%Y-%m-%d %H:%M:%S"))]
    buffer = io.BytesIO()
    taken = {sheet_name(t("excel.filters_sheet", lang), set())}  # the filters sheet's name is kept for it
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for sheet in sheets:
            name = sheet_name(sheet.title, taken)
            values = _values(sheet, lang)
            values.to_excel(writer, sheet_name=name, index=False)
            target = writer.sheets[name]
            _tidy(target, [_width(header, values.iloc[:, n]) for n, header in enumerate(values.columns)])
            rows_with_data = len(sheet.frame)  # the autofilter leaves a totals row out
            target.auto_filter.ref = f"A1:{get_column_letter(max(1, len(values.columns)))}{rows_with_data + 1}"
            for position, (_, kind) in enumerate(sheet.spec, start=1):
                if kind in NUMBER_FORMATS:
                    letter = get_column_letter(position)
                    for cell in target[letter][1:]:
                        cell.number_format = NUMBER_FORMATS[kind]
            if sheet.totals:
                for cell in target[target.max_row]:
                    cell.font = Font(bold=True)
        cover = pd.DataFrame(rows, columns=[t("excel.filter", lang), t("excel.value", lang)])
        cover_name = sheet_name(t("excel.filters_sheet", lang), set())
        cover.to_excel(writer, sheet_name=cover_name, index=False)
        _tidy(writer.sheets[cover_name], [40, 60])
        inert.workbook(writer.book)
    return buffer.getvalue()


def _tidy(sheet, widths: list[int]) -> None:
    sheet.freeze_panes = "A2"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for position, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width


# The call list's columns after the questions, headed col.<column> in the page's language.
CALL_LIST_CONTEXT = (
    "recheck_case",
    "dealer_name",
    "customer_name",
    "customer_phone",
    "address",
    "product_model",
    "service_type",
    "requested_at",
    "completed_at",
)


def call_list_workbook(
    call_list: pd.DataFrame,
    questions: list[str],
    notice: str,
    settings: list[tuple[str, str]],
    lang: str,
    generated_at: dt.datetime | None = None,
) -> bytes:
    """The call center's list, names and phones unmasked, as a file that loads back as a callbacks file.

    The loader reads the first sheet only, so the list is the first sheet; its top rows (a title
    block the loader skips) say that it holds personal data unmasked, for the call center only.
    Headers of the callbacks file's columns are the file's own (Chinese in zh, so the filled-in
    list loads back); the form's `questions` are empty columns to fill in during the calls. A
    second sheet repeats the notice with the settings the list was drawn with.
    """
    from etl.schema import CALLBACKS

    generated_at = generated_at or dt.datetime.now()
    file_headers = {c.name: (c.chinese if lang == "zh" else c.name) for c in CALLBACKS.columns}
    keys = ["callback_id", "record_no", "dealer_id"]
    out = pd.DataFrame({file_headers[c]: call_list[c] for c in keys})
    for question in questions:
        out[file_headers[question]] = None
    for column in CALL_LIST_CONTEXT:
        values = call_list[column]
        if column == "service_type":
            values = values.map(lambda v: None if fmt.is_empty(v) else code(v, lang))
        elif column in ("requested_at", "completed_at"):
            values = pd.to_datetime(values)
        out[t(f"col.{column}", lang)] = values
    banner = [f"⚠ {notice}", " · ".join(f"{label}: {value}" for label, value in settings)]
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        list_name, notice_name = t("callbacks.list_sheet", lang), t("callbacks.notice_sheet", lang)
        out.to_excel(writer, sheet_name=list_name, index=False, startrow=len(banner) + 1)
        sheet = writer.sheets[list_name]
        for row, text in enumerate(banner, start=1):
            sheet.cell(row=row, column=1, value=text).font = Font(bold=True, color="C62828" if row == 1 else None)
        header_row = len(banner) + 2
        for cell in sheet[header_row]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = f"A{header_row + 1}"
        for position, header in enumerate(out.columns, start=1):
            sheet.column_dimensions[get_column_letter(position)].width = max(10, min(30, len(str(header)) * 2 + 2))
            if header in (t("col.requested_at", lang), t("col.completed_at", lang)):
                for cell in sheet[get_column_letter(position)][header_row:]:
                    cell.number_format = NUMBER_FORMATS["moment"]
        rows = (
            [(t("callbacks.notice_sheet", lang), notice)]
            + settings
            + [(t("excel.generated_at", lang), generated_at.strftime("%Y-%m-%d %H:%M:%S"))]
        )
        pd.DataFrame(rows, columns=[t("excel.filter", lang), t("excel.value", lang)]).to_excel(
            writer, sheet_name=notice_name, index=False
        )
        _tidy(writer.sheets[notice_name], [30, 100])
        inert.workbook(writer.book)
    return buffer.getvalue()
