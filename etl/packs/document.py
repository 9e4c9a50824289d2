"""What a pack's document holds, before it is laid out: a title, the lines every document prints
(scope, period, data as of, rules, generation time), then sections: key figures, tables and charts.

The document kinds (bulletin.py, scorecard.py, settlement.py, award.py) fill it from the metric
layer; pdf.py and xlsx.py lay the same document out, so the PDF and the workbook hold the same
figures. Values stay native (numbers, dates) until a renderer formats them by the column's kind.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from etl import format as fmt
from etl.metrics.definitions import RATE_BY_NAME
from i18n import t

# A column's kind picks its text in the PDF (etl.format) and its number format in the workbook.
# "rate": a rate whose unit comes from the row's `scale` column (1000: per mille, else percent); "change": the
# change of such a rate, signed.
KINDS = (
    "text",
    "code",
    "count",
    "percent",
    "per_mille",
    "money",
    "number",
    "month",
    "day",
    "verdict",
    "rate",
    "change",
)


@dataclass(frozen=True)
class Column:
    name: str  # the frame's column
    label: str  # the header, in the document's language
    kind: str = "text"


@dataclass
class Table:
    title: str
    frame: pd.DataFrame
    columns: list[Column]
    note: str = ""  # printed under the title (what the table holds, or that it is empty)
    empty: str = ""  # printed instead of an empty table
    widths: list[float] | None = None  # relative column widths in the PDF
    totals: dict[str, float] = field(default_factory=dict)  # column -> value of a last bold "total" row


@dataclass
class Facts:
    """Label-value lines (a dealer's particulars, a statement's sums)."""

    title: str
    rows: list[tuple[str, str]]


@dataclass
class Chart:
    """A line chart over months: one series per name, values on the series' own unit."""

    title: str
    categories: list[str]  # x axis labels (months)
    series: dict[str, list[float | None]]  # legend label -> values (None: no point)
    unit: str = "%"  # the values' unit, printed on the axis
    limits: dict[str, float] = field(default_factory=dict)  # label -> a horizontal line (thresholds)


@dataclass
class Document:
    kind: str  # bulletin | scorecard | settlement | award
    recipient: str  # dealer id, region or "national": who the file is for
    recipient_name: str  # as a clerk reads it on the file name and in the index
    title: str
    lang: str
    header: list[tuple[str, str]]  # the printed filters: scope, period, data as of, rules, generated at
    sections: list = field(default_factory=list)
    landscape: bool = False  # a wide table (the award list) prints on A4 across

    def tables(self) -> list[Table]:
        return [s for s in self.sections if isinstance(s, Table)]


def rate_kind(name: str) -> str:
    return "per_mille" if RATE_BY_NAME[name].scale == 1000 else "percent"


def cell_text(value, kind: str, lang: str, scale: int | None = None) -> str:
    """A value as the PDF prints it (the same text as the pages, etl.format)."""
    if kind == "text":
        return fmt.text(value)
    if kind == "code":
        return fmt.EMPTY if fmt.is_empty(value) else code(value, lang)
    if kind == "verdict":
        return fmt.EMPTY if fmt.is_empty(value) else (t("pack.pass", lang) if bool(value) else t("pack.fail", lang))
    if kind == "rate":
        return fmt.rate(value, scale or 1)
    if kind == "change":
        return fmt.rate_change(value, scale or 1)
    if kind in ("month", "day") and not fmt.is_empty(value):
        value = pd.Timestamp(value)
    return {
        "count": fmt.count,
        "percent": fmt.percent,
        "per_mille": fmt.per_mille,
        "money": fmt.money,
        "number": fmt.number,
        "month": fmt.month,
        "day": fmt.day,
    }[kind](value)


def code(value, lang: str) -> str:
    """A stored code (on_time, missing, met ...) in words; an unknown one as it is."""
    from i18n import has

    key = f"code.{value}"
    return t(key, lang) if has(key) else str(value)


def today_stamp(moment: dt.datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S}"
