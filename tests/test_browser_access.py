"""Issue 15 in the real browser: a dashboard with users, served as run.sh serves it, attacked by a regional manager.

The small database of tests/test_pages_apptest.py: D1 一号服务部 (华东) with repairs R1-R5, D2 二号服务部 (华南) with
S1. The manager of 华东 opens a link to another region's dealer, signs in, downloads the ranking, and writes
`SELECT * FROM repairs` and a file read in Explore: nothing of D2 reaches the screen or a file, every download is
in the audit trail, and the Audit page is not in the navigation.
"""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest

import test_pages_apptest
from app import signin
from app.i18n import t
from etl import audit
from etl.users import User, hash_password, save_users
from served_app import CHROMIUM, SCREENSHOTS, choices_shown, serving
from test_browser import _assert_no_error, _wait_until_idle

PASSWORD = "correct horse battery"
WAIT = 120  # seconds: a page's first run on a busy 2-core machine (6 test sessions at once) may take a minute

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def served(tmp_path_factory, warehouse_templates):
    from conftest import Warehouse

    folder = tmp_path_factory.mktemp("access_browser")
    wh = Warehouse(folder)
    warehouse_templates.copy_into(wh, test_pages_apptest._load_small_db)
    users = folder / "users.toml"
    hashed = hash_password(PASSWORD, 10)
    save_users(
        users,
        {
            "east": User("east", "regional", regions=("华东",), password=hashed),
            "south": User("south", "regional", regions=("华南",), password=hashed),
            "ana": User("ana", "analyst", password=hashed),
            "boss": User("boss", "admin", password=hashed),  # never signs in: a forged token names it
            "d1": User("d1", "dealer", dealer_ids=("D1",), password=hashed),
            "calls": User("calls", "callcenter", regions=("华东",), password=hashed),
        },
    )
    env = {"SERVICE_QC_USERS": str(users), "SERVICE_QC_AUDIT": str(folder / "audit.sqlite")}
    with serving(wh.path, SCREENSHOTS / "streamlit-access.log", env) as url:
        yield url, folder


def _sign_in(page, name: str, lang: str = "en") -> None:
    page.wait_for_selector(f"h1:has-text('{t('access.title', lang)}')", timeout=WAIT * 1000)
    page.get_by_role("textbox", name=t("access.name", lang)).fill(name)
    page.get_by_role("textbox", name=t("access.password", lang)).fill(PASSWORD)
    page.get_by_role("button", name=t("access.signin", lang)).click()


def _open(page, url: str, title: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector(f"h1:has-text('{title}')", timeout=WAIT * 1000)
    _wait_until_idle(page, WAIT)


def _download(page, button_name: str, last: bool = False) -> tuple[str, bytes]:
    with page.expect_download(timeout=WAIT * 1000) as info:
        buttons = page.get_by_role("button", name=button_name)
        (buttons.last if last else buttons.first).click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def _cells(data: bytes) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row if cell.value is not None]


def test_a_regional_manager_cannot_reach_another_regions_dealers(served, browser):
    url, folder = served
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="en-US", accept_downloads=True)
    page = context.new_page()
    try:
        # a link to another region's dealer, opened without signing in: the sign-in form and nothing else
        page.goto(f"{url}/dealers?lang=en&dealer=D2&region=华南", wait_until="domcontentloaded")
        page.wait_for_selector("h1", timeout=WAIT * 1000)
        _wait_until_idle(page, WAIT)
        assert page.locator("h1").first.inner_text().strip() == t("access.title", "en")
        assert page.locator('[data-testid="stDataFrame"], [data-testid="stMetric"]').count() == 0
        page.get_by_role("textbox", name=t("access.name", "en")).fill("east")
        page.get_by_role("textbox", name=t("access.password", "en")).fill(PASSWORD)
        page.get_by_role("button", name=t("access.signin", "en")).click()
        page.wait_for_selector(f"h1:has-text('{t('dealers.title', 'en')}')", timeout=WAIT * 1000)
        _wait_until_idle(page, WAIT)
        _assert_no_error(page)
        page.screenshot(path=str(SCREENSHOTS / "access_regional_dealers_en.png"))
        assert any(shown.startswith("D1 · ") for shown in choices_shown(page))  # the drill-down: D1's
        assert page.get_by_text("Regions: 华东 · Provinces: 浙江").count() == 1  # not "all"
        assert "二号服务部" not in page.content() and "D2 · " not in page.content()
        nav = page.locator('[data-testid="stSidebarNav"]')
        assert nav.get_by_text(t("explore.title", "en")).count() == 1
        assert nav.get_by_text(t("audit.title", "en")).count() == 0

        name, data = _download(page, t("download", "en"))  # the ranking, with its filters sheet
        cells = _cells(data)
        assert "D1" in cells and "一号服务部" in cells and "D2" not in cells and "二号服务部" not in cells

        nav.get_by_text(t("explore.title", "en")).click()
        page.wait_for_selector(f"h1:has-text('{t('explore.title', 'en')}')", timeout=WAIT * 1000)
        _wait_until_idle(page, WAIT)
        editor = page.get_by_label(t("explore.sql", "en"))

        def run(sql: str) -> None:
            editor.fill(sql)
            editor.blur()
            page.get_by_role("button", name=t("explore.run", "en")).click()
            _wait_until_idle(page, WAIT)

        run(f"SELECT * FROM read_text('{folder / 'users.toml'}')")  # the users file itself
        refused = t("explore.refused.forbidden", "en", detail="").rstrip(": ")
        page.wait_for_selector(f'[data-testid="stAlert"]:has-text("{refused}")', timeout=WAIT * 1000)
        assert "argon2" not in page.content()
        run("SELECT * FROM repairs")
        page.wait_for_selector('[data-testid="stCaptionContainer"]:has-text(" rows · ")', timeout=WAIT * 1000)
        name, data = _download(page, t("explore.csv", "en"))
        lines = data.decode("utf-8-sig").splitlines()
        assert sorted(line.split(",")[0] for line in lines[1:]) == ["R1", "R2", "R3", "R4", "R5"]  # not S1
        page.screenshot(path=str(SCREENSHOTS / "access_regional_explore_en.png"))
        _assert_no_error(page)
    finally:
        context.close()
    events = audit.events(folder / "audit.sqlite", user_name="east")
    assert events["event"].tolist() == ["export", "export", "signin_ok"]
    exports = [json.loads(detail) for detail in events.loc[events["event"] == "export", "detail"]]
    assert [(e["what"], e["masked"], e["dealers"]) for e in exports] == [("query.csv", True, 1), ("dealers", True, 1)]


def _token(context) -> str | None:
    return next((c["value"] for c in context.cookies() if c["name"] == signin.COOKIE), None)


def test_a_sign_in_survives_a_reload_and_a_new_tab_until_sign_out(served, browser):
    """Point 1 of the lead's list: a reload or a new tab keeps the user and their scope; a changed token, and the
    token of a signed-out session, are refused."""
    url, folder = served
    signed_as = t("access.signed_in_as", "en", name="south", role=t("role.regional", "en"))
    dealers = t("dealers.title", "en")
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="en-US")
    try:
        page = context.new_page()
        page.goto(f"{url}/dealers?lang=en", wait_until="domcontentloaded")
        _sign_in(page, "south")
        page.wait_for_selector(f"h1:has-text('{dealers}')", timeout=WAIT * 1000)
        page.wait_for_function(f"document.cookie.includes('{signin.COOKIE}=')", timeout=30_000)
        token = _token(context)
        assert token and PASSWORD not in token and "south" not in token  # the name only inside the signed payload

        def south_signed_in(tab) -> None:
            _wait_until_idle(tab, WAIT)
            _assert_no_error(tab)
            assert tab.get_by_text(signed_as).count() == 1
            nav = tab.locator('[data-testid="stSidebarNav"]')  # the resumed user's navigation from the first run
            assert nav.get_by_text(t("explore.title", "en")).count() == 1
            assert nav.get_by_text(t("audit.title", "en")).count() == 0
            assert any(shown.startswith("D2 · ") for shown in choices_shown(tab))  # the drill-down of 华南's one dealer
            assert "一号服务部" not in tab.content() and "D1 · " not in tab.content()

        second = context.new_page()  # a new tab of the same browser
        _open(second, f"{url}/dealers?lang=en", dealers)
        south_signed_in(second)
        second.reload(wait_until="domcontentloaded")  # F5
        second.wait_for_selector(f"h1:has-text('{dealers}')", timeout=WAIT * 1000)
        south_signed_in(second)
        second.screenshot(path=str(SCREENSHOTS / "access_reload_signed_in_en.png"))

        # a token changed to name another user (an admin, who sees every region) is refused
        body, _, signature = token.partition(".")
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        forged = base64.urlsafe_b64encode(json.dumps({**payload, "u": "boss"}).encode()).decode().rstrip("=")
        stranger = browser.new_context(locale="en-US")
        try:
            stranger.add_cookies([{"name": signin.COOKIE, "value": f"{forged}.{signature}", "url": url}])
            tab = stranger.new_page()
            _open(tab, f"{url}/overview?lang=en", t("access.title", "en"))
            assert tab.locator('[data-testid="stMetric"], [data-testid="stDataFrame"]').count() == 0
            tab.wait_for_function(f"!document.cookie.includes('{signin.COOKIE}=')", timeout=30_000)  # cleared

            # sign-out in the tab that signed in: the cookie it set is cleared, a reload asks again, and the
            # other tab's session ends at its next page run (here: a click in its navigation)
            page.bring_to_front()  # Chromium slows the timers of a tab in the background
            page.get_by_role("button", name=t("access.signout", "en")).click()
            page.wait_for_selector(f"h1:has-text('{t('access.title', 'en')}')", timeout=WAIT * 1000)
            page.wait_for_function(f"!document.cookie.includes('{signin.COOKIE}=')", timeout=30_000)
            page.reload(wait_until="domcontentloaded")
            page.wait_for_selector(f"h1:has-text('{t('access.title', 'en')}')", timeout=WAIT * 1000)
            second.bring_to_front()
            second.locator('[data-testid="stSidebarNav"]').get_by_text(t("overview.title", "en")).click()
            second.wait_for_selector(f"h1:has-text('{t('access.title', 'en')}')", timeout=WAIT * 1000)
            assert second.locator('[data-testid="stMetric"]').count() == 0
            # the signed-out session's own token, put back by hand, is void too
            stranger.add_cookies([{"name": signin.COOKIE, "value": token, "url": url}])
            _open(tab, f"{url}/dealers?lang=en", t("access.title", "en"))
            assert "二号服务部" not in tab.content()
        finally:
            stranger.close()
    finally:
        context.close()
    events = audit.events(folder / "audit.sqlite", user_name="south")
    details = [json.loads(detail) for detail in events["detail"]]
    assert events["event"].tolist() == ["session_refused", "signout", "session_resumed", "session_resumed", "signin_ok"]
    assert {detail["sid"] for detail in details} == {details[-1]["sid"]}  # one session throughout
    assert details[0]["reason"] == "signed_out"
    refused = audit.events(folder / "audit.sqlite", user_name="(token)")
    assert [json.loads(detail)["reason"] for detail in refused["detail"]] == ["signature"]
    assert audit.events(folder / "audit.sqlite", user_name="boss").empty  # the forged name never signed in


# --- the other roles, attacked as the regional manager is above (point 6 of the issue) ------------------------------

D2_TRACES = ("D2", "二号服务部", "S1", "孙八", "13500004444")  # D2 (华南), its one repair and that customer


def _traces_of_d2(text: str) -> list[str]:
    """D2's id, name, repair or customer as whole words in the text (a page's visible text, a file's cells)."""
    return [trace for trace in D2_TRACES if re.search(rf"(?<![0-9A-Za-z]){re.escape(trace)}(?![0-9A-Za-z])", text)]


def _refused_here(page, url: str, lang: str) -> None:
    """A page the role may not see, opened by its URL: the refusal in the page's language, nothing of the page."""
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector(f'[data-testid="stAlert"]:has-text("{t("access.refused", lang)}")', timeout=WAIT * 1000)
    _wait_until_idle(page, WAIT)
    assert page.get_by_text("Page not found").count() == 0  # not Streamlit's dialog over the role's first page
    assert page.locator('[data-testid="stMetric"], [data-testid="stDataFrame"], h1').count() == 0
    assert not _traces_of_d2(page.inner_text("body")) and "一号服务部" not in page.inner_text("body")


def test_a_dealer_sees_only_itself_and_a_forbidden_page_says_so(served, browser):
    """A dealer's user (D1) follows a drill-down link to D2, downloads its ranking and opens the Overview by
    its URL, in Chinese: only D1's rows, and "您无权访问此页面" on the page it may not see (the call center's test
    opens Explore so)."""
    url, folder = served
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(f"{url}/dealers?lang=zh&dealer=D2&region=华南", wait_until="domcontentloaded")
        _sign_in(page, "d1", "zh")
        page.wait_for_selector(f"h1:has-text('{t('dealers.title', 'zh')}')", timeout=WAIT * 1000)
        _wait_until_idle(page, WAIT)
        _assert_no_error(page)
        assert any(shown.startswith("D1 · ") for shown in choices_shown(page))  # D1, not the D2 of the link
        assert not _traces_of_d2(page.inner_text("body"))
        nav = page.locator('[data-testid="stSidebarNav"]')
        assert nav.get_by_text(t("overview.title", "zh")).count() == 0
        _, data = _download(page, t("download", "zh"))
        cells = _cells(data)
        assert "D1" in cells and "一号服务部" in cells and not _traces_of_d2("\n".join(cells))

        _refused_here(page, f"{url}/overview?lang=zh&region=华南", "zh")
        page.screenshot(path=str(SCREENSHOTS / "access_dealer_refused_zh.png"))
    finally:
        context.close()
    events = audit.events(folder / "audit.sqlite", user_name="d1")
    # the goto loads the page anew: a new session, resumed from the sign-in cookie, then refused
    assert events["event"].tolist() == ["page_refused", "session_resumed", "export", "signin_ok"]
    assert json.loads(events["detail"][0])["page"] == "overview"


def test_the_call_center_downloads_only_its_regions_call_list(served, browser):
    """The call center of 华东 opens a link to the callbacks of 华南 with March's whole list drawn: the list and its
    unmasked download hold D1's March repairs (R1-R4; R5 is April's), nothing of D2."""
    url, folder = served
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="en-US", accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(
            f"{url}/callbacks?lang=en&region=华南&dealer=D2&cb_month=2025-03&cb_share=100",
            wait_until="domcontentloaded",
        )
        _sign_in(page, "calls")
        page.wait_for_selector(f"h1:has-text('{t('callbacks.title', 'en')}')", timeout=WAIT * 1000)
        _wait_until_idle(page, WAIT)
        _assert_no_error(page)
        assert not _traces_of_d2(page.inner_text("body"))
        _, data = _download(page, t("callbacks.download", "en"))
        book = openpyxl.load_workbook(io.BytesIO(data))
        sheet = book.worksheets[0]
        rows = [[str(cell) if cell is not None else "" for cell in row] for row in sheet.iter_rows(values_only=True)]
        cells = {cell for row in rows for cell in row}
        assert {"R1", "R2", "R3", "R4"} <= cells and "R5" not in cells  # D1's March repairs (R5 is April's)
        assert "13812345678" in cells and "张三丰" in cells  # unmasked: the call center's one export
        assert not _traces_of_d2("\n".join(cells))
        _refused_here(page, f"{url}/explore?lang=en", "en")
    finally:
        context.close()
    events = audit.events(folder / "audit.sqlite", user_name="calls")
    assert events["event"].tolist() == ["page_refused", "session_resumed", "export", "signin_ok"]
    export = json.loads(events["detail"][2])
    assert (export["what"], export["masked"], export["dealers"]) == ("call_list", False, 1)


def test_an_analyst_gets_masked_downloads_and_no_files_through_explore(served, browser):
    """An analyst sees every region but never a whole name or phone in a download, nor a file through Explore."""
    url, folder = served
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="en-US", accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(f"{url}/callbacks?lang=en&cb_month=2025-03&cb_share=100", wait_until="domcontentloaded")
        _sign_in(page, "ana")
        page.wait_for_selector(f"h1:has-text('{t('callbacks.title', 'en')}')", timeout=WAIT * 1000)
        _wait_until_idle(page, WAIT)
        _assert_no_error(page)
        assert page.get_by_role("button", name=t("callbacks.download", "en")).count() == 0
        _, data = _download(page, t("download", "en"), last=True)  # the masked call list
        cells = _cells(data)
        assert {"R1", "S1"} <= set(cells)  # every region's rows ...
        assert not any(secret in cell for cell in cells for secret in ("张三丰", "13812345678", "孙八", "13500004444"))

        page.locator('[data-testid="stSidebarNav"]').get_by_text(t("explore.title", "en")).click()
        page.wait_for_selector(f"h1:has-text('{t('explore.title', 'en')}')", timeout=WAIT * 1000)
        _wait_until_idle(page, WAIT)
        editor = page.get_by_label(t("explore.sql", "en"))
        refused = t("explore.refused.forbidden", "en", detail="").rstrip(": ")
        for sql in (
            f"SELECT * FROM read_text('{folder / 'users.toml'}')",
            f"SELECT * FROM read_blob('{folder / 'audit.sqlite'}')",
        ):
            editor.fill(sql)
            editor.blur()
            page.get_by_role("button", name=t("explore.run", "en")).click()
            page.wait_for_selector(f'[data-testid="stAlert"]:has-text("{refused}")', timeout=WAIT * 1000)
            _wait_until_idle(page, WAIT)
            assert "argon2" not in page.content() and "SQLite format" not in page.content()
    finally:
        context.close()
    events = audit.events(folder / "audit.sqlite", user_name="ana")
    assert events["event"].tolist() == ["export", "signin_ok"]
    export = json.loads(events["detail"][0])
    assert (export["what"], export["masked"], export["dealers"]) == ("call_list_masked", True, "all")
