"""The real thing: Streamlit serving the dashboard on a demo database, Debian's Chromium opening every page in
both languages.

Fails on any exception the app shows; saves a full-page screenshot of each page into
tests/screenshots/ for a person to look at. The server and Chromium are shared with
tests/test_browser_personal_data.py (tests/served_app.py, fixtures `dashboard` and `browser`).
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

import i18n
from app.i18n import LANGUAGES, t
from etl.metrics.quality import dealer_link
from page_language import assert_one_language
from served_app import CHROMIUM, SCREENSHOTS, choices_shown

PAGES = {  # name (a page, "@" one of its tabs) -> its address
    "overview": "",
    "overview@breaches": "?section=breaches",  # the Overview's other tabs (issue 14: built when opened)
    "overview@watchlist": "?section=watchlist",
    "overview@regions": "?section=regions",
    "dealers": "dealers",
    "dealers@funnels": "dealers?show=funnels",  # the Dealers page's other tabs
    "dealers@control": "dealers?detail=control",
    "dealers@timeliness": "dealers?detail=timeliness",
    "dealers@records": "dealers?detail=records",
    "dealers@cases": "dealers?detail=cases",
    "award": "award",
    "settlement": "settlement",
    "data": "data",
    "callbacks": "callbacks",
    "explore": "explore",
}
SETTLE_SECONDS = 0.75
# Busy: the app's root says its script is not finished (it changes as soon as the server starts a run) or that the
# connection is not up; the status widget, a spinner or a skeleton is showing.
BUSY = (
    '[data-testid="stApp"]:not([data-test-script-state="notRunning"]), '
    '[data-testid="stApp"]:not([data-test-connection-state="CONNECTED"]), '
    '[data-testid="stStatusWidget"], [data-testid="stSpinner"], [data-testid="stSkeleton"]'
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def app_url(dashboard):
    """The address of the dashboard serving the demo data set (tests/conftest.py)."""
    return dashboard.url


def _wait_until_idle(page, timeout: float = 60) -> None:
    """Wait until the app has not been busy (BUSY) for a moment: the script finished and nothing shows it running."""
    deadline, quiet_since = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        if page.locator(BUSY).count() == 0:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since >= SETTLE_SECONDS:
                return
        else:
            quiet_since = None
        time.sleep(0.1)
    raise TimeoutError("the app was still running after the timeout")


def _screenshot(page, name: str) -> None:
    """A full-page picture: Streamlit scrolls inside its main block, so the window grows to its height first."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": 1440, "height": max(1000, int(height) + 40)})
    _wait_until_idle(page)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _assert_no_error(page) -> None:
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.first.inner_text()
    assert "Traceback" not in page.content()
    assert page.get_by_text("Page not found").count() == 0  # the first visit after a start too (app/serve.py)


def _open(browser, url: str, lang: str):
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN" if lang == "zh" else "en-US")
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("h1", timeout=60_000)
    _wait_until_idle(page)
    page.wait_for_function(
        "document.querySelectorAll('.stVegaLiteChart svg').length > 0 || !document.querySelector('.stVegaLiteChart')",
        timeout=30_000,
    )
    return context, page


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_renders_without_errors(app_url, browser, name, lang):
    address = PAGES[name]
    context, page = _open(browser, f"{app_url}/{address}{'&' if '?' in address else '?'}lang={lang}", lang)
    try:
        _screenshot(page, f"{name.replace('@', '_')}_{lang}")
        _assert_no_error(page)
        assert page.locator("h1").first.inner_text().strip() == t(f"{name.split('@')[0]}.title", lang)
        assert f"lang={lang}" in page.url
        assert_one_language(page, name, lang)  # issue 14: nothing of the other language shows
    finally:
        context.close()


def test_a_what_if_link_opens_with_its_thresholds_and_says_so(app_url, browser):
    context, page = _open(browser, f"{app_url}/award?lang=zh&award.min_satisfaction_rate=0.9", "zh")
    try:
        page.get_by_text(t("what_if.title", "zh")).first.click()
        _wait_until_idle(page)
        _screenshot(page, "award_what_if_zh")
        _assert_no_error(page)
        assert page.get_by_text("假设分析中").count() == 1
        assert "award.min_satisfaction_rate=0.9" in page.url
    finally:
        context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_statistics_sections_show_and_the_watchlist_link_opens_its_dealer(app_url, browser, lang):
    """Issue 6: the Overview's watchlist and region chart, the Dealers page's funnels; a watchlist link, followed,
    opens that dealer's drill-down for the month. Issue 14: the watchlist and the region chart are tabs, built when
    clicked, and the address names the open one."""
    context, page = _open(browser, f"{app_url}/?lang={lang}", lang)
    try:
        assert page.locator(".stVegaLiteChart").count() == 9  # the trends' tab: nothing else built
        for key, section, shows in (
            ("watchlist.title", "watchlist", t("watchlist.month", lang)),
            ("control.region_title", "regions", t("control.region", lang)),
        ):
            page.get_by_role("tab", name=t(key, lang), exact=True).click()
            page.wait_for_url(f"**section={section}**", timeout=30_000)
            _wait_until_idle(page)
            assert page.locator('[data-testid="stSelectbox"]').filter(has_text=shows).count() == 1
        assert page.locator(".stVegaLiteChart").count() == 1  # the region's control chart alone
        _screenshot(page, f"overview_regions_tab_{lang}")
        # the table is drawn on a canvas, so its link is rebuilt here the way the watchlist builds it
        month = dt.date.fromisoformat(page.url.split("to=")[1][:7] + "-01")
        href = f"{dealer_link('JX101', month)}&lang={lang}"
        page.goto(f"{app_url}{href}", wait_until="domcontentloaded")
        page.wait_for_selector("h1", timeout=60_000)
        _wait_until_idle(page)
        assert "dealer=JX101" in page.url and f"from={month:%Y-%m}&to={month:%Y-%m}" in page.url
        assert page.get_by_text(t("funnel.title", lang), exact=True).count() == 1
        assert any(shown.startswith("JX101 · ") for shown in choices_shown(page))  # the drill-down's dealer
        _screenshot(page, f"dealers_from_watchlist_{lang}")
        _assert_no_error(page)
    finally:
        context.close()


def test_an_explore_query_shows_its_table_and_chart(app_url, browser):
    context, page = _open(browser, f"{app_url}/explore?lang=en", "en")
    try:
        page.get_by_role("button", name=t("explore.run", "en")).click()
        page.wait_for_selector('[data-testid="stCaptionContainer"]:has-text(" rows · ")', timeout=60_000)
        _wait_until_idle(page)
        _screenshot(page, "explore_query_en")
        _assert_no_error(page)
    finally:
        context.close()


LAST_MONTH = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _office_workbook(path: Path) -> Path:
    """A dealer's report as offices make it: a hidden sheet of last month's rows first, the month's rows
    on a visible sheet under a title and a two-row header, one bad row, a totals row and a signature."""
    import openpyxl

    month = LAST_MONTH
    book = openpyxl.Workbook()
    hidden = book.active
    hidden.title = "上月"
    hidden.sheet_state = "hidden"
    hidden.append(["维修单号", "经销商编号", "服务类型", "报修时间", "状态"])
    hidden.append(["OLD1", "JX101", "维修", "2020-01-01 09:00", "已完成"])
    sheet = book.create_sheet(f"{month.month}月")
    sheet.append([f"杭州西湖家电服务部 {month.year}年{month.month}月 维修质量信息反馈单"])
    sheet.append(["*维修单号", "经销商编号", "服务类型", "报修日期", "报修时间", "状态", "费用", None])
    sheet.append([None, None, None, None, None, None, "人工费(元)", "配件费（元）"])
    sheet.merge_cells("G2:H2")
    for column in "ABCDEF":
        sheet.merge_cells(f"{column}2:{column}3")
    day = f"{month.month:02d}/05/{month.year}"
    sheet.append(["UP1", "JX101", "维修", day, "09:15", "已完成", 80, 20])
    sheet.append(["UP2", "JX101", "维修", f"{month.month:02d}/13/{month.year}", "14:00", "换机", 60, 0])
    sheet.append(["合计", None, None, None, None, None, 140, 20])
    sheet.append(["制表人：张三"])
    book.save(path)
    return path


def test_the_data_page_checks_an_office_file_before_loading_it(app_url, browser, tmp_path):
    """Issue 10: the preview names the sheet read, the hidden one skipped, the header mapping and the
    row that would be rejected; Load then commits it and offers the dealer's correction sheet."""
    name = f"维修_JX101_{LAST_MONTH:%Y%m}.xlsx"
    workbook = _office_workbook(tmp_path / name)
    context, page = _open(browser, f"{app_url}/data?lang=zh", "zh")
    try:
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(workbook))
        page.wait_for_selector(f"text={t('data.check', 'zh')}", timeout=60_000)
        _wait_until_idle(page)
        page.get_by_text(t("data.check_details", "zh", file=name)).click()
        _wait_until_idle(page)
        _screenshot(page, "data_preview_zh")
        _assert_no_error(page)
        body = page.inner_text("body")
        # the loader's notes in the page's language (issue 12.2): 跳过工作表“上月”：隐藏 ...
        assert i18n.t("load.note_skipped_sheet", "zh", sheet="上月", reason=i18n.t("load.sheet_hidden", "zh")) in body
        two_rows = i18n.t("load.note_two_row_rows", "zh", first=2, second=3)
        assert i18n.t("load.in_sheet", "zh", sheet=f"{LAST_MONTH.month}月", text=two_rows) in body
        assert i18n.ngettext("load.note_after_totals", 1, "zh") in body
        example = f"{LAST_MONTH.month:02d}/05/{LAST_MONTH.year}"
        assert f"写法如 {example} 的日期按{i18n.t('date_order.mdy', 'zh')}读取" in body
        page.get_by_role("button", name=t("data.load", "zh"), exact=True).click()
        page.wait_for_selector(f"text={t('data.results', 'zh')}", timeout=120_000)
        _wait_until_idle(page)
        page.get_by_text(t("data.rejected_rows_of", "zh", file=name)).click()
        _wait_until_idle(page)
        _screenshot(page, "data_loaded_zh")
        _assert_no_error(page)
        assert page.get_by_role("button", name=t("data.correction", "zh")).count() >= 1
    finally:
        context.close()


def test_the_server_logged_no_error(dashboard, browser):
    """Runs after the pages (file order): what the app did not show must not hide in the server's log."""
    log = dashboard.log.read_text(encoding="utf-8")
    assert "Traceback" not in log and "Error" not in log, log
