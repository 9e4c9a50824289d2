"""Every word people read, in gettext catalogs: one .po file per language, read with Babel at import.

    locale/zh/LC_MESSAGES/messages.po   Chinese, the dashboard's default language
    locale/en/LC_MESSAGES/messages.po   English

The pages (app/, pages/), the award reasons and watchlist details (etl/wording.py), the reject
reasons (etl/reject_reasons.py), the Excel exports and the correction sheet (etl/corrections.py),
and through them the command line, take their words from here. The metric layer (etl/metrics)
returns codes and numbers only.

Message ids are stable dotted keys, not source sentences: t("overview.title", lang), and each
catalog, English included, translates every key. A plural message (ngettext) has its key as both
msgid and msgid_plural, and as many msgstr[i] forms as its catalog's Plural-Forms header says
(zh: 1, en: 2); the header's C expression picks the form. Placeholders are str.format fields
({name}), the same in every language and every form.

`pybabel extract` (settings: pyproject.toml, [tool.babel.extract_messages]; mapping: babel.cfg)
finds the literal keys of t("..."), ngettext("...", n, ...) and N_("..."). Keys composed at run
time (f"rate.{name}") are enumerated from their code tables by tests/test_i18n_catalogs.py, which
fails on a missing, empty, stale or mismatched entry. No compiled .mo files are used or kept.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

LANGUAGES = ("zh", "en")  # the first is the default
DOMAIN = "messages"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(lang: str) -> Catalog:
    """The catalog of `lang` as Babel reads it (header, plural forms, flags and all)."""
    with catalog_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang, domain=DOMAIN)


def _texts(catalog: Catalog) -> dict[str, str | tuple[str, ...]]:
    """key -> text, or key -> (form 0, form 1, ...) for a plural message."""
    texts: dict[str, str | tuple[str, ...]] = {}
    for message in catalog:
        key, text = message.id, message.string
        if isinstance(key, list | tuple):  # a plural: ids (singular, plural), one text per form
            texts[key[0]] = tuple(text or ())
        elif key:
            assert isinstance(text, str), key  # a message without plural forms has one text
            texts[key] = text
    return texts


CATALOGS: dict[str, Catalog] = {lang: read_catalog(lang) for lang in LANGUAGES}
_MESSAGES: dict[str, dict[str, str | tuple[str, ...]]] = {lang: _texts(catalog) for lang, catalog in CATALOGS.items()}
_PLURAL: dict[str, Callable[[int], int]] = {
    lang: gettext.c2py(catalog.plural_expr) for lang, catalog in CATALOGS.items()
}


def _language(lang: str) -> str:
    return lang if lang in LANGUAGES else LANGUAGES[0]


def _text(key: str, lang: str):
    text = _MESSAGES[_language(lang)][key]
    if not text:
        raise KeyError(f"{key}: no {lang} translation")
    return text


def t(key: str, lang: str, **values) -> str:
    """The message `key` in `lang` (zh or en; anything else: zh), with its {placeholders} filled in."""
    text = _text(key, lang)
    if isinstance(text, tuple):
        raise KeyError(f"{key} is a plural message: use ngettext")
    return text.format(**values) if values else text


def ngettext(key: str, n, lang: str, **values) -> str:
    """The plural message `key` in `lang`, in the form its catalog's Plural-Forms picks for n; {n} is n."""
    forms = _text(key, lang)
    if not isinstance(forms, tuple):
        raise KeyError(f"{key} is not a plural message: use t")
    try:  # a count that is not a whole number takes the form of 0 (the plural in zh and en)
        count = int(n) if float(n).is_integer() else 0
    except (TypeError, ValueError, OverflowError):
        count = 0
    form = forms[min(_PLURAL[_language(lang)](abs(count)), len(forms) - 1)]
    return form.format(n=n, **values)


def N_(key: str) -> str:
    """Marks a literal key for `pybabel extract` where the call to t() takes it from a variable."""
    return key


def has(key: str) -> bool:
    """Whether `key` is a message (of the default language's catalog: the test keeps the others alike)."""
    return key in _MESSAGES[LANGUAGES[0]]


def is_plural(key: str) -> bool:
    return isinstance(_MESSAGES[LANGUAGES[0]].get(key), tuple)


def keys() -> list[str]:
    """Every key, in the default language's catalog order."""
    return list(_MESSAGES[LANGUAGES[0]])
