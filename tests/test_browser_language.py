"""Issue 14's one-language check (tests/page_language.py), which tests/test_browser.py runs on every page it
renders in both languages: here, that the check itself catches a leak."""

from __future__ import annotations

from app import i18n
from page_language import _distinctive


def test_the_distinctive_texts_catch_a_leak():
    """The check itself: a catalog sentence of either language is found on a page of the other."""
    zh, en = _distinctive("zh"), _distinctive("en")
    assert i18n.t("filters.preset.last_12_months", "zh") in zh and "Last 12 months" in en
    assert i18n.t("conduct.no_shoe_covers", "zh") in zh
    assert not zh & en
