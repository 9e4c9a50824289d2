"""Issue 14, in Chromium on the demo data set: the sidebar's months slider moves by keyboard and by mouse, its
presets set the span, and the span is in the address bar; pages without months draw no slider; the sidebar
names the rules file without the server's folders. Shares the server and Chromium of tests/test_browser.py."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest

from app.i18n import t
from served_app import CHROMIUM
from test_browser import _assert_no_error, _open, _wait_until_idle

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"),
]

SLIDER = '[data-testid="stSidebar"] [data-testid="stSlider"]'


def _span_in_url(page) -> tuple[str, str]:
    found = re.search(r"from=(\d{4}-\d{2})&to=(\d{4}-\d{2})", page.url)
    assert found, page.url
    return found.group(1), found.group(2)


def _span_becomes(page, wanted, timeout: float = 20) -> tuple[str, str]:
    """The span in the address bar once `wanted(span)` holds (or the last one seen, for the assertion to show):
    a slider sends its value after a pause, so the app may still look idle the moment a key is pressed."""
    deadline = time.monotonic() + timeout
    while True:
        span = _span_in_url(page)
        if wanted(span) or time.monotonic() > deadline:
            return span
        time.sleep(0.2)
        _wait_until_idle(page)


def _shift(month: str, months: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:]) - 1 + months
    return f"{index // 12}-{index % 12 + 1:02d}"


def _thumbs(page) -> list[str]:
    return page.locator(f"{SLIDER} [data-testid='stSliderThumbValue']").all_inner_texts()


def test_the_months_slider_moves_by_keyboard_and_mouse_and_the_url_follows(dashboard, browser):
    context, page = _open(browser, f"{dashboard.url}/?lang=en", "en")
    try:
        first, last = _span_in_url(page)
        assert (first, _thumbs(page)) == (_shift(last, -11), [first, last])  # the last 12 months at first
        start = page.locator(f"{SLIDER} input[type=range]").first
        start.focus()
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("ArrowLeft")
        wanted = (_shift(last, -13), last)
        assert _span_becomes(page, lambda span: span == wanted) == wanted
        assert _thumbs(page) == [_shift(last, -13), last]
        # drag the start thumb to the right: a later start, the end unchanged
        thumb = page.locator(f"{SLIDER} [data-testid='stSliderThumbValue']").first.bounding_box()
        y = thumb["y"] + thumb["height"] + 12
        page.mouse.move(thumb["x"] + thumb["width"] / 2, y)
        page.mouse.down()
        page.mouse.move(thumb["x"] + thumb["width"] / 2 + 60, y, steps=6)
        page.mouse.up()
        dragged, end = _span_becomes(page, lambda span: span != wanted)
        assert dragged > _shift(last, -13) and end == last
        assert _thumbs(page) == [dragged, last]
        # the span survives a page switch and shows in the page's caption
        page.get_by_role("link", name=t("dealers.title", "en")).first.click()
        _wait_until_idle(page)
        assert _span_becomes(page, lambda span: span == (dragged, last)) == (dragged, last)
        _assert_no_error(page)
    finally:
        context.close()


def test_a_months_preset_sets_the_span(dashboard, browser):
    today = dt.date.today()
    context, page = _open(browser, f"{dashboard.url}/?lang=zh", "zh")
    try:
        _, last = _span_in_url(page)
        preset = page.get_by_role("radio", name=t("filters.preset.last_year", "zh"), exact=True)
        preset.click()
        year = (f"{today.year - 1}-01", f"{today.year - 1}-12")
        assert _span_becomes(page, lambda span: span == year) == year
        assert preset.get_attribute("aria-checked") == "true"  # the preset that matches the span shows
        assert _thumbs(page) == [f"{today.year - 1}-01", f"{today.year - 1}-12"]
        page.get_by_role("radio", name=t("filters.preset.last_12_months", "zh"), exact=True).click()
        twelve = (_shift(last, -11), last)
        assert _span_becomes(page, lambda span: span == twelve) == twelve
        _assert_no_error(page)
    finally:
        context.close()


@pytest.mark.parametrize("name", ["award", "settlement"])
def test_award_and_settlement_draw_no_months_filter_and_keep_the_span_in_the_link(dashboard, browser, name):
    context, page = _open(browser, f"{dashboard.url}/{name}?lang=en&from=2025-03&to=2025-08", "en")
    try:
        assert page.locator(SLIDER).count() == 0
        assert page.get_by_role("radio", name=t("filters.preset.last_year", "en")).count() == 0
        assert "from=2025-03&to=2025-08" in page.url
        sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
        assert "rules.toml" in sidebar and "/rules.toml" not in sidebar
        assert str(dashboard.database.parent) not in sidebar
        _assert_no_error(page)
    finally:
        context.close()


def test_the_award_criteria_fit_1440_px_and_a_what_if_counts_the_dealers_it_changes(dashboard, browser):
    """Issue 14: value, threshold and ✓ / ✗ / ? of every criterion without scrolling sideways at 1440 px; under a
    what-if the page counts the dealers whose eligibility changes (counted here from the metric layer)."""
    from etl.db import reader
    from etl.metrics.award import award_ranked
    from etl.rules import load_rules

    context, page = _open(browser, f"{dashboard.url}/award?lang=en&award.min_satisfaction_rate=0.9", "en")
    try:
        _assert_no_error(page)
        year, as_of = int(re.search(r"year=(\d{4})", page.url).group(1)), dt.date.today()
        base, what_if = load_rules(), load_rules().with_overrides({"award.min_satisfaction_rate": 0.9})
        eligible = []
        for rules in (base, what_if):
            with reader(dashboard.database, rules) as con:
                frame = award_ranked(con, year, as_of)
            eligible.append(dict(zip(frame["dealer_id"], frame["eligible"].astype(bool))))
        moved = sum(eligible[0][d] != eligible[1][d] for d in eligible[1])
        assert moved > 0
        assert page.get_by_text(t("award.what_if_changed", "en", count=moved)).count() == 1
        sizes = page.evaluate(
            "() => { const s = document.querySelector('[data-testid=stDataFrame] .dvn-scroller');"
            " return [s.scrollWidth, s.clientWidth]; }"
        )
        assert sizes[0] <= sizes[1] + 1, sizes  # no horizontal scroll bar
    finally:
        context.close()
