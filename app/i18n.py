"""The dashboard's words: the gettext catalogs of the `i18n` package (locale/<lang>/LC_MESSAGES/messages.po).

t(key, lang, **values) and ngettext(key, n, lang, **values) come from there; STRINGS is every
singular message as {key: {"zh": ..., "en": ...}}, for code that asks whether a key exists. Rate
names are the catalog's rate.<name> entries, so a rate reads the same on every page, in the
exports and in the reasons. No Streamlit here: charts and Excel files use it too.
"""

from __future__ import annotations

from i18n import LANGUAGES, N_, has, is_plural, keys, ngettext, say_of, t

__all__ = ["LANGUAGES", "LANGUAGE_NAMES", "N_", "STRINGS", "code", "has", "ngettext", "say_of", "t"]

LANGUAGE_NAMES = {lang: t("language.name", lang) for lang in LANGUAGES}
STRINGS: dict[str, dict[str, str]] = {
    key: {lang: t(key, lang) for lang in LANGUAGES} for key in keys() if not is_plural(key)
}


def code(value, lang: str) -> str:
    """A value stored in the data (urban, completed, on_time ...) in words; an unknown one as it is."""
    key = f"code.{value}"
    return t(key, lang) if has(key) else str(value)
