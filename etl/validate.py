"""Validate and normalise a file's text cells in DuckDB SQL: parse every spelling, give every bad
row a reason a person understands.

The SQL is generated from etl/schema.py, so each type is parsed by one macro (parse_macros) and
each rule is written once. Input: the relation `raw_cells` (c0..cN, overflow, row_no, sheet,
row_id). Output: the temp table `staged`, one row per data row with typed columns and
`problems`, a list of problem structs (empty for a good row; etl/reject_reasons.py words them).

Dates are plausible or rejected (issue 10): a four-digit year first or 年/月/日 has one reading
(two-digit years are 20YY); any other spelling (03/01/2025, 8/6/25) is read in one order for the
whole file, the first of year-month-day, month-day-year, day-month-year in which every such value
is a valid date inside the window; the file's notes say which.
"""

from __future__ import annotations

import datetime as dt
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from etl.read import RawFile
from etl.reject_reasons import DATE_ORDERS, problem_sql, reason_macro_sql
from etl.rules import Rules
from etl.schema import (
    BOOLEAN,
    CALLBACKS,
    CHOICE,
    DATE,
    DATETIME,
    DEALERS,
    FALSE_SPELLINGS,
    INTEGER,
    MONEY,
    MONTH,
    REPAIRS,
    SATISFACTION,
    SATISFACTION_LABELS,
    TRUE_SPELLINGS,
    Column,
)
from i18n import Said, later

# After qc_date_text: 2026/3/5 14:30, 2026年3月5日 14:30 and 2026-03-05T14:30 all read 2026-3-5 14:30.
DATETIME_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H时%M分",
    "%Y.%m.%d %H:%M:%S",
    "%Y.%m.%d %H:%M",
    "%Y.%m.%d",
    "%Y-%m-%d %I:%M %p",
    "%Y-%m-%d %I:%M:%S %p",
]
TIME_FORMATS = ["%H:%M", "%H:%M:%S", "%H:%M:%S.%f", "%I:%M %p", "%I:%M:%S %p", "%H时%M分"]
# A totals row: its label in the first cell (合计 / 总计 / Total, as the spec has it), or alone in
# the second or third cell (a numbering column before it). Rows after it are notes and signatures.
TOTALS_FIRST_CELL = r"^(合计|总计|total)"
TOTALS_LATER_CELL = r"^(合计|总计|total|totals)\s*([:：(（].*)?$"
# What DuckDB's timestamp cast reads exactly: a four-digit year first, then month, day and an
# optional time; nothing after it (the cast would silently drop an AM/PM or an offset).
ISO_TIMESTAMP = r"\d{4}[-/]\d{1,2}[-/]\d{1,2}(?:(?:T| +)\d{1,2}:\d{1,2}(?::\d{1,2}(?:\.\d{1,9})?)?)?"
# A date whose year is not written first with four digits: three numbers, 1-2 / 1-2 / 1,2 or 4 digits.
AMBIGUOUS_DATE = r"^(\d{1,2})[-.](\d{1,2})[-.](\d{1,4})(?:\s+(.+))?$"


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _list(values) -> str:
    return "[" + ", ".join(_lit(v) for v in values) + "]"


def _offsets_and_data(column: pa.Array) -> tuple[npt.NDArray[np.signedinteger], pa.Buffer | None]:
    """A text column's offsets (len + 1 of them, into the data buffer) and its data buffer."""
    _, offsets_buffer, data_buffer = column.buffers()
    if pa.types.is_large_string(column.type):
        offsets: npt.NDArray[np.signedinteger] = np.frombuffer(offsets_buffer, dtype=np.int64)
    else:
        offsets = np.frombuffer(offsets_buffer, dtype=np.int32)
    return offsets[column.offset : column.offset + len(column) + 1], data_buffer


def _may_change_under_nfkc(column: pa.Array) -> np.ndarray:
    """Cells holding a character other than ASCII and U+4000-U+9FFF (CJK ideographs, extension A
    and the hexagram symbols, which NFKC leaves as they are): full-width forms, the ideographic
    space, circled digits, compatibility ideographs ... Read off the UTF-8 bytes: such a character
    starts with a lead byte C2-E3 or EA-F4 (continuation bytes are 80-BF), so one numpy pass over
    the column's data buffer finds them without decoding a cell."""
    offsets, data_buffer = _offsets_and_data(column)
    if data_buffer is None or offsets[-1] == offsets[0]:
        return np.zeros(len(column), dtype=bool)
    data = np.frombuffer(data_buffer, dtype=np.uint8)[offsets[0] : offsets[-1]]
    # In slices: small temporaries stay in cache (one pass over a 40 MB column: 20 ms, not 300).
    step = 1 << 20
    lead = np.concatenate(
        [
            np.flatnonzero((part >= 0xEA) | ((part >= 0xC2) & (part <= 0xE3))) + start
            for start in range(0, len(data), step)
            for part in [data[start : start + step]]
        ]
    )
    lead = lead.astype(np.int64) + offsets[0]
    mask = np.zeros(len(column), dtype=bool)
    mask[np.searchsorted(offsets, lead, side="right") - 1] = True
    return mask


def nfkc(column: pa.Array, may_change: np.ndarray | None = None) -> pa.Array:
    """NFKC of a text column, computed only for the cells it can change (a tenth of the cost on
    a typical report, where Chinese text and ASCII codes make up nearly every cell)."""
    may_change = _may_change_under_nfkc(column) if may_change is None else may_change
    if not may_change.any():
        return column
    chosen = pa.array(may_change)
    return pc.replace_with_mask(column, chosen, pc.utf8_normalize(pc.filter(column, chosen), "NFKC"))


_ASCII_BLANKS = np.array([0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D], dtype=np.uint8)


def _blank_at_an_end(column: pa.Array) -> np.ndarray:
    """Cells whose first or last byte is an ASCII blank: with the cells NFKC may change (any other
    Unicode blank starts with a byte that flags them), the only ones trimming can change."""
    offsets, data_buffer = _offsets_and_data(column)
    if data_buffer is None or offsets[-1] == offsets[0]:
        return np.zeros(len(column), dtype=bool)
    data = np.frombuffer(data_buffer, dtype=np.uint8)
    filled = offsets[1:] > offsets[:-1]
    first = np.where(filled, data[np.minimum(offsets[:-1], len(data) - 1)], 0)
    last = np.where(filled, data[np.maximum(offsets[1:] - 1, 0)], 0)
    return filled & (np.isin(first, _ASCII_BLANKS) | np.isin(last, _ASCII_BLANKS))


def with_row_ids(cells: pa.Table) -> pa.Table:
    """The reader's cells with `sheet` and `row_id` (a file-wide row key) whatever produced them."""
    if "sheet" not in cells.column_names:
        cells = cells.append_column("sheet", pa.nulls(cells.num_rows, pa.string()))
    if "row_id" not in cells.column_names:
        cells = cells.append_column("row_id", pa.array(range(cells.num_rows), pa.int64()))
    return cells


def _normalised(column: pa.ChunkedArray) -> pa.Array:
    """NFKC and trim, each only on the cells it can change: a column of clean cells is not copied."""
    column = column.combine_chunks()
    if isinstance(column, pa.ChunkedArray) or column.null_count or column.offset:
        # (an all-null or sliced column: the plain kernels, which handle every layout)
        column = (
            pc.utf8_trim_whitespace(nfkc(column))
            if not pc.all(pc.string_is_ascii(column)).as_py()
            else pc.ascii_trim_whitespace(column)
        )
    else:
        may_change = _may_change_under_nfkc(column)
        column = nfkc(column, may_change)
        to_trim = may_change | _blank_at_an_end(column)
        if to_trim.all():
            column = pc.utf8_trim_whitespace(column)
        elif to_trim.any():
            chosen = pa.array(to_trim)
            column = pc.replace_with_mask(column, chosen, pc.utf8_trim_whitespace(pc.filter(column, chosen)))
    empty = pc.equal(pc.binary_length(column), 0)
    if pc.any(empty).as_py():
        column = pc.if_else(empty, pa.scalar(None, pa.string()), column)
    return column


def normalise_cells(cells: pa.Table) -> pa.Table:
    """Every text cell NFKC-normalised (full-width digits, letters and blanks to half-width) and
    trimmed, empty cells NULL: vectorised in Arrow, once per cell, before any SQL reads it.
    A column whose cells need neither is returned as it is. The sheet name stays as written."""
    names = [n for n in cells.column_names if pa.types.is_string(cells.column(n).type) and n != "sheet"]
    # Arrow's kernels and numpy release the GIL: the columns are done on every core at once, as read_csv reads.
    with ThreadPoolExecutor(max_workers=max(1, min(len(names), os.cpu_count() or 1))) as pool:
        done = dict(zip(names, pool.map(lambda name: _normalised(cells.column(name)), names)))
    return pa.table([done.get(n, cells.column(n)) for n in cells.column_names], names=cells.column_names)


@dataclass(frozen=True)
class DateWindow:
    """The dates a value may take (rules [dates]): earliest, latest (one year after the load date)."""

    earliest: dt.date
    purchase_earliest: dt.date
    latest: dt.date
    request_months: int
    load_date: dt.date

    @classmethod
    def from_rules(cls, rules: Rules, load_date: dt.date) -> DateWindow:
        years = rules["dates.latest_years_after_load"]
        try:
            latest = load_date.replace(year=load_date.year + years)
        except ValueError:  # 29 February
            latest = load_date.replace(year=load_date.year + years, day=28)
        return cls(
            rules["dates.earliest"],
            rules["dates.purchase_earliest"],
            latest,
            rules["dates.request_window_months"],
            load_date,
        )

    def earliest_for(self, column: str) -> dt.date:
        return self.purchase_earliest if column == "purchase_date" else self.earliest


# A day-first date's three numbers (qc_date_parts: a, b, c; t the time) in each order: ymd (a two-digit year first),
# mdy, dmy.
IN_ORDER = {
    "ymd": "CASE WHEN length(p.c) <= 2 THEN qc_make_timestamp(qc_year2(p.a), p.b, p.c, p.t) END",
    "mdy": "qc_make_timestamp(qc_year2(p.c), p.a, p.b, p.t)",
    "dmy": "qc_make_timestamp(qc_year2(p.c), p.b, p.a, p.t)",
}


def parse_macros(date_order: str | None = None) -> list[str]:
    """One SQL macro per input type: the single definition of what each spelling means.

    Dates are first brought to one shape (2026/3/5, 2026年3月5日 -> 2026-3-5) so that strptime
    needs few formats; only a date whose four-digit year comes first is read that way (DuckDB's
    own cast would read 25-04-09 as the year 25). Other spellings take the file's `date_order`;
    with none chosen they do not parse. Excel serial numbers (days since 1899-12-30) are read too.

    qc_timestamp reads a day-first date in the file's order only: DuckDB expands a macro's argument at each of its
    uses, so qc_in_order with all three orders inside qc_timestamp was a tree of some hundred copies of the cell that
    every statement binding it paid for (a fifth of a 3-row repairs load; ten times the cost of binding one reading).
    """
    ymd = "TRY_CAST(printf('%04d-%02d-%02d', y, TRY_CAST(m AS INTEGER), TRY_CAST(d AS INTEGER)) AS DATE)"
    return [
        # Excel serial days since 1899-12-30, with a time fraction; years 1927-2199 only.
        "CREATE OR REPLACE TEMP MACRO qc_serial(s) AS CASE "
        "WHEN regexp_full_match(s, '\\d{5,6}(\\.\\d+)?') AND TRY_CAST(s AS DOUBLE) BETWEEN 10000 AND 109572 "
        "THEN TIMESTAMP '1899-12-30' + to_seconds(CAST(round(TRY_CAST(s AS DOUBLE) * 86400) AS BIGINT)) END",
        # 25年4月9日: a two-digit year before 年 is 20YY.
        "CREATE OR REPLACE TEMP MACRO qc_cjk_year(s) AS "
        "CASE WHEN contains(s, '年') AND regexp_matches(s, '^\\d{2}\\s*年') THEN '20' || s ELSE s END",
        "CREATE OR REPLACE TEMP MACRO qc_date_text(s) AS "
        "trim(replace(replace(replace(translate(qc_cjk_year(s), '/年月', '---'), '日 ', ' '), '日', ' '), 'T', ' '))",
        f"CREATE OR REPLACE TEMP MACRO qc_time(s) AS CASE "
        f"WHEN regexp_full_match(s, '0?\\.\\d+|0') "
        f"THEN TIME '00:00' + to_seconds(CAST(round(TRY_CAST(s AS DOUBLE) * 86400) AS BIGINT)) "
        f"WHEN regexp_matches(s, '^\\d{{1,2}}(:|时)') THEN coalesce(TRY_CAST(s AS TIME), "
        f"CAST(try_strptime(upper(s), {_list(TIME_FORMATS)}) AS TIME)) END",
        # The common shape (2026-03-05 14:30, 2026/3/5 9:05:00.5) by DuckDB's own cast at C speed,
        # but only when the whole text has that shape: the cast ignores what follows a valid
        # prefix (02:30 PM would read 02:30, 14:30+05 and 14:30 abc 14:30).
        f"CREATE OR REPLACE TEMP MACRO qc_iso_timestamp(s) AS CASE "
        f"WHEN regexp_full_match(s, {_lit(ISO_TIMESTAMP)}) THEN TRY_CAST(s AS TIMESTAMP) END",
        # Four-digit year first (2026-03-05, 2026/3/5 14:30, 2026年3月5日, 2026.3.5) or 20260305.
        f"CREATE OR REPLACE TEMP MACRO qc_year_first(s) AS CASE "
        # A cheap test of 2026-... / 2026/... first; the regular expression only for the rest.
        f"WHEN (substr(s, 5, 1) IN ('-', '/', '.', '年') AND TRY_CAST(substr(s, 1, 4) AS USMALLINT) >= 1000) "
        f"OR regexp_matches(s, '^\\d{{4}}\\s*[-/.年]') THEN "
        f"try_strptime(upper(qc_date_text(s)), {_list(DATETIME_FORMATS)}) "
        f"WHEN regexp_full_match(s, '\\d{{8}}') THEN try_strptime(s, '%Y%m%d') END",
        f"CREATE OR REPLACE TEMP MACRO qc_date_parts(s) AS "
        f"regexp_extract(qc_date_text(s), {_lit(AMBIGUOUS_DATE)}, ['a', 'b', 'c', 't'])",
        "CREATE OR REPLACE TEMP MACRO qc_year2(y) AS CASE WHEN length(y) <= 2 THEN 2000 + TRY_CAST(y AS INTEGER) "
        "WHEN length(y) = 4 THEN TRY_CAST(y AS INTEGER) END",
        f"CREATE OR REPLACE TEMP MACRO qc_make_timestamp(y, m, d, t) AS CASE "
        f"WHEN t = '' THEN CAST({ymd} AS TIMESTAMP) ELSE {ymd} + qc_time(t) END",
        # One reading of 03/01/2025 per order: ymd (two-digit year first), mdy, dmy.
        "CREATE OR REPLACE TEMP MACRO qc_in_order(p, o) AS CASE WHEN p.a = '' THEN NULL "
        + " ".join(f"WHEN o = {_lit(o)} THEN {reading}" for o, reading in IN_ORDER.items())
        + " END",
        # The file's own order alone (qc_in_order(p, order), its other branches dropped; no order: no reading).
        "CREATE OR REPLACE TEMP MACRO qc_in_file_order(p) AS "
        + (
            f"CASE WHEN p.a = '' THEN NULL ELSE {IN_ORDER[date_order]} END" if date_order else "CAST(NULL AS TIMESTAMP)"
        ),
        "CREATE OR REPLACE TEMP MACRO qc_is_day_first(s) AS "
        "regexp_matches(s, '^\\d{1,2}\\D') AND qc_date_parts(s).a <> ''",
        # DuckDB's own cast reads 2026-03-05 14:30 and 2026/3/5 at C speed; the rest after it.
        "CREATE OR REPLACE TEMP MACRO qc_timestamp(s) AS coalesce(qc_iso_timestamp(s), qc_year_first(qc_cjk_year(s)), "
        "qc_serial(s)"
        + (
            ", CASE WHEN regexp_matches(s, '^\\d{1,2}\\D') THEN qc_in_file_order(qc_date_parts(s)) END)"
            if date_order
            else ")"
        ),
        "CREATE OR REPLACE TEMP MACRO qc_date(s) AS CAST(qc_timestamp(s) AS DATE)",
        # A date in one column and a time in another (报修日期 + 报修时间); the time column may hold
        # the whole date and time instead, then its date must be the date column's.
        "CREATE OR REPLACE TEMP MACRO qc_date_and_time(d, t) AS CASE "
        "WHEN d IS NULL THEN qc_timestamp(t) WHEN t IS NULL THEN qc_timestamp(d) "
        "WHEN qc_time(t) IS NOT NULL THEN qc_date(d) + qc_time(t) "
        "WHEN CAST(qc_timestamp(t) AS DATE) = qc_date(d) THEN qc_timestamp(t) END",
        "CREATE OR REPLACE TEMP MACRO qc_make_month(y, m) AS CASE "
        "WHEN TRY_CAST(m AS INTEGER) BETWEEN 1 AND 12 AND TRY_CAST(y AS INTEGER) BETWEEN 1900 AND 2199 "
        "THEN make_date(TRY_CAST(y AS INTEGER), TRY_CAST(m AS INTEGER), 1) END",
        # 2026-03 and 2026/03 by DuckDB's own cast first (a four-digit year, checked by the window).
        "CREATE OR REPLACE TEMP MACRO qc_month(s) AS coalesce(CASE "
        "WHEN length(s) = 7 AND substr(s, 5, 1) IN ('-', '/') "
        "THEN TRY_CAST(replace(s, '/', '-') || '-01' AS DATE) END, CASE "
        "WHEN regexp_full_match(qc_cjk_year(s), '\\d{4}\\s*[-/.年]\\s*\\d{1,2}\\s*月?') "
        "THEN qc_make_month(regexp_extract(qc_cjk_year(s), '^(\\d{4})', 1), "
        "regexp_extract(qc_cjk_year(s), '^\\d{4}\\s*[-/.年]\\s*(\\d{1,2})', 1)) "
        "WHEN regexp_full_match(s, '\\d{6}') THEN qc_make_month(left(s, 4), right(s, 2)) "
        "ELSE CAST(date_trunc('month', qc_timestamp(s)) AS DATE) END)",
        f"CREATE OR REPLACE TEMP MACRO qc_boolean(s) AS CASE "
        f"WHEN lower(s) IN ({', '.join(_lit(v) for v in TRUE_SPELLINGS)}) THEN true "
        f"WHEN lower(s) IN ({', '.join(_lit(v) for v in FALSE_SPELLINGS)}) THEN false END",
        "CREATE OR REPLACE TEMP MACRO qc_number(s) AS TRY_CAST(regexp_replace(s, '[,¥元\\s]', '', 'g') AS DOUBLE)",
        "CREATE OR REPLACE TEMP MACRO qc_integer(s) AS CASE "
        "WHEN qc_number(s) = trunc(qc_number(s)) AND abs(qc_number(s)) < 9e15 THEN CAST(qc_number(s) AS BIGINT) END",
        # A plain decimal by the cast alone (what the stripped text would give, as nothing is stripped).
        "CREATE OR REPLACE TEMP MACRO qc_money(s) AS coalesce(TRY_CAST(s AS DECIMAL(18,2)), "
        "TRY_CAST(regexp_replace(s, '[,¥元\\s]', '', 'g') AS DECIMAL(18,2)), "
        "TRY_CAST(qc_number(s) AS DECIMAL(18,2)))",
        "CREATE OR REPLACE TEMP MACRO qc_satisfaction(s) AS CASE "
        + " ".join(f"WHEN s = {_lit(label)} THEN {score}" for label, score in SATISFACTION_LABELS.items())
        + " WHEN qc_number(s) IN (1, 2, 3, 4, 5) THEN CAST(qc_number(s) AS TINYINT) END",
        reason_macro_sql(),
    ]


def _choice_sql(col: Column, value: str) -> str:
    whens = " ".join(f"WHEN {_lit(spelling)} THEN {_lit(stored)}" for spelling, stored in col.choices.items())
    return f"CASE lower({value}) {whens} END"


def _choices_text(col: Column) -> str:
    english = sorted(set(col.choices.values()), key=list(col.choices.values()).index)
    chinese = [s for s, v in col.choices.items() if s != v and not s.isascii()]
    return f"{', '.join(english)} ({', '.join(chinese)})"


# type -> (parse macro, reject reason code when the text does not parse)
_PARSERS = {
    INTEGER: ("qc_integer", "not_integer"),
    MONEY: ("qc_money", "not_money"),
    DATE: ("qc_date", "not_date"),
    DATETIME: ("qc_timestamp", "not_datetime"),
    MONTH: ("qc_month", "not_month"),
    BOOLEAN: ("qc_boolean", "not_boolean"),
    SATISFACTION: ("qc_satisfaction", "not_satisfaction"),
}
DATE_TYPES = (DATE, DATETIME)


def _day_first(cell: str) -> str:
    """SQL: the cell starts with one or two digits and then a non-digit (03/01/2025, 8/6/25): a
    character test, cheap on the million ISO dates of a large file, which fail it at once."""
    digit = "BETWEEN '0' AND '9'"
    return (
        f"(substr({cell}, 1, 1) {digit} AND (substr({cell}, 2, 1) NOT {digit} "
        f"OR (substr({cell}, 3, 1) NOT {digit} AND length({cell}) > 2)))"
    )


@dataclass
class DateOrder:
    """How a file's dates that do not start with a four-digit year were read."""

    order: str | None = None  # ymd | mdy | dmy, None when the file has no such date
    values: int = 0  # how many such values the file holds
    fitting: int = 0  # how many of them are valid dates inside the window in that order
    example: str = ""

    def note(self) -> Said | None:
        if not self.values:
            return None
        if self.order is None:
            return later.ngettext("load.note_dates_no_order", self.values, example=self.example)
        words = later.t(f"date_order.{self.order}")
        if self.fitting == self.values:
            return later.ngettext("load.note_dates_all", self.values, example=self.example, order=words)
        return later.t(
            "load.note_dates_most",
            example=self.example,
            order=words,
            fitting=self.fitting,
            values=self.values,
            other=self.values - self.fitting,
        )


@dataclass
class StagingPlan:
    """The SQL that turns one file's cells into the `staged` table, and what it assumed."""

    raw: RawFile
    submitted_default: dt.date
    month_default: dt.date | None
    window: DateWindow
    date_order: DateOrder = field(default_factory=DateOrder)
    totals_at: list[tuple[str | None, int]] = field(default_factory=list)  # (sheet, row_id) of totals rows
    rows_after_totals: int = 0

    @property
    def kind(self):
        return self.raw.kind

    # ------------------------------------------------------------ the steps, in order

    def stage(self, con, against_database: bool = True) -> None:
        """Macros, the file's date order, totals rows, then `staged` with every row's problems and
        `staged_rejects`. `raw_cells` and `clean_cells` must be registered on `con`; without a
        database (a preview) dealers and callbacks' repairs are not checked."""
        for statement in parse_macros():
            con.execute(statement)
        self.date_order = self._choose_date_order(con)
        if self.date_order.order:
            for statement in parse_macros(self.date_order.order):
                con.execute(statement)
        self._find_totals(con)
        con.execute(self.staging_sql())
        for statement in self.cross_checks_sql(against_database):
            con.execute(statement)
        con.execute(self.rejects_sql())

    def notes(self) -> list[Said]:
        """What the file's line says about how its rows were read (catalog messages, i18n.later)."""
        notes = [n for n in [self.date_order.note()] if n]
        if self.rows_after_totals:
            notes.append(later.ngettext("load.note_after_totals", self.rows_after_totals))
        return notes

    def details(self) -> dict:
        """What the load log keeps of these choices."""
        return {
            "date_order": self.date_order.order,
            "ambiguous_dates": self.date_order.values,
            "rows_after_totals_ignored": self.rows_after_totals,
            "totals_rows": [{"sheet": sheet, "row_id": row_id} for sheet, row_id in self.totals_at],
        }

    # ------------------------------------------------------------ cells

    def _cell(self, name: str) -> str | None:
        position = next((p for p, n in self.raw.column_of.items() if n == name), None)
        return None if position is None else f"c{position}"

    def _date_part(self, name: str) -> str | None:
        parts = getattr(self.raw, "date_part_of", None) or {}
        position = next((p for p, n in parts.items() if n == name), None)
        return None if position is None else f"c{position}"

    def _report_month_sql(self) -> str | None:
        """The report month of a row, for the repairs rules that depend on it (before staging)."""
        cell = self._cell("report_month")
        default = f"DATE '{self.month_default}'" if self.month_default else None
        if cell and default:
            return f"coalesce(qc_month({cell}), {default})"
        return f"qc_month({cell})" if cell else default

    def _date_sources(self) -> list[tuple[str, str, str]]:
        """Every cell column holding a date of the file, with the bounds (SQL, the upper one
        exclusive) its value must lie in: the window, and for a repair the rules that tie
        requested_at and submitted_on to the report month."""
        sources = []
        month = self._report_month_sql() if self.kind is REPAIRS else None
        for col in self.kind.columns:
            if col.type not in DATE_TYPES:
                continue
            low, high = f"DATE '{self.window.earliest_for(col.name)}'", f"DATE '{self.window.latest}' + 1"
            if month and col.name == "requested_at":
                end = f"({month} + INTERVAL 1 MONTH)"
                low = f"greatest({low}, {end} - INTERVAL {self.window.request_months} MONTH)"
                high = f"least({high}, {end})"
            if month and col.name == "submitted_on":
                low = f"greatest({low}, {month})"
            for cell in (self._cell(col.name), self._date_part(col.name)):
                if cell:
                    sources.append((cell, low, high))
        return sources

    def _choose_date_order(self, con) -> DateOrder:
        """Of ymd, mdy, dmy: the first in which every day-first date of the file is a valid date
        inside its bounds; failing that, the one that fits most (the rest are rejected)."""
        sources = self._date_sources()
        if not sources:
            return DateOrder()
        values = " UNION ALL ".join(
            f"SELECT {cell} AS s, {low} AS lo, {high} AS hi FROM clean_cells WHERE {_day_first(cell)}"
            for cell, low, high in sources
        )
        fits = ", ".join(
            f"count(*) FILTER (WHERE qc_in_order(p, '{o}') >= lo AND qc_in_order(p, '{o}') < hi)" for o in DATE_ORDERS
        )
        row = con.execute(f"""
            WITH v AS ({values}), p AS (SELECT s, lo, hi, qc_date_parts(s) AS p FROM v)
            SELECT count(*), min(s), {fits} FROM p WHERE p.a <> ''""").fetchone()
        found, example, counts = row[0], row[1] or "", row[2:]
        if not found:
            return DateOrder()
        orders = list(DATE_ORDERS)
        complete = [o for o, n in zip(orders, counts) if n == found]
        if complete:
            return DateOrder(complete[0], found, found, example)
        best = max(range(len(orders)), key=lambda i: (counts[i], -i))
        if counts[best] == 0:
            return DateOrder(None, found, 0, example)
        return DateOrder(orders[best], found, counts[best], example)

    def _find_totals(self, con) -> None:
        """The first totals row of each sheet; it and every row after it are not data rows."""
        width = len(self.raw.headers)
        tests = [f"regexp_matches(c0, '{TOTALS_FIRST_CELL}', 'i')"]
        tests += [f"regexp_matches(c{i}, '{TOTALS_LATER_CELL}', 'i')" for i in (1, 2) if i < width]
        rows = con.execute(f"""
            SELECT sheet, min(row_id) FROM clean_cells WHERE {" OR ".join(f"coalesce({t}, false)" for t in tests)}
            GROUP BY sheet ORDER BY 2""").fetchall()
        self.totals_at = [(sheet, row_id) for sheet, row_id in rows]
        if self.totals_at:
            self.rows_after_totals = con.execute(
                f"SELECT count(*) FROM clean_cells WHERE {self._any_value()} IS NOT NULL "
                f"AND ({' OR '.join(self._after_totals(strictly=True))})"
            ).fetchone()[0]

    def _after_totals(self, strictly: bool) -> list[str]:
        compare = ">" if strictly else ">="
        return [
            f"(sheet IS NOT DISTINCT FROM {'NULL' if sheet is None else _lit(sheet)} AND row_id {compare} {row_id})"
            for sheet, row_id in self.totals_at
        ]

    def _any_value(self) -> str:
        return "coalesce(" + ", ".join(f"c{i}" for i in range(len(self.raw.headers))) + ", overflow)"

    # ------------------------------------------------------------ staging

    def _texts(self, col: Column) -> tuple[list[str], str]:
        """Text columns for a column (select items) and the expression of its display text."""
        cell, part = self._cell(col.name), self._date_part(col.name)
        t = f'"t_{col.name}"'
        if col.type == DATETIME and part:
            time = cell or "CAST(NULL AS VARCHAR)"
            return [
                f'{part} AS "d_{col.name}"',
                f'{time} AS "h_{col.name}"',
                f"CASE WHEN {part} IS NULL THEN {time} WHEN {time} IS NULL THEN {part} "
                f"ELSE {part} || ' ' || {time} END AS {t}",
            ], t
        return [f"{cell or 'CAST(NULL AS VARCHAR)'} AS {t}"], t

    def _parsed(self, col: Column, t: str) -> str:
        if col.type == CHOICE:
            return _choice_sql(col, t)
        if col.type == DATETIME and self._date_part(col.name):
            return f'qc_date_and_time("d_{col.name}", "h_{col.name}")'
        if col.type not in _PARSERS:
            return t
        return f"{_PARSERS[col.type][0]}({t})"

    def _column_problems(self, col: Column, t: str) -> list[str]:
        name = f'"{col.name}"'
        problems = []
        if col.required or (self.kind is REPAIRS and col.name == "report_month"):
            problems.append(f"CASE WHEN {name} IS NULL AND {t} IS NULL THEN {problem_sql('empty', col.name)} END")
        if col.type == CHOICE:
            problems.append(
                f"CASE WHEN {t} IS NOT NULL AND {name} IS NULL THEN "
                f"{problem_sql('not_choice', col.name, t, _lit(_choices_text(col)))} END"
            )
        elif col.type in DATE_TYPES and self.date_order.order:
            words = DATE_ORDERS[self.date_order.order]
            source = f'coalesce("d_{col.name}", {t})' if self._date_part(col.name) else t
            problems.append(
                f"CASE WHEN {t} IS NOT NULL AND {name} IS NULL THEN CASE WHEN qc_is_day_first({source}) "
                f"THEN {problem_sql('date_order', col.name, t, _lit(words[0]), _lit(words[1]))} "
                f"ELSE {problem_sql(_PARSERS[col.type][1], col.name, t)} END END"
            )
        elif col.type in _PARSERS:
            problems.append(
                f"CASE WHEN {t} IS NOT NULL AND {name} IS NULL THEN "
                f"{problem_sql(_PARSERS[col.type][1], col.name, t)} END"
            )
        if col.type in (INTEGER, MONEY):
            problems.append(f"CASE WHEN {name} < 0 THEN {problem_sql('negative', col.name, t)} END")
        if col.type in DATE_TYPES + (MONTH,):
            problems.append(self._window_problem(col, t))
        return problems

    def _window_problem(self, col: Column, t: str) -> str:
        earliest = self.window.earliest_for(col.name)
        latest = self.window.latest
        if col.type == MONTH:
            earliest = earliest.replace(day=1)
        words = (_lit(f"{earliest} to {latest}"), _lit(f"{earliest} 至 {latest}"))
        value = f"coalesce({t}, strftime(\"{col.name}\", '%Y-%m'))" if col.type == MONTH else t
        return (
            f"CASE WHEN \"{col.name}\" < DATE '{earliest}' OR \"{col.name}\" >= DATE '{latest}' + 1 THEN "
            f"{problem_sql('date_outside', col.name, value, *words)} END"
        )

    def staging_sql(self) -> str:
        kind = self.kind
        text_cols, parsed_cols, problems = [], [], []
        for col in kind.columns:
            texts, t = self._texts(col)
            text_cols += texts
            parsed_cols.append(f'{self._defaults(col, self._parsed(col, t))} AS "{col.name}"')
            problems += self._column_problems(col, t)
        problems += self._row_rules()
        problems.append(f"CASE WHEN overflow IS NOT NULL THEN {problem_sql('too_many_values', None, 'overflow')} END")
        long_cells = self._long_cells()
        extra = self.raw.extra_positions
        extra_json = (
            "json_object(" + ", ".join(f"{_lit(self.headers[i])}, c{i}" for i in extra) + ")"
            if extra
            else "CAST(NULL AS JSON)"
        )
        # The text columns served the reasons; `staged` keeps only submitted_on's (the load's warning
        # counts its empty cells): a narrower table is a third of the staging time on a large file.
        dropped = ["overflow"] + [c.split(" AS ")[-1] for c in text_cols if not c.endswith('"t_submitted_on"')]
        all_problems = f"list_filter([{', '.join(problems)}], lambda p: p IS NOT NULL)"
        if long_cells:
            text_cols.append(f"list_filter([{', '.join(long_cells)}], lambda p: p IS NOT NULL) AS long_cells")
            dropped.append("long_cells")
            all_problems = f"list_concat(long_cells, {all_problems})"
        keep = [f"{self._any_value()} IS NOT NULL"]
        if self.totals_at:
            keep.append("NOT (" + " OR ".join(self._after_totals(strictly=False)) + ")")
        return f"""
            CREATE OR REPLACE TEMP TABLE staged AS
            WITH parsed AS NOT MATERIALIZED (
                SELECT row_no, row_id, sheet, overflow, {", ".join(text_cols)}, {", ".join(parsed_cols)},
                       {extra_json} AS extra_columns
                FROM clean_cells
                WHERE {" AND ".join(keep)}
            )
            SELECT * EXCLUDE ({", ".join(dropped)}), {all_problems} AS problems
            FROM parsed"""

    @property
    def max_cell_chars(self) -> int:
        limits = getattr(self.raw, "limits", None)
        return limits.max_cell_chars if limits is not None else 32767

    def _long_positions(self) -> list[int]:
        """Cell columns holding a value longer than max_cell_chars. Judged first on the whole
        column's longest value in bytes (never fewer than its characters), from the offsets
        alone, so a file without such a cell costs no SQL."""
        cells = self.raw.cells
        if cells is None:
            return []
        positions = []
        for i in range(len(self.raw.headers)):
            name = f"c{i}"
            if name in cells.column_names and cells.num_rows:
                longest = pc.max(pc.binary_length(cells.column(name))).as_py()
                if longest is not None and longest > self.max_cell_chars:
                    positions.append(i)
        return positions

    def _long_cells(self) -> list[str]:
        """A problem for each cell longer than max_cell_chars (the rules' [limits]): its row is
        rejected, naming the column and the length (issue 11)."""
        limit = self.max_cell_chars
        column_of = {**(getattr(self.raw, "date_part_of", None) or {}), **self.raw.column_of}

        def too_long(i: int) -> str:
            return problem_sql("cell_too_long", column_of.get(i, self.headers[i]), f"length(c{i})", _lit(f"{limit:,}"))

        return [f"CASE WHEN length(c{i}) > {limit} THEN {too_long(i)} END" for i in self._long_positions()]

    @property
    def headers(self) -> list[str]:
        """Header cells as written; an empty header cell is named by its position."""
        return [h if h.strip() else f"column {i + 1}" for i, h in enumerate(self.raw.headers)]

    def rejects_sql(self) -> str:
        """Rejected rows with their raw values as written (from the uncleaned cells): the temp table
        `staged_rejects`, which a load copies into `rejects` and `inspect` shows."""
        long = set(self._long_positions())  # kept to max_cell_chars: a correction sheet's cell holds no more
        raw_json = (
            "json_object("
            + ", ".join(
                f"{_lit(h)}, " + (f"left(r.c{i}, {self.max_cell_chars})" if i in long else f"r.c{i}")
                for i, h in enumerate(self.headers)
            )
            + ")"
        )
        return f"""
            CREATE OR REPLACE TEMP TABLE staged_rejects AS
            SELECT s.row_no, array_to_string(list_transform(s.problems, lambda p: qc_reason(p)), '; ') AS reason,
                   {raw_json} AS raw_values, s.sheet, to_json(s.problems) AS problems
            FROM staged s JOIN raw_cells r USING (row_id)
            WHERE len(s.problems) > 0 ORDER BY s.row_id"""

    def _defaults(self, col: Column, value: str) -> str:
        """report_month from the file name and submitted_on from the option or load date (spec 2.3)."""
        cell = self._cell(col.name)
        if self.kind is REPAIRS and col.name == "report_month" and self.month_default:
            return (
                f"CASE WHEN \"t_report_month\" IS NULL THEN DATE '{self.month_default}' ELSE {value} END"
                if cell
                else f"DATE '{self.month_default}'"
            )
        if self.kind is REPAIRS and col.name == "submitted_on":
            return (
                f"CASE WHEN \"t_submitted_on\" IS NULL THEN DATE '{self.submitted_default}' ELSE {value} END"
                if cell
                else f"DATE '{self.submitted_default}'"
            )
        return value

    def _row_rules(self) -> list[str]:
        def before(later: str, earlier: str) -> str:
            return f"CASE WHEN {later} < {earlier} THEN {problem_sql('before', later, 'NULL', _lit(earlier))} END"

        if self.kind is DEALERS:
            return [before("left_on", "joined_on")]
        if self.kind is not REPAIRS:
            return []
        end = "report_month + INTERVAL 1 MONTH"
        months = self.window.request_months
        early_en = f"'{months} months before the end of its report month ' || strftime(report_month, '%Y-%m')"
        early_zh = f"'报表月份 ' || strftime(report_month, '%Y-%m') || ' 月末前 {months} 个月'"
        requested, submitted = '"t_requested_at"', '"t_submitted_on"'
        inside = f"DATE '{self.window.earliest}' AND DATE '{self.window.latest}' + 1"
        month = "strftime(report_month, '%Y-%m')"
        too_late = problem_sql("request_too_late", "requested_at", requested, month)
        too_early = problem_sql("request_too_early", "requested_at", requested, early_en, early_zh)
        future = problem_sql("submitted_future", "submitted_on", submitted, _lit(str(self.window.load_date)))
        too_soon = problem_sql("submitted_before_month", "submitted_on", submitted, month)
        return [
            before("arrived_at", "requested_at"),
            before("completed_at", "arrived_at"),
            before("completed_at", "requested_at"),
            # One reason per value: a date outside the window says only that.
            f"CASE WHEN requested_at NOT BETWEEN {inside} THEN NULL WHEN requested_at >= {end} THEN {too_late} "
            f"WHEN requested_at < {end} - INTERVAL {months} MONTH THEN {too_early} END",
            f"CASE WHEN {submitted} IS NULL OR submitted_on NOT BETWEEN {inside} THEN NULL "
            f"WHEN submitted_on > DATE '{self.window.load_date}' THEN {future} "
            f"WHEN submitted_on < report_month THEN {too_soon} END",
        ]

    def cross_checks_sql(self, against_database: bool = True) -> list[str]:
        """Rules that need other rows or tables: known dealer, loaded repair, duplicate key."""
        kind = self.kind
        statements = []
        if kind is not DEALERS and against_database:
            statements.append(f"""
                UPDATE staged SET problems = list_append(problems,
                    {problem_sql("unknown_dealer", "dealer_id", "dealer_id")})
                WHERE dealer_id IS NOT NULL AND dealer_id NOT IN (SELECT dealer_id FROM dealers)""")
        if kind is CALLBACKS and against_database:
            statements.append(f"""
                UPDATE staged SET problems = list_append(problems,
                    {problem_sql("no_repair", "record_no", "record_no", "dealer_id")})
                WHERE record_no IS NOT NULL AND dealer_id IN (SELECT dealer_id FROM dealers)
                  AND NOT EXISTS (SELECT 1 FROM repairs r
                                  WHERE r.dealer_id = staged.dealer_id AND r.record_no = staged.record_no)""")
        key = ", ".join(kind.key)
        if len(kind.key) == 1 or kind is REPAIRS:
            named = kind.key[-1]
            problem = problem_sql("duplicate", named, named)
        else:
            problem = problem_sql("duplicate_month", "month", "strftime(month, '%Y-%m')", "dealer_id")
        statements.append(f"""
            UPDATE staged SET problems = [{problem}]
            WHERE row_id IN (
                SELECT row_id FROM (
                    SELECT row_id, row_number() OVER (PARTITION BY {key} ORDER BY row_id) AS nth
                    FROM staged WHERE len(problems) = 0)
                WHERE nth > 1)""")
        return statements
