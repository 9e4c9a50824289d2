"""Write the report files of spec 5 (CSV or Excel) from the named queries."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TypeVar

import pandas as pd

from etl import inert
from etl.metrics import queries

BOOLEAN_COLUMNS = {"report_on_time", "pass_complaints", "pass_satisfaction", "pass_evidence", "pass_reports",
                   "has_service_center", "pass_network", "pass_notices", "eligible"}

T = TypeVar("T")


def _needed(value: T | None, name: str, what: str) -> T:
    """An argument the report cannot do without (the command line asks for it before building)."""
    if value is None:
        raise ValueError(f"report {name} needs {what}")
    return value


def build(con, name: str, year: int | None, as_of: dt.date, *, metric: str | None = None,
          months: tuple[dt.date, dt.date] | None = None, overdispersion: bool = False,
          month: dt.date | None = None) -> pd.DataFrame:
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


def write(frame: pd.DataFrame, out: Path) -> None:
    """CSV: booleans true/false, empty rates empty; Excel: one sheet, native types. Both inert (etl.inert):
    an id or name starting with `=`, `+`, `-` or `@` is text, never a formula."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".xlsx":
        excel = frame.copy()
        for column in excel.columns:
            if excel[column].dtype == object and excel[column].map(lambda v: hasattr(v, "as_tuple")).any():
                excel[column] = excel[column].astype(float)
        with pd.ExcelWriter(out, engine="openpyxl") as writer:
            excel.to_excel(writer, index=False, sheet_name="report")
            inert.workbook(writer.book)
        return
    text = frame.copy().astype(object)
    for column in text.columns:
        if column in BOOLEAN_COLUMNS:
            text[column] = text[column].map(lambda v: "" if v is None or v != v else ("true" if v else "false"))
    out.write_text(inert.csv_text(text), encoding="utf-8", newline="")
