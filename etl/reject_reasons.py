"""Why a row was rejected, in English and in Chinese: the one catalog of reject reasons.

The validator (etl/validate.py) records each problem of a row as a struct
{code, col, value, detail, detail_zh}; the English sentence stored in `rejects.reason` is
rendered from it in SQL by the macro this module generates, and the correction sheet a dealer's
clerk gets (etl/corrections.py) renders the same struct in Chinese or English here in Python.
A new reason is one line below.
"""
from __future__ import annotations

import json
import re

from etl.schema import KIND_BY_NAME

# code -> (English, Chinese). {col}: the column (its Chinese header in Chinese), {value}: the value
# as written, {detail}: the code's extra words (detail_zh in Chinese, when given).
REASONS: dict[str, tuple[str, str]] = {
    "empty": ("{col} is empty", "{col}为空（必填项）"),
    "not_integer": ('{col} "{value}" is not a whole number', "{col}“{value}”不是整数"),
    "not_money": ('{col} "{value}" is not an amount', "{col}“{value}”不是金额"),
    "not_date": ('{col} "{value}" is not a date', "{col}“{value}”不是有效的日期"),
    "not_datetime": ('{col} "{value}" is not a date and time', "{col}“{value}”不是有效的日期时间"),
    "not_month": ('{col} "{value}" is not a month', "{col}“{value}”不是有效的月份"),
    "not_boolean": ('{col} "{value}" is not yes or no', "{col}“{value}”不是“是/否”"),
    "not_satisfaction": ('{col} "{value}" is not a known answer',
                         "{col}“{value}”不是可识别的满意度（1–5，或 非常满意/满意/一般/不满意/非常不满意）"),
    "not_choice": ('{col} "{value}" is not one of {detail}', "{col}“{value}”不是可选值之一：{detail}"),
    "negative": ("{col} {value} is negative", "{col} {value} 为负数"),
    "before": ("{col} before {detail}", "{col}早于{detail}"),
    "cell_too_long": ("{col} is {value} characters long, more than the {detail} a cell may hold",
                      "{col}长度为 {value} 个字符，超过单元格上限 {detail} 个字符"),
    "too_many_values": ("the row has more values than the header has columns: {value}",
                        "该行的值比表头的列多：{value}"),
    "unknown_dealer": ("unknown dealer {value}", "经销商编号 {value} 不在经销商档案中"),
    "no_repair": ("record_no {value} is not a loaded repair of dealer {detail}",
                  "维修单号 {value} 不是经销商 {detail} 已导入的维修记录"),
    "duplicate": ("duplicate {col} {value} in file", "文件中{col} {value} 重复"),
    "duplicate_month": ("duplicate month {value} of dealer {detail} in file",
                        "文件中经销商 {detail} 的月份 {value} 重复"),
    "date_outside": ('{col} "{value}" is outside the accepted dates {detail}',
                     "{col}“{value}”超出可接受的日期范围 {detail}"),
    "date_order": ('{col} "{value}" is not a date when read {detail}, the order of this file\'s dates',
                   "{col}“{value}”按本文件的日期顺序（{detail}）不是有效日期"),
    "request_too_early": ('{col} "{value}" is more than {detail}', "{col}“{value}”早于{detail}"),
    "request_too_late": ('{col} "{value}" is after the end of its report month {detail}',
                         "{col}“{value}”晚于报表月份 {detail} 的月末"),
    "submitted_before_month": ('{col} "{value}" is before its report month {detail}',
                               "{col}“{value}”早于其报表月份 {detail}"),
    "submitted_future": ('{col} "{value}" is after the load date {detail}', "{col}“{value}”晚于导入日期 {detail}"),
}

# Date orders of spellings such as 03/01/2025 (issue 10), in the sequence they are preferred.
DATE_ORDERS: dict[str, tuple[str, str]] = {
    "ymd": ("year/month/day", "年/月/日"),
    "mdy": ("month/day/year", "月/日/年"),
    "dmy": ("day/month/year", "日/月/年"),
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
    whens = " ".join(f"WHEN {_lit(code)} THEN {_template_sql(en)}" for code, (en, _) in REASONS.items())
    return f"CREATE OR REPLACE TEMP MACRO qc_reason(p) AS CASE p.code {whens} ELSE p.code END"


def problem_sql(code: str, col: str | None = None, value: str = "NULL", detail: str = "NULL",
                detail_zh: str = "NULL") -> str:
    """SQL for one problem struct; value/detail are SQL expressions, col a column name."""
    if code not in REASONS:
        raise KeyError(code)
    column = _lit(col) if col else "NULL"
    return (f"struct_pack(code := {_lit(code)}, col := CAST({column} AS VARCHAR), "
            f"value := CAST({value} AS VARCHAR), detail := CAST({detail} AS VARCHAR), "
            f"detail_zh := CAST({detail_zh} AS VARCHAR))")


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
    en, zh = REASONS.get(problem.get("code"), ("{col} {value}", "{col} {value}"))
    template = zh if lang == "zh" else en
    detail = problem.get("detail_zh") if lang == "zh" and problem.get("detail_zh") else problem.get("detail")
    if lang == "zh" and problem.get("code") == "before":
        detail = _column_words(kind_name, detail, lang)
    return template.format(col=_column_words(kind_name, problem.get("col"), lang),
                           value=problem.get("value") or "", detail=detail or "")


def render_all(problems_json: str | list | None, kind_name: str | None, lang: str = "en") -> str:
    """Every problem of a row, joined as rejects.reason joins them."""
    problems = json.loads(problems_json) if isinstance(problems_json, str) else (problems_json or [])
    separator = "；" if lang == "zh" else "; "
    return separator.join(render(p, kind_name, lang) for p in problems)
