"""Write the report files of spec 5 (CSV or Excel) from the named queries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TypeVar

import pandas as pd

from etl import inert
from etl.metrics import queries

BOOLEAN_COLUMNS = {
    "report_on_time",
    "pass_complaints",
    "pass_satisfaction",
    "pass_evidence",
    "pass_reports",
    "has_service_center",
    "pass_network",
    "pass_notices",
    "eligible",
}

T = TypeVar("T")


def _needed(value: T | None, name: str, what: str) -> T:
    """An argument the report cannot do without (the command line asks for it before building)."""
    if value is None:
        raise ValueError(f"report {name} needs {what}")
    return value


def build(
    con,
    name: str,
    year: int | None,
    as_of: dt.date,
    *,
    metric: str | None = None,
    months: tuple[dt.date, dt.date] | None = None,
    overdispersion: bool = False,
    month: dt.date | None = None,
) -> pd.DataFrame:
    """The report's rows with exactly its columns (spec 5; funnel and watchlist: issue 6), sentences
    (award reasons, watchlist details) in English.

    funnel: `metric` over `months` (or the year's months, or every month loaded); watchlist: `month`.
    """
    if name == "monthly":
        frame = queries.monthly(con, year)[queries.MONTHLY_COLUMNS].copy()
        frame["month"] = pd.to_datetime(frame["month"]).dt.strftime("%Y-%m")
        frame["report_submitted_on"] = pd.to_datetime(frame["report_submitted_on"]).dt.strftime("%Y-%m-%d")
        return frame
    if name == "award":
        from etl.wording import award_in_words

        award = queries.award(con, _needed(year, name, "a year"), as_of)
        return award_in_words(award, "en")[queries.AWARD_COLUMNS].copy()
    if name == "settlement":
        return queries.settlement(con, _needed(year, name, "a year"), as_of)[queries.SETTLEMENT_COLUMNS].copy()
    if name == "funnel":
        from etl.metrics import quality  # scipy is imported only by the reports that need it

        if months is None and year is not None:
            months = (dt.date(year, 1, 1), dt.date(year, 12, 1))
        return quality.funnel_report(con, _needed(metric, name, "a metric"), months, overdispersion)
    if name == "watchlist":
        from etl.metrics import quality
        from etl.wording import watchlist_in_words

        lines = quality.watchlist(con, _needed(month, name, "a month"), as_of)
        return watchlist_in_words(lines, "en")[quality.WATCHLIST_COLUMNS].copy()
    raise ValueError(f"unknown report {name}")


def _xlsx_format(column: str) -> str | None:
    """Issue 14: the Excel number format of a report column by its name: rates as % (‰ per 1,000 sold), money in
    yuan with two decimals, months and days as dates; None: as written (counts, text)."""
    from etl.metrics.definitions import RATE_BY_NAME

    per_mille = column.startswith("complaints_per_1000_sales") or column == "complaints_threshold"
    if per_mille:
        return '0.00" ‰"'
    base = column.removesuffix("_low").removesuffix("_high")
    if (
        base in RATE_BY_NAME
        or f"{base}_rate" in RATE_BY_NAME
        or column in ("satisfaction_threshold", "report_threshold")
    ):
        return "0.0%"
    if column in queries.MONEY_COLUMNS:
        return '"¥"#,##0.00'
    if column == "month":
        return "yyyy-mm"
    if column.endswith("_on") or column.endswith("_date"):
        return "yyyy-mm-dd"
    return None


def _write_xlsx(frame: pd.DataFrame, out: Path, notes: list[tuple[str, str]]) -> None:
    """The report as its first sheet (what a tool reading the first sheet wants), with a frozen bold header, an
    autofilter, formats by column and widths fitted to the values; then a notes sheet."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    excel = frame.copy()
    formats = {column: _xlsx_format(column) for column in excel.columns}
    for column in excel.columns:
        if excel[column].dtype == object and excel[column].map(lambda v: hasattr(v, "as_tuple")).any():
            excel[column] = excel[column].astype(float)
        if formats[column] in ("yyyy-mm", "yyyy-mm-dd"):
            excel[column] = pd.to_datetime(excel[column], errors="coerce")  # real dates, not text
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        excel.to_excel(writer, index=False, sheet_name="report")
        sheet = writer.sheets["report"]
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = f"A1:{get_column_letter(max(1, len(excel.columns)))}{len(excel) + 1}"
        for position, column in enumerate(excel.columns, start=1):
            letter = get_column_letter(position)
            sheet[f"{letter}1"].font = Font(bold=True)
            values = [str(v) for v in frame[column].head(500) if v is not None and v == v]
            sheet.column_dimensions[letter].width = max(10, min(60, max([len(column)] + [len(v) for v in values]) + 2))
            if formats[column]:
                for cell in sheet[letter][1:]:
                    cell.number_format = formats[column]
        pd.DataFrame(
            notes + [("generated_at", f"{dt.datetime.now():%Y-%m-%d %H:%M:%S}")], columns=["note", "value"]
        ).to_excel(writer, index=False, sheet_name="notes")
        writer.sheets["notes"].column_dimensions["A"].width = 20
        writer.sheets["notes"].column_dimensions["B"].width = 60
        inert.workbook(writer.book)


def write(frame: pd.DataFrame, out: Path, notes: list[tuple[str, str]] | None = None) -> None:
    """CSV (spec 5, exactly): booleans true/false, empty rates empty; Excel: the report sheet first with native
    types and readable formats, then `notes` (what made it). Both inert (etl.inert): an id or name starting with
    `=`, `+`, `-` or `@` is text, never a formula."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".xlsx":
        _write_xlsx(frame, out, notes or [])
        return
    text = frame.copy().astype(object)
    for column in text.columns:
        if column in BOOLEAN_COLUMNS:
            text[column] = text[column].map(lambda v: "" if v is None or v != v else ("true" if v else "false"))
    out.write_text(inert.csv_text(text), encoding="utf-8", newline="")
