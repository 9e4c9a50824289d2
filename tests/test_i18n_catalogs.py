"""Issue 12.2: every word the code asks for is in both gettext catalogs, translated, with the same
placeholders and its plural forms; and every catalog entry is asked for (no stale words).

Keys written literally are found as `pybabel extract` finds them: the test runs it, with the
settings of pyproject.toml [tool.babel.extract_messages]. Keys composed at run time (f"rate.{name}")
cannot be extracted: COMPOSED lists them family by family from the code tables they are composed
from, and LITERAL_CODES the families whose codes the SQL or the loader writes as string literals.
"""

from __future__ import annotations

import ast
import re
import string
from functools import cache
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

import i18n

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [
    path for folder in ("app", "pages", "etl", "i18n", "sampledata") for path in sorted((ROOT / folder).rglob("*.py"))
] + [ROOT / "dashboard.py"]


@cache
def extracted() -> dict[str, bool]:
    """Key -> whether it is used as a plural, as `pybabel extract` (pyproject.toml's settings) finds them."""
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "messages.pot"
        here = os.getcwd()
        os.chdir(ROOT)
        try:
            CommandLineInterface().run(["pybabel", "-q", "extract", "-o", str(out)])
        finally:
            os.chdir(here)
        with out.open("rb") as handle:
            template = read_po(handle)
    return {
        message.id[0] if message.pluralizable else message.id: message.pluralizable
        for message in template
        if message.id
    }


def _page_names() -> list[str]:
    """dashboard.PAGES' names (the module runs the app when imported, so it is read, not imported)."""
    tree = ast.parse((ROOT / "dashboard.py").read_text(encoding="utf-8"))
    pages = next(
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and any(getattr(target, "id", None) == "PAGES" for target in node.targets)
    )
    return [name for _, name, _ in ast.literal_eval(pages)]


def _specs() -> list:
    """Every table spec of app.tables (a list of (column, kind) pairs), the record lists' included."""
    from app import tables

    specs = [
        value
        for value in vars(tables).values()
        if isinstance(value, list) and value and all(isinstance(item, tuple) and len(item) == 2 for item in value)
    ]
    return specs + list(tables.RECORDS.values())


@cache
def composed() -> dict[str, list[str]]:
    """Each family of keys composed at run time -> its keys, from the code tables they are made of."""
    from app import charts, data, excel, months, stats_text, tables, what_if
    from etl import audit, load, read
    from etl.metrics import operations, quality
    from etl.metrics.definitions import COUNTS, MET, NOT_DEMONSTRABLE, NOT_MET, RATES
    from etl.metrics.drilldown import AWARD_CRITERIA, RECORD_LISTS
    from etl.reject_reasons import DATE_ORDERS, REASONS
    from etl.schema import KINDS

    rates = [rate.name for rate in RATES]
    columns = {column for spec in _specs() for column, _ in spec}
    columns |= set(stats_text.WATCHLIST_TABLE) | set(excel.CALL_LIST_CONTEXT) | {c for c, _ in charts.DEDUCTIONS}
    columns |= {c for row in tables.SETTLEMENT_TILES for c in row if c != "dealers"}
    columns |= set(tables.PIVOT_DIMENSIONS) | set(rates) | set(COUNTS)  # the Explore pivot
    columns |= {f"{rate}_{end}" for rate in rates for end in ("low", "high")}  # Wilson intervals
    columns |= set(tables.INTERVAL_ENDS)  # beside the rate they bound (the Dealers ranking)
    shown_as_codes = {column for spec in _specs() for column, kind in spec if kind == "code"}
    choices = {
        value
        for kind in KINDS
        for column in kind.columns
        if column.name in shown_as_codes
        for value in column.choices.values()
    }  # area_type, status ...
    return {
        "rate.": rates,
        "definition.": rates,
        "col.": sorted(columns),
        "code.": sorted(choices | {MET, NOT_MET, NOT_DEMONSTRABLE} | {kind.name for kind in KINDS}),  # file kinds
        "records.": list(RECORD_LISTS),
        "award.criterion.": list(AWARD_CRITERIA),
        "award.short.": list(AWARD_CRITERIA),
        "what_if.": list(what_if.AWARD_THRESHOLDS),
        "settlement.help.": [c for row in tables.SETTLEMENT_TILES for c in row if c != "dealers"],
        "question.": list(operations.CALLBACK_QUESTIONS),
        "control.method.": list(data.CHART_METHODS),
        "control.label.": list(stats_text.CHART_LABELS),
        "watchlist.reason.": list(quality.WATCHLIST_REASONS),
        "filters.preset.": list(months.PRESETS),
        "attention.signal.": list(quality.ATTENTION_SIGNALS),
        "conduct.": list(operations.CONDUCT_CODES.values()),
        "explore.kind.": list(charts.QUICK_KINDS),
        "reject.": list(REASONS),
        "date_order.": list(DATE_ORDERS),
        "": [f"{name}.title" for name in _page_names()],
        "audit.event.": list(audit.EVENTS),
        "load.step.": list(load.STEPS),  # the step a failed load was in (etl/load.py)
        "load.note_delimiter.": list(read.DELIMITER_WORDS.values()),
    }


# Families whose codes come out of SQL or the loader as string literals: the code of key <prefix><code>
# must be written, quoted, in one of these files.
LITERAL_CODES = {
    "code.": [
        "etl/metrics/drilldown.py",  # report status: on_time, late, missing, not_due, no_contract
        "etl/metrics/views.sql",  # request_source: repair_record, hotline_ticket
        "etl/load.py",
        "etl/preview.py",
    ],  # load status: loaded, rejected, already_loaded, would_load
    "answer.": ["etl/metrics/operations.py"],  # yes, no, blank
    "control.beyond.": ["etl/metrics/stats.py"],  # above, below
    "control.run.": ["etl/metrics/stats.py"],
    "control.chart.": ["etl/metrics/stats.py"],  # p, laney
    "funnel.": ["etl/metrics/quality.py"],  # positions: high, low, within
    "explore.kind_": ["etl/explore.py"],  # table, view
    "explore.refused.": ["etl/explore.py"],  # QueryRefused codes, the sandbox's replies included
}


@cache
def _quoted(files: tuple[str, ...]) -> set[str]:
    text = "\n".join((ROOT / name).read_text(encoding="utf-8") for name in files)
    return set(re.findall(r"""['"]([a-z_ ]+)['"]""", text))


def _literal_code_used(key: str) -> bool:
    return any(
        key.startswith(prefix) and key[len(prefix) :] in _quoted(tuple(files))
        for prefix, files in LITERAL_CODES.items()
    )


def used_keys() -> set[str]:
    return set(extracted()) | {prefix + name for prefix, names in composed().items() for name in names}


def _forms(lang: str) -> dict[str, tuple[str, ...]]:
    return {
        message.id[0] if message.pluralizable else message.id: tuple(message.string)
        if message.pluralizable
        else (message.string,)
        for message in i18n.read_catalog(lang)
        if message.id
    }


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_pybabel_extract_finds_the_literal_keys():
    found = extracted()
    assert "overview.title" in found and found["award.reason.notices"] is True
    # Every literal key a call names, wherever it sits (an f-string, another call's argument), is extracted:
    # write it where pybabel can see it (t("key") outside f-strings, N_("key") where a variable carries it).
    pattern = re.compile(r"""\b(?:t|ngettext|N_)\(\s*["']([a-z][a-z0-9_.]*)["']""")
    literal = {key for path in SOURCES for key in pattern.findall(path.read_text(encoding="utf-8"))}
    assert not sorted(literal - set(found))


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_key_used_is_translated(lang):
    catalog = i18n.read_catalog(lang)
    forms = _forms(lang)
    missing = sorted(key for key in used_keys() if key not in forms)
    empty = sorted(key for key, texts in forms.items() if not all(text.strip() for text in texts))
    fuzzy = sorted(str(message.id) for message in catalog if message.id and message.fuzzy)
    assert (missing, empty, fuzzy) == ([], [], [])
    assert not catalog.fuzzy and catalog.locale_identifier == lang


def test_no_stale_entries():
    """An entry no code asks for, literally or through a family of composed keys, is a stale word."""
    used = used_keys()
    for lang in i18n.LANGUAGES:
        stale = sorted(key for key in _forms(lang) if key not in used and not _literal_code_used(key))
        assert not stale, (lang, stale)
    assert set(_forms("zh")) == set(_forms("en"))


def test_placeholders_are_the_same_in_every_language_and_form():
    zh, en = _forms("zh"), _forms("en")
    differ = sorted(
        key for key in zh if key in en and len({frozenset(_fields(text)) for text in zh[key] + en[key]}) != 1
    )
    assert not differ


def test_plural_entries_have_every_form_of_their_language():
    found = extracted()
    for lang in i18n.LANGUAGES:
        catalog = i18n.read_catalog(lang)
        assert catalog.num_plurals == {"zh": 1, "en": 2}[lang]
        plural = {message.id[0]: message for message in catalog if message.id and message.pluralizable}
        assert {key for key, is_plural in found.items() if is_plural} == set(plural), lang
        for key, message in plural.items():
            assert message.id == (key, key), (lang, key)  # the key is msgid and msgid_plural
            assert len(message.string) == catalog.num_plurals and all(message.string), (lang, key)
    assert i18n.ngettext("award.reason.notices", 1, "en", year=2025) == "1 media or regulator notice in 2025"
    assert i18n.ngettext("award.reason.notices", 2, "en", year=2025) == "2 media or regulator notices in 2025"
    assert i18n.ngettext("award.reason.notices", 1, "zh", year=2025) == "2025 年有 1 次媒体曝光或监管通报"


def test_reject_reasons_use_only_the_fields_the_sql_macro_fills():
    """The English reject reasons become the SQL macro qc_reason: {col}, {value} and {detail} only."""
    for lang in i18n.LANGUAGES:
        for key, texts in _forms(lang).items():
            if key.startswith("reject.") and key != "reject.separator":
                assert _fields(texts[0]) <= {"col", "value", "detail"}, (lang, key)


def test_a_missing_key_fails_loudly_and_an_unknown_language_reads_chinese():
    with pytest.raises(KeyError):
        i18n.t("no.such.key", "en")
    with pytest.raises(KeyError):
        i18n.t("award.reason.notices", "en")  # a plural message asks for ngettext
    assert i18n.t("overview.title", "fr") == i18n.t("overview.title", "zh") == "概览"
