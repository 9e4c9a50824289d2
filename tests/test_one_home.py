"""Issue 12: every rate is defined once, in etl/metrics/definitions.py, and the dashboard only shows it.

Two checks that fail when someone defines a rate a second time: every rate column a page shows
(the table specs of app/tables.py, the record lists' included) is a rate of the definitions or a
column the named queries make with a rate's generated macro; and no module under app/ or pages/
divides counts (an AST scan), nor any SQL outside the generated macros divides by a denominator.
"""

import ast
import re
from pathlib import Path

import pytest

from app import tables
from etl.metrics import named
from etl.metrics.definitions import COUNTS, OTHER_RATES, RATES, rule_sql
from etl.metrics.views import VIEWS_SQL

ROOT = Path(__file__).resolve().parent.parent
RATE_KINDS = ("percent", "per_mille")
ALL_RATES = RATES + OTHER_RATES
# Columns holding counts: what a rate's numerator or denominator is made of.
COUNT_COLUMNS = set(COUNTS) | {name for rate in ALL_RATES for name in (rate.numerator, rate.denominator)}
RATE_COLUMNS = {f"{rate.name}{end}" for rate in ALL_RATES for end in ("", "_low", "_high")}


def _sql_texts() -> dict[str, str]:
    """views.sql and every named query, by name."""
    return {"views.sql": VIEWS_SQL.read_text(encoding="utf-8")} | {name: named.text(name) for name in named.names()}


def _balanced_call(name: str) -> str:
    """A regex for name( ... ) with up to two levels of parentheses nested inside (sum(count(*)))."""
    inner = r"\((?:[^()]|\([^()]*\))*\)"
    return rf"\b{name}\((?:[^()]|{inner})*\)"


def columns_from_definitions() -> dict[str, str]:
    """Column -> the rate it comes from, as the named queries and views.sql make them: `rate_<name>...(...)
    AS column` (the generated macros) or the rate's threshold `rule('...') AS column`."""
    found = {column: column.removesuffix("_low").removesuffix("_high") for column in RATE_COLUMNS}
    for text in _sql_texts().values():
        for rate in ALL_RATES:
            for macro in (rate.macro, f"{rate.macro}_low", f"{rate.macro}_high"):
                for column in re.findall(_balanced_call(macro) + r"\s+AS\s+(\w+)", text):
                    found[column] = rate.name
            if rate.threshold:
                for column in re.findall(re.escape(rule_sql(rate.threshold)) + r"\s+AS\s+(\w+)", text):
                    found[column] = rate.name
    return found


def _specs() -> dict[str, list]:
    specs = {
        name: value
        for name, value in vars(tables).items()
        if isinstance(value, list) and value and all(isinstance(item, tuple) and len(item) == 2 for item in value)
    }
    return specs | {f"RECORDS[{name}]": spec for name, spec in tables.RECORDS.items()}


def test_every_rate_column_a_page_shows_comes_from_the_definitions():
    known = columns_from_definitions()
    shown = {(spec_name, column) for spec_name, spec in _specs().items() for column, kind in spec if kind in RATE_KINDS}
    assert shown, "no rate column found in app/tables.py: the test would prove nothing"
    strays = sorted((spec_name, column) for spec_name, column in shown if column not in known)
    assert not strays, f"rate columns not made from etl/metrics/definitions.py: {strays}"
    # and each is shown in its rate's unit
    for spec_name, spec in _specs().items():
        for column, kind in spec:
            if kind in RATE_KINDS:
                rate = next(r for r in ALL_RATES if r.name == known[column])
                assert kind == ("per_mille" if rate.scale == 1000 else "percent"), (spec_name, column, kind)


def test_the_award_and_the_callbacks_page_take_their_rates_from_the_macros():
    known = columns_from_definitions()
    assert {
        "complaints_per_1000_sales_high",
        "satisfaction_low",
        "satisfaction_high",
        "report_rate",
        "complaints_threshold",
        "satisfaction_threshold",
        "report_threshold",
        "share",
    } <= set(known)
    assert known["satisfaction_low"] == "satisfaction_rate" and known["share"] == "answer_share"


def test_no_sql_outside_the_generated_macros_divides_by_a_denominator():
    """A rate written by hand in SQL: CAST(x AS DOUBLE) / ..., or a division by nullif(n, 0) or a count."""
    pattern = re.compile(
        r"AS DOUBLE\)\s*(\*\s*\d+\s*)?/|/\s*nullif\(|/\s*(sum\()?\s*(count\(|"
        + "|".join(sorted(COUNT_COLUMNS, key=len, reverse=True))
        + r")\b"
    )
    for name, text in _sql_texts().items():
        code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
        assert not pattern.search(code), f"{name} computes a rate by hand: {pattern.search(code).group(0)!r}"


# --- no rate is computed under app/ or pages/ ----------------------------------------------------------


def _names_in(node: ast.AST) -> set[str]:
    """Column names an expression refers to: frame["x"], row.x, x."""
    found = set()
    for child in ast.walk(node):
        if _is_column_key(child):
            found.add(child.slice.value)
        elif isinstance(child, ast.Attribute):
            found.add(child.attr)
        elif isinstance(child, ast.Name):
            found.add(child.id)
    return found


def _is_column_key(node: ast.AST) -> bool:
    """frame["column"]: a subscript by a string."""
    key = node.slice if isinstance(node, ast.Subscript) else None
    return isinstance(key, ast.Constant) and isinstance(key.value, str)


def _column_keys(node: ast.AST) -> int:
    return sum(_is_column_key(c) for c in ast.walk(node))


def rate_computations(source: str) -> list[str]:
    """Where code computes a rate: a division involving a count column or between two columns of a
    frame, pandas' div/truediv, or an assignment to a rate's column."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Div, ast.FloorDiv)):
            counts = (_names_in(node.left) | _names_in(node.right)) & COUNT_COLUMNS
            if counts or (_column_keys(node.left) and _column_keys(node.right)):
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("div", "truediv", "rdiv", "rtruediv", "floordiv")
        ):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if (
                    isinstance(target, ast.Subscript)
                    and isinstance(target.slice, ast.Constant)
                    and target.slice.value in RATE_COLUMNS
                ):
                    found.append(f"line {node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "assign":
            found += [f"line {node.lineno}: {ast.unparse(node)}" for k in node.keywords if k.arg in RATE_COLUMNS]
    return found


@pytest.mark.parametrize(
    "snippet",
    [
        'frame["complaints"] / frame["services"]',
        "row.satisfied / row.callbacks_answered",
        "misses / requests",
        'totals["a"] / totals["b"]',
        'frame["complaints"].sum() / len(frame)',
        'frame["x"].div(frame["y"])',
        'frame["miss_rate"] = frame["misses"]',
        "frame.assign(satisfaction_rate=1)",
    ],
)
def test_the_scan_finds_a_rate_computed_by_hand(snippet):
    assert rate_computations(snippet)


@pytest.mark.parametrize(
    "snippet", ["done / total", "share / 100", "math.ceil(len(rates) / columns)", 'points["denominator"].min() / 1.5']
)
def test_the_scan_leaves_other_arithmetic_alone(snippet):
    assert not rate_computations(snippet)


def test_no_module_under_app_or_pages_computes_a_rate():
    files = sorted((ROOT / "app").glob("*.py")) + sorted((ROOT / "pages").glob("*.py")) + [ROOT / "dashboard.py"]
    assert len(files) > 10
    found = {
        str(path.relative_to(ROOT)): hits
        for path in files
        if (hits := rate_computations(path.read_text(encoding="utf-8")))
    }
    assert not found, f"rates computed outside the metric layer: {found}"
