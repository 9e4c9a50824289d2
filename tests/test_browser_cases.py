"""Issue 16 in the browser: on the demo data set's cases (opened by its loads), a person opens a complaint's
case, assigns it, resolves it (root cause and action), closes it (re-check: none possible, with a note) and
reopens it, in each language; the page says so and the history records every step with its author."""

from __future__ import annotations

import duckdb
import pytest

from app.i18n import LANGUAGES, t
from served_app import CHROMIUM
from test_browser import _assert_no_error, _open, _screenshot, _wait_until_idle

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"),
]


def _query(database, sql, params=()):
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def complaint_case(dashboard):
    """The first open complaint case of the demo data set (the page picks it from the link)."""
    found = _query(dashboard.database, "SELECT min(case_id) FROM cases WHERE kind = 'complaint' AND status = 'open'")
    assert found[0][0] is not None, "the demo's loads opened no complaint case"
    return found[0][0]


def _form(page):
    return page.locator('[data-testid="stForm"]').last


def _choose(page, label: str, option: str) -> None:
    """Pick `option` in the edit form's select box `label` (Streamlit draws its own list of options)."""
    box = _form(page).get_by_label(label, exact=True)
    box.click()
    box.fill(option)  # the list filters as one types; Enter takes the first match
    page.get_by_role("option", name=option, exact=True).first.wait_for()
    page.keyboard.press("Enter")
    _wait_until_idle(page)


def _save(page, lang: str) -> None:
    _form(page).get_by_role("button", name=t("cases.save", lang)).click()
    _wait_until_idle(page)
    errors = page.locator('[data-testid="stAlertContentError"]')
    assert errors.count() == 0, errors.first.inner_text()
    assert page.get_by_text(t("cases.saved", lang)).count() == 1


@pytest.mark.parametrize("lang", LANGUAGES)
def test_open_assign_resolve_close_and_reopen_a_case(dashboard, browser, complaint_case, lang):
    case_id, owner = complaint_case, {"zh": "王芳", "en": "Li Lei"}[lang]
    before = _query(dashboard.database, "SELECT count(*) FROM case_history WHERE case_id = ?", [case_id])[0][0]
    context, page = _open(browser, f"{dashboard.url}/cases?lang={lang}&case_kind=complaint&case={case_id}", lang)
    try:
        _assert_no_error(page)
        assert page.locator("h1").first.inner_text().strip() == t("cases.title", lang)
        title = t("cases.case_title", lang, case_id=case_id, kind=t("case.kind.complaint", lang))
        assert page.get_by_text(title).count() == 1
        # Assign, and resolve with a root cause and the action taken.
        _form(page).get_by_label(t("col.owner", lang), exact=True).fill(owner)
        _choose(page, t("col.status", lang), t("case.status.resolved", lang))
        cause = {"zh": "dispatch_delay", "en": "parts_shortage"}[lang]  # never the cause the other run left
        _choose(page, t("col.root_cause", lang), t(f"case.cause.{cause}", lang))
        _form(page).get_by_label(t("col.action", lang), exact=True).fill("dispatch rota changed")
        _save(page, lang)
        assert page.get_by_text(t("case.status.resolved", lang)).count() >= 1
        # Close: a complaint needs a re-check; none is possible here, and the note says why.
        _choose(page, t("col.status", lang), t("case.status.closed", lang))
        _form(page).get_by_text(t("case.recheck.not_possible", lang)).click()
        _form(page).get_by_label(t("col.recheck_note", lang), exact=True).fill("customer moved abroad")
        _save(page, lang)
        # Reopen.
        _choose(page, t("col.status", lang), t("case.status.reopened", lang))
        _save(page, lang)
        _screenshot(page, f"cases_{lang}")
        _assert_no_error(page)
    finally:
        context.close()
    status, times_closed, times_reopened, found_owner = _query(
        dashboard.database, "SELECT status, times_closed, times_reopened, owner FROM cases WHERE case_id = ?", [case_id]
    )[0]
    assert (status, found_owner) == ("reopened", owner)
    assert times_closed == times_reopened >= 1  # once per language run so far, in either order
    steps = _query(
        dashboard.database,
        "SELECT field, new_value, author FROM case_history WHERE case_id = ? AND field = 'status' ORDER BY version",
        [case_id],
    )[-3:]
    assert steps == [("status", "resolved", "local"), ("status", "closed", "local"), ("status", "reopened", "local")]
    assert _query(dashboard.database, "SELECT count(*) FROM case_history WHERE case_id = ?", [case_id])[0][0] > before
