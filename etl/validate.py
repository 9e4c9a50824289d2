"""Validate and normalise a file's text cells in DuckDB SQL: parse every spelling, give every bad
row a reason a person understands.

The SQL is generated from etl/schema.py, so each type is parsed by one macro (etl/parse_macros)
and each rule is written once. Input: the relation `raw_cells` (c0..cN, overflow, row_no).
Output: the temp table `staged`, one row per data row with typed columns and `problems`,
a list of reasons (empty for a good row).
"""
from __future__ import annotations

import datetime as dt

from etl.read import RawFile
from etl.schema import (BOOLEAN, CALLBACKS, CHOICE, DATE, DATETIME, DEALERS, FALSE_SPELLINGS,
                        INTEGER, MONEY, MONTH, REPAIRS, SATISFACTION, SATISFACTION_LABELS,
                        TRUE_SPELLINGS, Column, Kind)

_FULL = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000\u00a0\uffe5\u2014"
_HALF = "".join(chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)) + "  ¥-"
DATETIME_FORMATS = [
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S.%f", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
    "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日%H:%M", "%Y年%m月%d日",
    "%Y年%m月%d日 %H时%M分", "%Y.%m.%d %H:%M", "%Y.%m.%d", "%Y%m%d",
]
TOTALS_PATTERN = r"^(合计|总计|total)"


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _list(values) -> str:
    return "[" + ", ".join(_lit(v) for v in values) + "]"


def parse_macros() -> list[str]:
    """One SQL macro per input type: the single definition of what each spelling means."""
    return [
        f"CREATE OR REPLACE TEMP MACRO qc_clean(s) AS "
        f"nullif(trim(translate(CAST(s AS VARCHAR), {_lit(_FULL)}, {_lit(_HALF)}), ' \t\r\n'), '')",
        # Excel serial days since 1899-12-30, with a time fraction; years 1927-2199 only.
        "CREATE OR REPLACE TEMP MACRO qc_serial(s) AS CASE "
        "WHEN regexp_full_match(s, '\\d{5,6}(\\.\\d+)?') AND TRY_CAST(s AS DOUBLE) BETWEEN 10000 AND 109572 "
        "THEN TIMESTAMP '1899-12-30' + to_seconds(CAST(round(TRY_CAST(s AS DOUBLE) * 86400) AS BIGINT)) END",
        f"CREATE OR REPLACE TEMP MACRO qc_timestamp(s) AS "
        f"coalesce(qc_serial(s), try_strptime(s, {_list(DATETIME_FORMATS)}))",
        "CREATE OR REPLACE TEMP MACRO qc_make_month(y, m) AS CASE "
        "WHEN TRY_CAST(m AS INTEGER) BETWEEN 1 AND 12 AND TRY_CAST(y AS INTEGER) BETWEEN 1900 AND 2199 "
        "THEN make_date(TRY_CAST(y AS INTEGER), TRY_CAST(m AS INTEGER), 1) END",
        "CREATE OR REPLACE TEMP MACRO qc_month(s) AS CASE "
        "WHEN regexp_full_match(s, '\\d{4}\\s*[-/.年]\\s*\\d{1,2}\\s*月?') "
        "THEN qc_make_month(regexp_extract(s, '^(\\d{4})', 1), regexp_extract(s, '^\\d{4}\\s*[-/.年]\\s*(\\d{1,2})', 1)) "
        "WHEN regexp_full_match(s, '\\d{6}') THEN qc_make_month(left(s, 4), right(s, 2)) "
        "ELSE CAST(date_trunc('month', qc_timestamp(s)) AS DATE) END",
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
    DATE: ("CAST(qc_timestamp({}) AS DATE)", "a date"),
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
    parsed = macro.format(value) if "{}" in macro else f"{macro}({value})"
    return parsed, _not_a(col, value, words)


class StagingPlan:
    """The SQL that turns one file's cells into the `staged` table."""

    def __init__(self, raw: RawFile, submitted_default: dt.date, month_default: dt.date | None):
        self.raw, self.kind = raw, raw.kind
        self.submitted_default = submitted_default
        self.month_default = month_default

    def _cell(self, name: str) -> str | None:
        position = next((p for p, n in self.raw.column_of.items() if n == name), None)
        return None if position is None else f"qc_clean(c{position})"

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
        headers = [h if h.strip() else f"column {i + 1}" for i, h in enumerate(raw.headers)]
        raw_json = "json_object(" + ", ".join(f"{_lit(h)}, c{i}" for i, h in enumerate(headers)) + ")"
        extra = raw.extra_positions
        extra_json = ("json_object(" + ", ".join(f"{_lit(headers[i])}, qc_clean(c{i})" for i in extra) + ")"
                      if extra else "CAST(NULL AS JSON)")
        blank = " AND ".join(f"qc_clean(c{i}) IS NULL" for i in range(width)) or "true"
        first_cell = "lower(qc_clean(c0))"
        return f"""
            CREATE OR REPLACE TEMP TABLE staged AS
            WITH cleaned AS (
                SELECT row_no, overflow, {', '.join(text_cols)},
                       {raw_json} AS raw_values, {extra_json} AS extra_columns
                FROM raw_cells
                WHERE NOT ({blank})
                  AND NOT coalesce(regexp_matches({first_cell}, '{TOTALS_PATTERN}'), false)
            ), parsed AS (
                SELECT *, {', '.join(parsed_cols)} FROM cleaned
            )
            SELECT * EXCLUDE (overflow),
                   list_filter([{', '.join(problems)}], lambda p: p IS NOT NULL) AS problems
            FROM parsed"""

    def _defaults(self, col: Column, value: str, cell: str | None) -> str:
        """report_month from the file name and submitted_on from the option or load date (spec 2.3)."""
        if self.kind is REPAIRS and col.name == "report_month" and self.month_default:
            return f"coalesce({value}, DATE '{self.month_default}')" if cell else f"DATE '{self.month_default}'"
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
