"""Why a row was rejected: the codes of reject reasons, their words in the catalogs (i18n: reject.<code>).

The validator (etl/validate.py) records each problem of a row as a struct
{code, col, value, detail, detail_zh}; the English sentence stored in `rejects.reason` is
rendered from it in SQL by the macro this module generates from the English catalog, and the
correction sheet a dealer's clerk gets (etl/corrections.py) and the Data page render the same
struct in Chinese or English here in Python. A new reason is a code below and a reject.<code>
message in each catalog.
"""

from __future__ import annotations

import json
import re

from etl.schema import KIND_BY_NAME
from i18n import t

# Each code's message reject.<code>: {col} the column (its Chinese header in Chinese), {value} the
# value as written, {detail} the code's extra words (detail_zh in Chinese, when given).
REASONS: tuple[str, ...] = (
    "empty",
    "not_integer",
    "not_money",
    "not_date",
    "not_datetime",
    "not_month",
    "not_boolean",
    "not_satisfaction",
    "not_choice",
    "negative",
    "before",
    "cell_too_long",
    "too_many_values",
    "unknown_dealer",
    "no_repair",
    "duplicate",
    "duplicate_month",
    "date_outside",
    "date_order",
    "request_too_early",
    "request_too_late",
    "submitted_before_month",
    "submitted_future",
)
UNKNOWN = "{col} {value}"  # a code no catalog knows (a newer loader's): its column and value

# Date orders of spellings such as 03/01/2025 (issue 10), in the sequence they are preferred:
# order -> (English, Chinese) words, stored in problems' detail and detail_zh (catalog: date_order.<order>).
DATE_ORDERS: dict[str, tuple[str, str]] = {
    order: (t(f"date_order.{order}", "en"), t(f"date_order.{order}", "zh")) for order in ("ymd", "mdy", "dmy")
}


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _template_sql(template: str) -> str:
    """'{col} is empty' -> coalesce(p.col, '') || ' is empty'."""
    parts = []
    for piece in re.split(r"(\{col\}|\{value\}|\{detail\})", template):
        if piece in ("{col}", "{value}", "{detail}"):
            parts.append(f"coalesce(p.{piece[1:-1]}, '')")
        elif piece:
            parts.append(_lit(piece))
    return " || ".join(parts)


def reason_macro_sql() -> str:
    """The macro qc_reason(p): a problem struct as the English sentence stored in rejects.reason."""
    whens = " ".join(f"WHEN {_lit(code)} THEN {_template_sql(t(f'reject.{code}', 'en'))}" for code in REASONS)
    return f"CREATE OR REPLACE TEMP MACRO qc_reason(p) AS CASE p.code {whens} ELSE p.code END"


def problem_sql(
    code: str, col: str | None = None, value: str = "NULL", detail: str = "NULL", detail_zh: str = "NULL"
) -> str:
    """SQL for one problem struct; value/detail are SQL expressions, col a column name."""
    if code not in REASONS:
        raise KeyError(code)
    column = _lit(col) if col else "NULL"
    return (
        f"struct_pack(code := {_lit(code)}, col := CAST({column} AS VARCHAR), "
        f"value := CAST({value} AS VARCHAR), detail := CAST({detail} AS VARCHAR), "
        f"detail_zh := CAST({detail_zh} AS VARCHAR))"
    )


def _column_words(kind_name: str | None, column: str | None, lang: str) -> str:
    if not column:
        return ""
    kind = KIND_BY_NAME.get(kind_name or "")
    if lang == "zh" and kind is not None:
        try:
            return kind.column(column).chinese
        except StopIteration:
            return column
    return column


def render(problem: dict, kind_name: str | None, lang: str = "en") -> str:
    """One problem struct as a sentence in `lang` ("zh" or "en")."""
    template = t(f"reject.{problem['code']}", lang) if problem.get("code") in REASONS else UNKNOWN
    detail = problem.get("detail_zh") if lang == "zh" and problem.get("detail_zh") else problem.get("detail")
    if lang == "zh" and problem.get("code") == "before":
        detail = _column_words(kind_name, detail, lang)
    return template.format(
        col=_column_words(kind_name, problem.get("col"), lang), value=problem.get("value") or "", detail=detail or ""
    )


def render_all(problems_json: str | list | None, kind_name: str | None, lang: str = "en") -> str:
    """Every problem of a row, joined as rejects.reason joins them."""
    problems = json.loads(problems_json) if isinstance(problems_json, str) else (problems_json or [])
    return t("reject.separator", lang).join(render(p, kind_name, lang) for p in problems)
