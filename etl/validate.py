"""Validate and normalise a file's text cells in DuckDB SQL: parse every spelling, give every bad
row a reason a person understands.

The SQL is generated from etl/schema.py, so each type is parsed by one macro (etl/parse_macros)
and each rule is written once. Input: the relation `raw_cells` (c0..cN, overflow, row_no).
Output: the temp table `staged`, one row per data row with typed columns and `problems`,
a list of reasons (empty for a good row).
"""
from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc

from etl.read import RawFile
from etl.schema import (BOOLEAN, CALLBACKS, CHOICE, DATE, DATETIME, DEALERS, FALSE_SPELLINGS,
                        INTEGER, MONEY, MONTH, REPAIRS, SATISFACTION, SATISFACTION_LABELS,
                        TRUE_SPELLINGS, Column, Kind)

# After qc_date_text: 2026/3/5 14:30, 2026年3月5日 14:30 and 2026-03-05T14:30 all read 2026-3-5 14:30.
DATETIME_FORMATS = [
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H时%M分",
    "%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M", "%Y.%m.%d", "%Y%m%d",
]
TOTALS_PATTERN = r"^(合计|总计|total)"


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _list(values) -> str:
    return "[" + ", ".join(_lit(v) for v in values) + "]"


# NFKC leaves ASCII and the CJK Unified Ideographs as they are; only cells holding anything else
# (full-width forms, the ideographic space, circled digits, compatibility ideographs ...) need it.
_NFKC_MAY_CHANGE = "[^\\x00-\\x7F\\x{4E00}-\\x{9FFF}]"


def nfkc(column: pa.Array) -> pa.Array:
    """NFKC of a text column, computed only for the cells it can change (a tenth of the cost on
    a typical report, where Chinese text and ASCII codes make up nearly every cell)."""
    may_change = pc.fill_null(pc.match_substring_regex(column, _NFKC_MAY_CHANGE), False)
    if not pc.any(may_change).as_py():
        return column
    return pc.replace_with_mask(column, may_change, pc.utf8_normalize(pc.filter(column, may_change), "NFKC"))


def normalise_cells(cells: pa.Table) -> pa.Table:
    """Every text cell NFKC-normalised (full-width digits, letters and blanks to half-width) and
    trimmed, empty cells NULL: vectorised in Arrow, once per cell, before any SQL reads it.
    An all-ASCII column skips NFKC and takes the cheaper ASCII trim."""
    columns = []
    for name in cells.column_names:
        column = cells.column(name)
        if pa.types.is_string(column.type):
            column = column.combine_chunks()
            if pc.all(pc.string_is_ascii(column)).as_py() is False:
                column = pc.utf8_trim_whitespace(nfkc(column))
            else:
                column = pc.ascii_trim_whitespace(column)
            empty = pc.equal(pc.binary_length(column), 0)
            if pc.any(empty).as_py():
                column = pc.if_else(empty, pa.scalar(None, pa.string()), column)
        columns.append(column)
    return pa.table(columns, names=cells.column_names)


def parse_macros() -> list[str]:
    """One SQL macro per input type: the single definition of what each spelling means.

    Dates are first brought to one shape (2026/3/5, 2026年3月5日 -> 2026-3-5) so that
    strptime needs few formats; Excel serial numbers (days since 1899-12-30) are read too.
    """
    return [
        # Excel serial days since 1899-12-30, with a time fraction; years 1927-2199 only.
        "CREATE OR REPLACE TEMP MACRO qc_serial(s) AS CASE "
        "WHEN regexp_full_match(s, '\\d{5,6}(\\.\\d+)?') AND TRY_CAST(s AS DOUBLE) BETWEEN 10000 AND 109572 "
        "THEN TIMESTAMP '1899-12-30' + to_seconds(CAST(round(TRY_CAST(s AS DOUBLE) * 86400) AS BIGINT)) END",
        "CREATE OR REPLACE TEMP MACRO qc_date_text(s) AS "
        "trim(replace(replace(replace(translate(s, '/年月', '---'), '日 ', ' '), '日', ' '), 'T', ' '))",
        # DuckDB's own cast reads 2026-03-05 14:30 and 2026/3/5 at C speed; the rest after it.
        f"CREATE OR REPLACE TEMP MACRO qc_timestamp(s) AS coalesce(TRY_CAST(s AS TIMESTAMP), qc_serial(s), "
        f"try_strptime(qc_date_text(s), {_list(DATETIME_FORMATS)}))",
        "CREATE OR REPLACE TEMP MACRO qc_date(s) AS CAST(qc_timestamp(s) AS DATE)",
        "CREATE OR REPLACE TEMP MACRO qc_make_month(y, m) AS CASE "
        "WHEN TRY_CAST(m AS INTEGER) BETWEEN 1 AND 12 AND TRY_CAST(y AS INTEGER) BETWEEN 1900 AND 2199 "
        "THEN make_date(TRY_CAST(y AS INTEGER), TRY_CAST(m AS INTEGER), 1) END",
        "CREATE OR REPLACE TEMP MACRO qc_month(s) AS coalesce("
        "CASE WHEN length(s) <= 7 THEN TRY_CAST(replace(s, '/', '-') || '-01' AS DATE) END, CASE "
        "WHEN regexp_full_match(s, '\\d{4}\\s*[-/.年]\\s*\\d{1,2}\\s*月?') "
        "THEN qc_make_month(regexp_extract(s, '^(\\d{4})', 1), regexp_extract(s, '^\\d{4}\\s*[-/.年]\\s*(\\d{1,2})', 1)) "
        "WHEN regexp_full_match(s, '\\d{6}') THEN qc_make_month(left(s, 4), right(s, 2)) "
        "ELSE CAST(date_trunc('month', qc_timestamp(s)) AS DATE) END)",
        f"CREATE OR REPLACE TEMP MACRO qc_boolean(s) AS CASE "
        f"WHEN lower(s) IN ({', '.join(_lit(v) for v in TRUE_SPELLINGS)}) THEN true "
        f"WHEN lower(s) IN ({', '.join(_lit(v) for v in FALSE_SPELLINGS)}) THEN false END",
        "CREATE OR REPLACE TEMP MACRO qc_number(s) AS TRY_CAST(regexp_replace(s, '[,¥元\\s]', '', 'g') AS DOUBLE)",
        "CREATE OR REPLACE TEMP MACRO qc_integer(s) AS CASE "
        "WHEN qc_number(s) = trunc(qc_number(s)) AND abs(qc_number(s)) < 9e15 THEN CAST(qc_number(s) AS BIGINT) END",
        "CREATE OR REPLACE TEMP MACRO qc_money(s) AS coalesce("
        "TRY_CAST(regexp_replace(s, '[,¥元\\s]', '', 'g') AS DECIMAL(18,2)), "
        "TRY_CAST(qc_number(s) AS DECIMAL(18,2)))",
        "CREATE OR REPLACE TEMP MACRO qc_satisfaction(s) AS CASE "
        + " ".join(f"WHEN s = {_lit(label)} THEN {score}" for label, score in SATISFACTION_LABELS.items())
        + " WHEN qc_number(s) IN (1, 2, 3, 4, 5) THEN CAST(qc_number(s) AS TINYINT) END",
    ]


def _choice_sql(col: Column, value: str) -> str:
    whens = " ".join(f"WHEN {_lit(spelling)} THEN {_lit(stored)}" for spelling, stored in col.choices.items())
    return f"CASE lower({value}) {whens} END"


def _choices_text(col: Column) -> str:
    english = sorted(set(col.choices.values()), key=list(col.choices.values()).index)
    chinese = [s for s, v in col.choices.items() if s != v and not s.isascii()]
    return f"{', '.join(english)} ({', '.join(chinese)})"


# type -> (parse macro, words for "is not a ...")
_PARSERS = {
    INTEGER: ("qc_integer", "a whole number"),
    MONEY: ("qc_money", "an amount"),
    DATE: ("qc_date", "a date"),
    DATETIME: ("qc_timestamp", "a date and time"),
    MONTH: ("qc_month", "a month"),
    BOOLEAN: ("qc_boolean", "yes or no"),
    SATISFACTION: ("qc_satisfaction", "a known answer"),
}


def _not_a(col: Column, value: str, words: str) -> str:
    """SQL for the reason `requested_at "2026-13-45" is not a date and time`."""
    opening, closing = col.name + ' "', '" is not ' + words
    return f"{_lit(opening)} || {value} || {_lit(closing)}"


def _parse(col: Column, value: str) -> tuple[str, str | None]:
    """SQL for the parsed value, and for the reason when the text does not parse."""
    if col.type == CHOICE:
        return _choice_sql(col, value), _not_a(col, value, "one of " + _choices_text(col))
    if col.type not in _PARSERS:
        return value, None
    macro, words = _PARSERS[col.type]
    parsed = f"{macro}({value})"
    return parsed, _not_a(col, value, words)


class StagingPlan:
    """The SQL that turns one file's cells into the `staged` table."""

    def __init__(self, raw: RawFile, submitted_default: dt.date, month_default: dt.date | None):
        self.raw, self.kind = raw, raw.kind
        self.submitted_default = submitted_default
        self.month_default = month_default

    def _cell(self, name: str) -> str | None:
        position = next((p for p, n in self.raw.column_of.items() if n == name), None)
        return None if position is None else f"c{position}"

    def staging_sql(self) -> str:
        kind, raw = self.kind, self.raw
        width = len(raw.headers)
        text_cols, parsed_cols, problems = [], [], []
        for col in kind.columns:
            cell = self._cell(col.name)
            text_cols.append(f"{cell or 'CAST(NULL AS VARCHAR)'} AS \"t_{col.name}\"")
            t = f'"t_{col.name}"'
            value, bad = _parse(col, t)
            value = self._defaults(col, value, cell)
            parsed_cols.append(f"{value} AS \"{col.name}\"")
            if col.required or (kind is REPAIRS and col.name == "report_month"):
                problems.append(f"CASE WHEN \"{col.name}\" IS NULL AND {t} IS NULL THEN {_lit(col.name + ' is empty')} END")
            if bad:
                problems.append(f"CASE WHEN {t} IS NOT NULL AND \"{col.name}\" IS NULL THEN {bad} END")
            if col.type in (INTEGER, MONEY):
                problems.append(f"CASE WHEN \"{col.name}\" < 0 THEN {_lit(col.name + ' ')} || {t} || ' is negative' END")
        problems += self._row_rules()
        problems.append("CASE WHEN overflow IS NOT NULL THEN 'the row has more values than the header has columns: ' || overflow END")
        extra = raw.extra_positions
        extra_json = ("json_object(" + ", ".join(f"{_lit(self.headers[i])}, c{i}" for i in extra) + ")"
                      if extra else "CAST(NULL AS JSON)")
        any_value = "coalesce(" + ", ".join(f"c{i}" for i in range(width)) + ", overflow)"
        return f"""
            CREATE OR REPLACE TEMP TABLE staged AS
            WITH parsed AS MATERIALIZED (
                SELECT row_no, overflow, {', '.join(text_cols)}, {', '.join(parsed_cols)},
                       {extra_json} AS extra_columns
                FROM clean_cells
                WHERE {any_value} IS NOT NULL
                  AND NOT coalesce(regexp_matches(lower(c0), '{TOTALS_PATTERN}'), false)
            )
            SELECT * EXCLUDE (overflow),
                   list_filter([{', '.join(problems)}], lambda p: p IS NOT NULL) AS problems
            FROM parsed"""

    @property
    def headers(self) -> list[str]:
        """Header cells as written; an empty header cell is named by its position."""
        return [h if h.strip() else f"column {i + 1}" for i, h in enumerate(self.raw.headers)]

    def rejects_sql(self) -> str:
        """Rejected rows with their raw values as written (from the uncleaned cells), for `rejects`."""
        raw_json = "json_object(" + ", ".join(f"{_lit(h)}, r.c{i}" for i, h in enumerate(self.headers)) + ")"
        return f"""
            INSERT INTO rejects
            SELECT ?, ?, ?, s.row_no, array_to_string(s.problems, '; '), {raw_json}
            FROM staged s JOIN raw_cells r USING (row_no)
            WHERE len(s.problems) > 0 ORDER BY s.row_no"""

    def _defaults(self, col: Column, value: str, cell: str | None) -> str:
        """report_month from the file name and submitted_on from the option or load date (spec 2.3)."""
        if self.kind is REPAIRS and col.name == "report_month" and self.month_default:
            return (f"CASE WHEN \"t_report_month\" IS NULL THEN DATE '{self.month_default}' ELSE {value} END"
                    if cell else f"DATE '{self.month_default}'")
        if self.kind is REPAIRS and col.name == "submitted_on":
            return (f"CASE WHEN \"t_submitted_on\" IS NULL THEN DATE '{self.submitted_default}' ELSE {value} END"
                    if cell else f"DATE '{self.submitted_default}'")
        return value

    def _row_rules(self) -> list[str]:
        if self.kind is REPAIRS:
            return ["CASE WHEN arrived_at < requested_at THEN 'arrived_at before requested_at' END",
                    "CASE WHEN completed_at < arrived_at THEN 'completed_at before arrived_at' END",
                    "CASE WHEN completed_at < requested_at THEN 'completed_at before requested_at' END"]
        if self.kind is DEALERS:
            return ["CASE WHEN left_on < joined_on THEN 'left_on before joined_on' END"]
        return []

    def cross_checks_sql(self) -> list[str]:
        """Rules that need other rows or tables: known dealer, loaded repair, duplicate key."""
        kind = self.kind
        statements = []
        if kind is not DEALERS:
            statements.append("""
                UPDATE staged SET problems = list_append(problems, 'unknown dealer ' || dealer_id)
                WHERE dealer_id IS NOT NULL AND dealer_id NOT IN (SELECT dealer_id FROM dealers)""")
        if kind is CALLBACKS:
            statements.append("""
                UPDATE staged SET problems = list_append(problems,
                    'record_no ' || record_no || ' is not a loaded repair of dealer ' || dealer_id)
                WHERE record_no IS NOT NULL AND dealer_id IN (SELECT dealer_id FROM dealers)
                  AND NOT EXISTS (SELECT 1 FROM repairs r
                                  WHERE r.dealer_id = staged.dealer_id AND r.record_no = staged.record_no)""")
        key = ", ".join(kind.key)
        if len(kind.key) == 1 or kind is REPAIRS:
            named = kind.key[-1]
            words = f"'duplicate {named} ' || {named} || ' in file'"
        else:
            words = "'duplicate month ' || strftime(month, '%Y-%m') || ' of dealer ' || dealer_id || ' in file'"
        statements.append(f"""
            UPDATE staged SET problems = [{words}]
            WHERE row_no IN (
                SELECT row_no FROM (
                    SELECT row_no, row_number() OVER (PARTITION BY {key} ORDER BY row_no) AS nth
                    FROM staged WHERE len(problems) = 0)
                WHERE nth > 1)""")
        return statements
