"""Issue 14, in Chromium on the demo data set: a dealer id clicked in a table (Settlement, then Dealers) opens that
dealer's drill-down under the same filters; the wide tables (Settlement, Dealers, the Overview's breaches and
watchlist, the Cases queue and a case's records, the Callbacks page's, the Data page's load history) fit 1440 px
without a sideways scroll bar; at 800 px the sidebar is folded away, no tile's label or figure is cut off and the
trend panels' titles and month labels do not overlap. Shares the server and Chromium of tests/test_browser.py (few
page visits: each costs seconds)."""

from __future__ import annotations

import re
import time

import pytest

from app import links
from app.i18n import LANGUAGES, t
from served_app import CHROMIUM, SCREENSHOTS, choices_shown
from test_browser import _assert_no_error, _open, _wait_until_idle

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"),
]

GRID = '[data-testid="stDataFrame"]'
ROW_PX = 35  # a table's header and each row (Streamlit's default row height)
# Every table drawn on the page (one in a closed expander is not): its header, scroll width and visible width.
GRIDS_JS = """() => [...document.querySelectorAll('[data-testid="stDataFrame"]')]
  .filter(grid => grid.querySelector('.dvn-scroller') && !grid.closest('details:not([open])'))
  .map(grid => { const s = grid.querySelector('.dvn-scroller');
                 const first = grid.querySelector('th');
                 return [first ? first.innerText : '', s.scrollWidth, s.clientWidth]; })"""
# Any part of a tile's metric (label, value, change) whose text is wider than its box: cut off or ended by "…".
CUT_METRICS_JS = """() => [...document.querySelectorAll('[data-testid="stMetric"], [data-testid="stMetric"] *')]
  .filter(e => e instanceof HTMLElement && e.offsetParent !== null && e.textContent.trim()
               && e.scrollWidth > e.clientWidth + 1)
  .map(e => [e.getAttribute('data-testid') || e.tagName, e.textContent.slice(0, 40), e.scrollWidth, e.clientWidth])"""
# The monthly trends (the Overview's first nine charts): their titles and axis labels as rectangles; pairs that
# overlap, within a panel or across panels, and panels wider than their column.
TREND_OVERLAPS_JS = """() => {
  const charts = [...document.querySelectorAll('.stVegaLiteChart')].slice(0, 9);
  const box = e => { const r = e.getBoundingClientRect(); return {text: e.textContent, l: r.left, r: r.right,
                                                                   t: r.top, b: r.bottom}; };
  const titles = charts.flatMap(c => [...c.querySelectorAll('.role-title-text text')]).map(box);
  const labels = charts.flatMap(c => [...c.querySelectorAll('.role-axis-label text')]).map(box)
    .filter(b => b.r > b.l);
  const meet = (a, b) => a.l < b.r - 1 && b.l < a.r - 1 && a.t < b.b - 1 && b.t < a.b - 1;
  const found = [];
  titles.forEach((a, i) => { labels.concat(titles.slice(i + 1)).forEach(b => {
    if (meet(a, b)) found.push([a.text, b.text]); }); });
  charts.forEach(c => { const svg = c.querySelector('svg');
    if (svg && svg.getBoundingClientRect().width > c.parentElement.getBoundingClientRect().width + 1)
      found.push(['too wide', svg.getBoundingClientRect().width]); });
  return [titles.length, labels.length, found];
}"""


def _fit(page, first: int | None = None) -> list:
    """The tables drawn (the `first` ones), each [header of its first column, scroll width, visible width]; asserts
    none scrolls sideways (as the Award page's test in test_browser_filters.py). Waits (30 s at most) for every
    header to be drawn."""
    deadline = time.monotonic() + 30
    grids = page.evaluate(GRIDS_JS)[:first]
    # A table is drawn in steps: on a loaded machine its header row can still be empty for a moment (CI saw it).
    while any(not header for header, _, _ in grids) and time.monotonic() < deadline:
        time.sleep(0.2)
        grids = page.evaluate(GRIDS_JS)[:first]
    for header, scroll_width, client_width in grids:
        assert scroll_width <= client_width + 1, (header, scroll_width, client_width)
    return grids


def _open_dealer(context, page, grid: int, row: int):
    """Click the dealer id (first column) of a table's row: the drill-down opens in a new tab. Returns the dealer
    the cell links (its address, from the table's accessible copy of the cells) and the new tab."""
    table = page.locator(GRID).nth(grid)
    table.scroll_into_view_if_needed()
    address = table.locator(f'[data-testid="glide-cell-0-{row}"]').inner_text()
    box = table.bounding_box()
    x, y = box["x"] + 20, box["y"] + ROW_PX * (row + 1) + ROW_PX / 2
    page.mouse.move(x, y)
    with context.expect_page() as opened:
        page.mouse.click(x, y)
    tab = opened.value
    tab.wait_for_selector("h1", timeout=120_000)
    _wait_until_idle(tab, 120)  # the Dealers page draws funnels and control charts: slow on a loaded machine
    return links.dealer_of(address), tab


def _drill_down_shows(tab, dealer: str, lang: str) -> None:
    _assert_no_error(tab)
    assert tab.locator("h1").first.inner_text().strip() == t("dealers.title", lang)
    assert re.search(rf"[?&]dealer={dealer}(&|$)", tab.url), tab.url
    assert any(shown.startswith(f"{dealer} · ") for shown in choices_shown(tab))  # the drill-down's dealer choice


def test_a_dealer_id_clicked_in_a_table_opens_its_drill_down_and_the_tables_fit_1440_px(dashboard, browser):
    context, page = _open(browser, f"{dashboard.url}/settlement?lang=zh&region=华东", "zh")
    try:
        _assert_no_error(page)
        year = re.search(r"year=(\d{4})", page.url).group(1)
        assert [grid[0] for grid in _fit(page)] == [t("col.dealer_id", "zh")]  # settlement (every column: expander)
        dealer, tab = _open_dealer(context, page, 0, 0)
        _drill_down_shows(tab, dealer, "zh")
        # the drill-down opens on the settlement's year and the same filters, in the same language
        assert f"from={year}-01&to={year}-12" in tab.url and "region=%E5%8D%8E%E4%B8%9C" in tab.url, tab.url
        assert "lang=zh" in tab.url
        # the Dealers page: its ranking fits, and the second dealer in it opens its own drill-down
        ranking = _fit(tab)
        assert ranking and ranking[0][0] == t("col.dealer_id", "zh")
        second, other = _open_dealer(context, tab, 0, 1)
        _drill_down_shows(other, second, "zh")
        SCREENSHOTS.mkdir(exist_ok=True)
        other.screenshot(path=str(SCREENSHOTS / "dealer_link_opened_zh.png"))
    finally:
        context.close()


def test_the_overviews_and_the_cases_tables_fit_1440_px(dashboard, browser):
    context, page = _open(browser, f"{dashboard.url}/?lang=en&section=breaches", "en")
    try:
        _assert_no_error(page)
        breaches = [] if page.get_by_text(t("overview.no_breaches", "en")).count() else [t("col.dealer_id", "en")]
        assert [grid[0] for grid in _fit(page)] == breaches  # their counts: in the expander
        page.goto(f"{dashboard.url}/?lang=en&section=watchlist", wait_until="domcontentloaded")
        page.wait_for_selector("h1", timeout=120_000)
        _wait_until_idle(page, 120)
        watch_month = page.locator('[data-testid="stSelectbox"]').filter(has_text=t("watchlist.month", "en"))
        quiet = page.get_by_text(t("watchlist.none", "en", month=watch_month.inner_text().split("\n")[-1])).count()
        assert [grid[0] for grid in _fit(page)] == ([] if quiet else [t("col.link", "en")])
        page.goto(f"{dashboard.url}/cases?lang=zh", wait_until="domcontentloaded")
        page.wait_for_selector("h1", timeout=120_000)
        _wait_until_idle(page, 120)
        _assert_no_error(page)
        # the queue (overdue (逾期) beside the status, every column in view), the first case's records and history
        grids = _fit(page)
        if page.get_by_text(t("cases.no_records", "zh")).count():  # a case no repair record is behind
            grids.insert(1, [t("col.record_no", "zh"), 0, 978])
        queue, records, history = grids
        assert queue[2] >= 900 and records[2] >= 900 and history[2] >= 900  # one under the other, full width
        assert records[0] == t("col.record_no", "zh") and history[0] == t("col.changed_at", "zh")
        headers = page.locator(GRID).first.locator("th").all_inner_texts()
        assert t("col.overdue", "zh") in headers and t("col.dealer_id", "zh") in headers
        # the Callbacks page's tables (by dealer: every column in its expander) and the Data page's load history
        for path, lang, first_header in (
            ("callbacks", "en", t("col.dealer_id", "en")),
            ("data", "zh", t("col.load_id", "zh")),
        ):
            page.goto(f"{dashboard.url}/{path}?lang={lang}", wait_until="domcontentloaded")
            page.wait_for_selector("h1", timeout=120_000)
            _wait_until_idle(page, 120)
            _assert_no_error(page)
            grids = _fit(page)
            assert grids and grids[0][0] == first_header and grids[0][2] >= 900, (path, grids)
    finally:
        context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_at_800_px_the_sidebar_folds_and_no_tile_or_trend_is_cut_or_overlaps(dashboard, browser, lang):
    context = browser.new_context(viewport={"width": 800, "height": 1000}, locale="zh-CN" if lang == "zh" else "en-US")
    page = context.new_page()
    try:
        page.goto(f"{dashboard.url}/?lang={lang}", wait_until="domcontentloaded")
        page.wait_for_selector("h1", timeout=120_000)
        _wait_until_idle(page, 120)
        page.wait_for_function(
            "document.querySelectorAll('.stVegaLiteChart .role-title-text text').length >= 9", timeout=30_000
        )
        _assert_no_error(page)
        sidebar = page.locator('[data-testid="stSidebar"]')
        page.wait_for_function(
            "document.querySelector('[data-testid=\"stSidebar\"]').getAttribute('data-collapsed') === 'true'",
            timeout=10_000,
        )
        assert sidebar.bounding_box()["x"] + sidebar.bounding_box()["width"] <= 1  # out of sight
        assert page.locator('[data-testid="stMetric"]').count() >= 9  # the rate tiles
        assert page.evaluate(CUT_METRICS_JS) == []
        titles, labels, overlaps = page.evaluate(TREND_OVERLAPS_JS)
        assert titles == 9 and labels > 9 and overlaps == []
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"overview_800_{lang}.png"), full_page=True)
        # the person may open the sidebar again: it stays open
        page.locator(
            '[data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapsedControl"] button'
        ).first.click()
        _wait_until_idle(page)
        assert sidebar.get_attribute("data-collapsed") == "false"
    finally:
        context.close()
