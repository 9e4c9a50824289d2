"""Every UI string exists in both languages, and every key the code asks for is in the dictionary."""

import re
import string
from pathlib import Path

from app import i18n, tables, what_if
from etl.metrics.definitions import RATES
from etl.metrics.drilldown import AWARD_CRITERIA, RECORD_LISTS

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "app").glob("*.py")) + sorted((ROOT / "pages").glob("*.py")) + [ROOT / "dashboard.py"]


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_string_has_both_languages_with_the_same_placeholders():
    broken = [
        key
        for key, texts in i18n.STRINGS.items()
        if not (texts["zh"].strip() and texts["en"].strip()) or _fields(texts["zh"]) != _fields(texts["en"])
    ]
    assert not broken


def test_every_literal_key_in_the_code_exists():
    used = set()
    for source in SOURCES:
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_.]+)["']""", source.read_text(encoding="utf-8")))
    assert used and not used - set(i18n.STRINGS)


def test_every_composed_key_exists():
    composed = (
        [f"rate.{r.name}" for r in RATES]
        + [f"definition.{r.name}" for r in RATES]
        + [f"records.{name}" for name in RECORD_LISTS]
        + [f"award.criterion.{c}" for c in AWARD_CRITERIA]
        + [f"what_if.{key}" for key in what_if.AWARD_THRESHOLDS]
        + [f"{page}.title" for page in ("overview", "dealers", "award", "settlement")]
        + [
            f"settlement.help.{c}"
            for c in ("fee_base", "missing_deduction", "fake_penalty", "complaint_deduction", "net_fee")
        ]
    )
    specs = [
        tables.RANKING,
        tables.BREACHES,
        tables.TIMELINESS,
        tables.AWARD,
        tables.SETTLEMENT,
        *tables.RECORDS.values(),
    ]
    composed += [f"col.{column}" for spec in specs for column, _ in spec]
    assert not [key for key in composed if key not in i18n.STRINGS]


def test_headers_of_a_table_are_distinct_in_both_languages():
    for spec in [tables.RANKING, tables.AWARD, tables.SETTLEMENT, *tables.RECORDS.values()]:
        for lang in i18n.LANGUAGES:
            names = list(tables.headers(spec, lang).values())
            assert len(names) == len(set(names)), (lang, names)


def test_unknown_codes_show_as_they_are():
    assert i18n.code("urban", "zh") == "市区"
    assert i18n.code("something_new", "zh") == "something_new"
