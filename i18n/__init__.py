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


def t(key: str, lang: str, /, **values) -> str:
    """The message `key` in `lang` (zh or en; anything else: zh), with its {placeholders} filled in."""
    text = _text(key, lang)
    if isinstance(text, tuple):
        raise KeyError(f"{key} is a plural message: use ngettext")
    return text.format(**values) if values else text


def ngettext(key: str, n, lang: str, /, **values) -> str:
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


# --- messages said later: stored as a code and its values, put in words when someone reads them ---------------------

Said = dict  # {"key": ..., "values": {...}} and, for a plural message, "n": the count; values may be Said themselves


class _Later:
    """t and ngettext without a language: the message as data (a key and its values, JSON as it is), kept where it
    is said (the loader's file-level sentences in the load log) and put in words by say() in the reader's language.
    Called as later.t and later.ngettext with the literal key first, as t and ngettext, so `pybabel extract` finds
    the keys."""

    @staticmethod
    def t(key: str, /, **values) -> Said:  # positional: a message may have a {key} of its own
        if not has(key) or is_plural(key):
            raise KeyError(f"{key}: no such message (or a plural one: use later.ngettext)")
        return {"key": key, "values": values}

    @staticmethod
    def ngettext(key: str, n, /, **values) -> Said:
        if not is_plural(key):
            raise KeyError(f"{key}: no such plural message (use later.t)")
        return {"key": key, "n": n, "values": values}


later = _Later()


def is_said(value) -> bool:
    return isinstance(value, dict) and isinstance(value.get("key"), str) and isinstance(value.get("values", {}), dict)


def _said_value(value, lang: str):
    """A value of a message: a message in words, a list of them joined (said.separator), anything else as it is."""
    if is_said(value):
        return say(value, lang)
    if isinstance(value, list):
        return t("said.separator", lang).join(say(item, lang, str(item)) for item in value)
    return value


def say(message: Said | str | None, lang: str, fallback: str = "") -> str:
    """A message of later.t / later.ngettext in `lang`, its values that are messages too; a plain sentence (an older
    load log's) as it is; a key no catalog knows (a newer loader's): `fallback` (the stored English sentence)."""
    if message is None:
        return fallback
    if isinstance(message, str):
        return message
    if not is_said(message) or not has(message["key"]):
        return fallback
    values = {name: _said_value(value, lang) for name, value in message.get("values", {}).items()}
    try:
        if "n" in message:
            return ngettext(message["key"], message["n"], lang, **values)
        return t(message["key"], lang, **values)
    except (KeyError, IndexError, ValueError):  # a message stored with other values than the catalog's now
        return fallback


class SaidError(Exception):
    """An error whose message is a catalog message (later.t): `said` keeps it for a reader of either language
    (say_of(exc, lang): the command line in its language, a page in the page's), str(exc) is its English words (logs,
    tracebacks and the tests that read them). Subclassed with the built-in error it always was (RulesError is still a
    ValueError)."""

    def __init__(self, said: Said | str):
        self.said: Said | str = said
        super().__init__(say(said, "en"))


class Notice(str):
    """A notice's English words (a notify callback receives it as the string it always was) that keep their catalog
    message, `said`, for a reader of another language (say_of(notice, lang))."""

    said: Said | str

    def __new__(cls, said: Said | str) -> Notice:
        notice = super().__new__(cls, say(said, "en"))
        notice.said = said
        return notice


def say_of(thing, lang: str) -> str:
    """An error's or a notice's words in `lang`: its catalog message (`said`: SaidError, Notice, the loader's
    FileRejected) when it keeps one, else its own words (str(thing)) as they are."""
    return say(getattr(thing, "said", None), lang, str(thing))
