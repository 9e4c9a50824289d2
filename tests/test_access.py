"""Issue 15, tested as an attacker would: the users file and its command, the audit trail and the sign-in lock,
the safe default of app.serve, and every role through Streamlit's AppTest trying other dealers' data by the URL,
the drill-down, the Explore SQL and the call list.

The small database of tests/test_pages_apptest.py: D1 一号服务部 (华东/浙江) and D2 二号服务部 (华南/广东).
D1 alone, March-April 2025: 5 services (R1-R5), 1 complaint (R2) -> 20.0 % (all dealers: 1 of 6, 16.7 %);
answered callbacks C1 (5) and C2 (2) -> satisfaction 1 of 2, 50.0 % (all dealers: 2 of 3, 66.7 %).
D2 alone: 1 service (S1), no complaint -> 0.0 %, C3 answered 4 -> satisfaction 100.0 %.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

import test_pages_apptest
from app import serve, signin
from app.i18n import t
from app_pages import ENTRY, PAGES, unlinked
from etl import audit, cli, session_token
from etl.access import allowed_dealers, may, may_open, scope_for
from etl.users import (
    User,
    UsersError,
    check_user,
    hash_password,
    load_users,
    save_users,
    user_for_email,
    verify_password,
)

small_db = test_pages_apptest.small_db  # its fixture, shared
ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"
USERS = {
    "boss": dict(role="admin"),
    "ana": dict(role="analyst"),
    "east": dict(role="regional", regions=("华东",), email="east@hq.example"),
    "south_calls": dict(role="callcenter", provinces=("广东",)),
    "calls": dict(role="callcenter"),  # no scope: the national call center, every region
    "d2": dict(role="dealer", dealer_ids=("D2",)),
    "west": dict(role="regional", regions=("西北",)),  # a region without dealers (yet)
}


@pytest.fixture(scope="module")
def password_hash() -> str:
    return hash_password(PASSWORD, 10)


@pytest.fixture
def users_file(tmp_path, monkeypatch, password_hash) -> Path:
    path = tmp_path / "users.toml"
    save_users(path, {name: User(name, password=password_hash, **fields) for name, fields in USERS.items()})
    monkeypatch.setenv("SERVICE_QC_USERS", str(path))
    monkeypatch.setenv("SERVICE_QC_AUDIT", str(tmp_path / "audit.sqlite"))
    return path


def trail(users_file: Path) -> Path:
    return users_file.parent / "audit.sqlite"


# --- the users file and its command ------------------------------------------------------------------


def _users(*argv, passwords=(PASSWORD, PASSWORD)):
    with mock.patch("getpass.getpass", side_effect=list(passwords)):
        return cli.main(["users", *argv])


def test_users_command_adds_lists_changes_and_removes_and_audits_each_change(tmp_path, monkeypatch, capsys):
    path = tmp_path / "users.toml"
    monkeypatch.setenv("SERVICE_QC_USERS", str(path))
    monkeypatch.setenv("SERVICE_QC_AUDIT", str(tmp_path / "audit.sqlite"))
    assert _users("add", "Wang", "--role", "regional", "--regions", "华东,华南", "--email", " Wang@HQ.example ") == 0
    assert _users("add", "li", "--role", "dealer", "--dealers", "D2") == 0
    assert path.stat().st_mode & 0o777 == 0o600
    text = path.read_text(encoding="utf-8")
    assert PASSWORD not in text and "$argon2id$" in text
    users = load_users(path)
    assert users["wang"].regions == ("华东", "华南") and users["wang"].email == "wang@hq.example"
    assert verify_password(users["wang"], PASSWORD) and not verify_password(users["wang"], PASSWORD + "!")
    capsys.readouterr()
    assert _users("list") == 0
    listed = capsys.readouterr().out
    assert "wang\tregional\tregions=华东,华南\twang@hq.example" in listed and "li\tdealer\tdealer_ids=D2" in listed
    assert "argon2" not in listed
    old_hash = users["li"].password
    assert _users("passwd", "li", passwords=("another long one", "another long one")) == 0
    li = load_users(path)["li"]
    assert li.password != old_hash and verify_password(li, "another long one") and not verify_password(li, PASSWORD)
    assert _users("remove", "wang") == 0
    assert set(load_users(path)) == {"li"}
    events = audit.events(tmp_path / "audit.sqlite")
    assert events["event"].tolist() == ["user_removed", "password_changed", "user_added", "user_added"]
    assert events["user_name"].str.startswith("cli:").all()


@pytest.mark.parametrize(
    "argv, passwords, message",
    [
        (["add", "x", "--role", "dealer", "--regions", "华东"], (PASSWORD, PASSWORD), "a dealer has no regions"),
        (["add", "x", "--role", "regional"], (PASSWORD, PASSWORD), "a regional needs a scope"),
        (["add", "x", "--role", "regional", "--regions", "华东", "--uploads"], (PASSWORD, PASSWORD), "analysts only"),
        (["add", "x", "--role", "admin"], ("short", "short"), "at least 10 characters"),
        (["add", "x", "--role", "admin"], (PASSWORD, PASSWORD + "x"), "the two passwords differ"),
        (["add", "X Y", "--role", "admin"], (PASSWORD, PASSWORD), "lower-case letters"),
        (["remove", "nobody"], (), "no user nobody"),
    ],
)
def test_users_command_refuses_bad_users_and_writes_nothing(tmp_path, monkeypatch, capsys, argv, passwords, message):
    monkeypatch.setenv("SERVICE_QC_USERS", str(tmp_path / "users.toml"))
    monkeypatch.setenv("SERVICE_QC_AUDIT", str(tmp_path / "audit.sqlite"))
    assert _users(*argv, passwords=passwords) == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "users.toml").exists()


def test_a_password_cannot_be_given_on_the_command_line():
    with pytest.raises(SystemExit):
        cli.parser().parse_args(["users", "add", "x", "--role", "admin", "--password", PASSWORD])


def test_a_broken_users_file_is_refused_naming_the_user(tmp_path):
    path = tmp_path / "users.toml"
    path.write_text('[users.a]\nrole = "owner"\npassword = "x"\n', encoding="utf-8")
    with pytest.raises(UsersError, match="users.toml: user a: role 'owner'"):
        load_users(path)
    path.write_text(
        '[users.a]\nrole = "admin"\nemail = "x@y"\n[users.b]\nrole = "admin"\nemail = "X@Y"\n', encoding="utf-8"
    )
    with pytest.raises(UsersError, match="e-mail address is given to two users"):
        load_users(path)


def test_single_sign_on_accounts_map_to_users_by_email():
    users = {
        "wang": User("wang", "regional", regions=("华东",), email="wang@hq.example"),
        "li": User("li", "admin", email="li@hq.example"),
    }
    assert user_for_email(users, "Wang@HQ.example ").name == "wang"
    assert user_for_email(users, "li@hq.example").role == "admin"
    assert user_for_email(users, "eve@hq.example") is None  # an account nobody mapped gets nothing
    assert user_for_email(users, "") is None and user_for_email(users, None) is None
    assert user_for_email({"x": User("x", "admin")}, "") is None  # a user without e-mail is no catch-all


def test_roles_pages_and_rights():
    east, calls, dealer = (
        User("e", "regional", regions=("华东",)),
        User("c", "callcenter", regions=("华南",)),
        User("d", "dealer", dealer_ids=("D2",)),
    )
    assert [p for p in PAGES if may_open(dealer, p)] == ["dealers", "data"]  # data: its correction sheets
    assert [p for p in PAGES if may_open(calls, p)] == ["callbacks"]
    assert not may_open(east, "audit") and may_open(east, "explore")
    assert may(calls, "unmasked_call_list") and not may(User("a", "analyst"), "unmasked_call_list")
    assert may(User("a", "analyst", uploads=True), "upload") and not may(User("a", "analyst"), "upload")
    assert may(None, "upload") and not may(None, "users")  # open access: everything but managing users
    # the lead's decisions: correction sheets are the admin's, the analyst's and a dealer's (its own rows) ...
    everyone = [User("b", "admin"), User("a", "analyst"), east, calls, dealer]
    assert [u.role for u in everyone if may(u, "correction_sheets")] == ["admin", "analyst", "dealer"]
    # ... and a call center user without regions or provinces is the national one: every dealer, still only Callbacks
    national = check_user(User("n", "callcenter"))
    assert not national.scoped and national.describe_scope() == "all dealers" and calls.scoped
    roster = pd.DataFrame({"dealer_id": ["D1", "D2"], "region": ["华东", "华南"], "province": ["浙江", "广东"]})
    assert allowed_dealers(national, roster) is None and allowed_dealers(calls, roster) == ("D2",)
    assert [p for p in PAGES if may_open(national, p)] == ["callbacks"] and may(national, "unmasked_call_list")
    for role in ("regional", "dealer"):  # these still need a scope: none given is refused, not "every dealer"
        with pytest.raises(UsersError, match=f"a {role} needs a scope"):
            check_user(User("x", role))


def test_a_users_scope_is_anded_into_the_filters(small_db):
    import pandas as pd

    roster = pd.DataFrame(
        {"dealer_id": ["D1", "D2", "D3"], "region": ["华东", "华南", "华东"], "province": ["浙江", "广东", "江苏"]}
    )
    east = User("e", "regional", regions=("华东",))
    assert allowed_dealers(east, roster) == ("D1", "D3")
    assert allowed_dealers(User("m", "regional", provinces=("广东",), regions=("西北",)), roster) == ("D2",)
    assert allowed_dealers(User("a", "analyst"), roster) is None
    from etl.db import reader
    from etl.metrics import overview
    from etl.metrics.scope import Scope

    with reader(small_db) as con:

        def dealers_of(scope):
            return overview.dealer_ranking(con, scope)["dealer_id"].tolist()

        assert dealers_of(scope_for(east, roster)) == ["D1"]
        assert dealers_of(scope_for(east, roster, Scope(regions=("华南",)))) == []  # a filter never widens
        assert dealers_of(scope_for(User("n", "regional", regions=("西北",)), roster)) == []  # no dealer: nothing
        assert dealers_of(scope_for(None, roster)) == ["D1", "D2"]


# --- the audit trail and the lock ----------------------------------------------------------------------


def test_the_audit_trail_is_append_only(tmp_path):
    path = tmp_path / "audit.sqlite"
    audit.record(path, "boss", "export", what="dealers", masked=True)
    with sqlite3.connect(path) as con:
        for statement in ("UPDATE audit SET user_name = 'eve'", "DELETE FROM audit"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                con.execute(statement)
    assert audit.events(path)[["user_name", "event", "detail"]].values.tolist() == [
        ["boss", "export", '{"masked": true, "what": "dealers"}']
    ]


def test_five_failures_in_a_row_lock_the_name_for_fifteen_minutes(tmp_path):
    path, start = tmp_path / "audit.sqlite", dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    minute = dt.timedelta(minutes=1)

    def locked(at):
        return audit.locked_until(path, "eve", 5, 15, at)

    audit.record(path, "eve", "signin_failed", at=start - 20 * minute)  # outside the window: not counted
    for n in range(4):
        audit.record(path, "eve", "signin_failed", at=start + n * minute)
    assert locked(start + 4 * minute) is None  # 4 in the window
    audit.record(path, "eve", "signin_failed", at=start + 4 * minute)  # the 5th, at 09:04
    assert locked(start + 5 * minute) == start + 19 * minute  # until 09:19
    audit.record(path, "eve", "signin_locked", at=start + 10 * minute)  # tried meanwhile: no extension
    assert locked(start + 18 * minute) == start + 19 * minute
    assert locked(start + 19 * minute + dt.timedelta(seconds=1)) is None
    assert audit.locked_until(path, "bob", 5, 15, start + 5 * minute) is None  # another name is not locked
    audit.record(path, "eve", "signin_ok", at=start + 20 * minute)
    for n in range(4):
        audit.record(path, "eve", "signin_failed", at=start + (21 + n) * minute)
    assert locked(start + 25 * minute) is None  # the success in between: only 4 in a row


# --- safe by default -----------------------------------------------------------------------------------


def test_serve_listens_on_localhost_unless_told_and_refuses_other_addresses_without_users():
    assert serve.arguments_for(["--server.port", "9000"])[3:] == [
        "--server.address",
        "127.0.0.1",
        "--server.port",
        "9000",
    ]
    assert "127.0.0.1" not in serve.arguments_for(["--server.address=0.0.0.0"])
    assert serve.asked_address(["--server.address", "10.1.2.3"]) == "10.1.2.3"
    assert all(serve.is_local(a) for a in ("127.0.0.1", "localhost", "::1", "[::1]", "127.0.1.1"))
    assert not any(serve.is_local(a) for a in ("0.0.0.0", "::", "10.1.2.3", "dashboard.hq", ""))
    assert serve.refusal(["--server.port", "9000"], {}) is None
    assert serve.refusal(["--server.address", "localhost"], {}) is None
    assert serve.refusal(["--server.address", "0.0.0.0"], {"boss": User("boss", "admin")}) is None
    assert "python -m etl users add" in serve.refusal(["--server.address", "0.0.0.0"], {})


def test_run_sh_refuses_a_network_address_without_users(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "SERVICE_QC_USERS": str(tmp_path / "none.toml"), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "app.serve", "--server.address", "0.0.0.0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "no users are configured" in done.stderr and "python -m etl users add NAME --role admin" in done.stderr


def test_open_access_says_so_and_a_network_address_without_users_shows_nothing(small_db):
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    assert t("access.open", "en") in [c.value for c in at.sidebar.caption]
    assert {m.label: m.value for m in at.metric}["Complaint rate per service"] == "16.7 %"  # every dealer
    assert not [c for c in at.caption if c.value.startswith("All dealers")]  # no comparison with itself
    from streamlit import config

    before = config.get_option("server.address")
    assert before == "127.0.0.1"  # .streamlit/config.toml: `streamlit run` too
    for address in ("0.0.0.0", ""):  # unset: Streamlit listens on every interface
        config.set_option("server.address", address)
        try:
            at = AppTest.from_file(ENTRY, default_timeout=60)
            at.query_params["lang"] = "zh"
            at.run()
        finally:
            config.set_option("server.address", before)
        assert at.error[0].value == t("access.remote_without_users", "zh", address=address)
        assert not at.metric and not at.dataframe


# --- sign-in --------------------------------------------------------------------------------------------


def _fresh(page: str | None = None, **params) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.query_params.update({"lang": "en", **params})
    return at


def _as(user: str, page: str, **params) -> AppTest:
    """A session already signed in as `user` (the form is tested below), on one page opened by a link."""
    at = _fresh(**params)
    at.session_state[signin.SESSION_KEY] = {"name": user, "seen": time.monotonic(), "sso": False}
    at.run()
    if page != "overview":
        at.switch_page(PAGES[page]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key=signin.NAME_KEY).input(name)
    at.text_input(key=signin.PASSWORD_KEY).input(password)
    return at.button[0].click().run()


@pytest.mark.parametrize("page", list(PAGES))
def test_a_page_opened_by_its_url_without_signing_in_shows_the_sign_in(small_db, users_file, page):
    at = _fresh()
    at.run()
    if page != "overview":
        at.switch_page(PAGES[page]).run()
    assert [title.value for title in at.title] == [t("access.title", "en")]
    assert not at.metric and not at.dataframe and not at.exception


def test_sign_in_in_both_languages_then_sign_out(small_db, users_file):
    at = _fresh(lang="zh")
    at.run()
    assert at.title[0].value == "登录" and at.text_input[0].label == "用户名"
    _sign_in(at, " East ", PASSWORD)
    assert at.title[0].value == t("overview.title", "zh")
    assert t("access.signed_in_as", "zh", name="east", role="大区经理") in [c.value for c in at.sidebar.caption]
    at.sidebar.button(key="_signout").click().run()
    assert at.title[0].value == "登录" and signin.SESSION_KEY not in at.session_state
    assert audit.events(trail(users_file))["event"].tolist() == ["signout", "signin_ok"]


def test_five_wrong_passwords_lock_the_name_even_for_the_right_one(small_db, users_file):
    at = _fresh()
    at.run()
    for _ in range(5):
        _sign_in(at, "boss", "guess " + PASSWORD)
        assert at.error[0].value == t("access.wrong", "en")
    _sign_in(at, "boss", PASSWORD)
    assert at.error[0].value.startswith("This name is locked for 15 minutes")
    assert at.title[0].value == t("access.title", "en") and not at.metric
    _sign_in(at, "ana", PASSWORD)  # another name is not locked
    assert at.title[0].value == t("overview.title", "en")
    events = audit.events(trail(users_file))
    assert events["event"].tolist() == ["signin_ok", "signin_locked"] + ["signin_failed"] * 5
    assert events["user_name"].tolist() == ["ana"] + ["boss"] * 6


def test_an_unknown_name_fails_like_a_wrong_password(small_db, users_file):
    at = _sign_in(_fresh().run(), "mallory", PASSWORD)
    assert at.error[0].value == t("access.wrong", "en") and not at.metric


def test_an_idle_session_expires(small_db, users_file):
    at = _fresh()
    at.session_state[signin.SESSION_KEY] = {"name": "ana", "seen": time.monotonic() - 31 * 60, "sso": False}
    at.run()
    assert at.title[0].value == t("access.title", "en")
    assert at.info[0].value == t("access.expired", "en", minutes=30) and not at.metric
    assert audit.events(trail(users_file))["event"].tolist() == ["session_expired"]


# --- each role against other dealers' data ----------------------------------------------------------------


def _tiles(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_a_regional_user_sees_only_their_dealers_whatever_the_url_says(small_db, users_file):
    at = _as("east", "overview", region="华南", province="广东", dealer="D2", section="regions")
    shown = _tiles(at)
    assert shown["Complaint rate per service"] == "20.0 %" and shown["Satisfaction"] == "50.0 %"  # D1 alone
    captions = [c.value for c in at.caption]  # beside them, every dealer's rate, naming none
    assert "All dealers: 16.7 %" in captions and "All dealers: 66.7 %" in captions
    assert at.sidebar.multiselect[0].options == ["华东"] and at.sidebar.multiselect[0].value == []
    assert at.sidebar.multiselect[1].options == ["浙江"]
    assert at.selectbox(key="_widget_chart_region").options == ["华东"]
    at.switch_page(PAGES["dealers"]).run()
    assert unlinked(at.dataframe[0].value)["Dealer id"].tolist() == ["D1"]
    drill = at.selectbox(key="_widget_dealer")
    assert drill.options == ["D1 · 一号服务部"] and drill.value == "D1"  # ?dealer=D2 is dropped
    for shown in _charts(at):
        assert "二号服务部" not in shown and '"D2"' not in shown
    at.switch_page(PAGES["callbacks"]).run()
    assert unlinked(at.dataframe[0].value)["Dealer id"].tolist() == ["D1"]
    assert not [b for b in at.get("download_button") if b.proto.label == t("callbacks.download", "en")]
    assert _refused(at, "audit")


def _charts(at: AppTest) -> list[str]:
    """What each chart on the page carries, as text: its spec and its rows (a Vega-Lite chart's rows go to the
    browser apart from its spec, as Arrow tables)."""
    shown = []
    for plot in at.get("vega_lite_chart"):
        tables = [plot.proto.data.data, *(dataset.data.data for dataset in plot.proto.datasets)]
        rows = [
            pa.ipc.open_stream(table).read_pandas().to_json(force_ascii=False, date_format="iso")
            for table in tables
            if table
        ]
        shown.append(plot.proto.spec + "".join(rows))
    return shown


def _refused(at: AppTest, page: str) -> bool:
    """Absent from the session's navigation, and refused when its file runs by itself (opened past the navigation)."""
    path = PAGES.get(page, "pages/7_Audit.py")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(path)
    alone = AppTest.from_file(f"../{path}", default_timeout=60)
    alone.session_state[signin.SESSION_KEY] = dict(at.session_state[signin.SESSION_KEY])
    alone.query_params["lang"] = "en"
    alone.run()
    return alone.error[0].value == t("access.refused", "en") and not alone.dataframe and not alone.metric


def test_a_dealer_sees_its_own_scorecard_and_records_only(small_db, users_file):
    at = _as("d2", "dealers", dealer="D1")
    assert unlinked(at.dataframe[0].value)["Dealer id"].tolist() == ["D2"]
    assert at.selectbox(key="_widget_dealer").value == "D2"
    assert _tiles(at)["Complaint rate per service"] == "0.0 %" and _tiles(at)["Satisfaction"] == "100.0 %"
    for page in ("overview", "award", "settlement", "callbacks", "explore", "audit"):
        assert _refused(at, page), page
    events = audit.events(trail(users_file))
    assert sorted(events["detail"].str.extract(r'"page": "(\w+)"')[0]) == sorted(
        ["overview", "award", "settlement", "callbacks", "explore", "audit"]
    )


def test_the_call_center_gets_its_provinces_call_list_unmasked_and_nothing_else(small_db, users_file):
    at = _as("south_calls", "callbacks", **{"cb_month": "2025-03", "cb_share": "100"})
    assert unlinked(at.dataframe[0].value)["Dealer id"].tolist() == ["D2"]  # callbacks by dealer
    listed = unlinked(at.dataframe[-1].value)
    assert listed["Dealer id"].unique().tolist() == ["D2"] and listed["Record no."].tolist() == ["S1"]
    assert [b.proto.label for b in at.get("download_button")][-1] == t("callbacks.download", "en")
    assert _refused(at, "overview") and _refused(at, "explore")


def test_the_national_call_center_lists_every_region_unmasked(small_db, users_file):
    at = _as("calls", "callbacks", **{"cb_month": "2025-03", "cb_share": "100"})
    assert unlinked(at.dataframe[0].value)["Dealer id"].tolist() == ["D1", "D2"]  # callbacks by dealer: C1-C2, C3
    listed = unlinked(at.dataframe[-1].value)
    assert sorted(listed["Record no."]) == ["R1", "R2", "R3", "R4", "S1"]  # every March repair (R5 is April's)
    assert [b.proto.label for b in at.get("download_button")][-1] == t("callbacks.download", "en")
    assert _refused(at, "overview") and _refused(at, "data")


def test_an_analyst_gets_the_masked_call_list_only_and_no_upload(small_db, users_file):
    at = _as("ana", "callbacks", **{"cb_month": "2025-03", "cb_share": "100"})
    assert set(unlinked(at.dataframe[-1].value)["Dealer id"]) == {"D1", "D2"}
    labels = [b.proto.label for b in at.get("download_button")]
    assert t("callbacks.download", "en") not in labels
    assert t("callbacks.masked_only", "en") in [c.value for c in at.caption]
    at.switch_page(PAGES["data"]).run()
    assert not at.get("file_uploader") and t("data.upload_not_granted", "en") in [c.value for c in at.caption]


EXPLORE_ATTEMPTS = [
    ("SELECT * FROM repairs", ["D1"] * 5),  # R1-R5; S1 is D2's
    ("SELECT DISTINCT dealer_id FROM dealer_month_metrics UNION SELECT dealer_id FROM dealers", ["D1"]),
    ("SELECT dealer_id FROM callbacks UNION ALL SELECT dealer_id FROM sales", ["D1"] * 4),  # C1, C2; 2 months
    ("SELECT count(*) AS dealer_id FROM load_log UNION ALL SELECT count(*) FROM rejects", [0, 0]),
]


def test_explore_sql_of_a_regional_user_sees_only_their_rows(small_db, users_file):
    at = _as("east", "explore")
    for sql, expect in EXPLORE_ATTEMPTS:
        at.text_area(key="_explore_sql").input(sql)
        next(b for b in at.button if b.label == t("explore.run", "en")).click().run()
        assert not at.error, at.error[0].value
        result = unlinked(
            next(
                frame.value for frame in at.dataframe if list(frame.value.columns)[:1] in (["dealer_id"], ["record_no"])
            )
        )
        assert sorted(result["dealer_id"].tolist()) == sorted(expect), sql


def test_explore_cannot_read_files_for_a_scoped_user(small_db, users_file):
    at = _as("east", "explore")
    for sql in (
        f"SELECT * FROM read_csv('{users_file}')",
        f"SELECT * FROM read_text('{small_db}')",
        f"ATTACH '{small_db}' AS w",
    ):
        at.text_area(key="_explore_sql").input(sql)
        next(b for b in at.button if b.label == t("explore.run", "en")).click().run()
        assert at.error[0].proto.icon == ":material/block:", sql
        assert not [c for c in at.caption if " rows · " in c.value], sql


def test_the_admin_audit_page_lists_and_filters_the_trail(small_db, users_file):
    audit.record(trail(users_file), "east", "signin_failed")
    audit.record(trail(users_file), "boss", "export", what="dealers", masked=True)
    at = _as("boss", "overview")
    at.switch_page("pages/7_Audit.py").run()
    assert at.title[0].value == t("audit.title", "en")
    shown = at.dataframe[0].value
    assert shown["Event"].tolist() == ["export", "sign-in failed"] and shown["User"].tolist() == ["boss", "east"]
    at.text_input(key="_audit_user").input("east").run()
    assert at.dataframe[0].value["User"].tolist() == ["east"]


def test_a_dealer_gets_the_correction_sheets_of_its_own_rows_only(small_db, users_file, wh):
    import io

    import openpyxl

    from app import data
    from etl.metrics.scope import Scope

    header = test_pages_apptest.REPAIR_HEADER

    def bad(record, dealer):  # an arrival that is no date rejects the row
        return [
            record,
            dealer,
            "2025-05",
            "2025-06-05",
            "甲",
            "13500000000",
            "",
            "repair",
            "2025-05-03 09:00",
            "not a date",
            "",
            "completed",
            0,
            0,
            "N",
        ]

    wh.load(
        wh.file("mixed.csv", [header, bad("X1", "D1"), bad("X2", "D2"), bad("X3", "D2")]),
        wh.file("d1_only.csv", [header, bad("Y1", "D1")]),
    )
    source = data.Source.of(small_db, wh.rules)
    assert data.load_correction_files(source, Scope().within(("D2",))) == ["mixed.csv"]
    assert data.load_correction_files(source, Scope().within(("D1",))) == ["d1_only.csv", "mixed.csv"]

    def records(sheet: bytes) -> list[str]:
        cells = [str(c.value) for row in openpyxl.load_workbook(io.BytesIO(sheet)).active.iter_rows() for c in row]
        return sorted(value for value in cells if value[:1] in "XY" and value[1:].isdigit())

    assert records(data.load_correction_sheet(source, "mixed.csv", "en", ("D2",))) == ["X2", "X3"]
    assert records(data.load_correction_sheet(source, "mixed.csv", "en")) == ["X1", "X2", "X3"]  # HQ: every row
    from etl.corrections import NoRejects

    with pytest.raises(NoRejects):
        data.load_correction_sheet(source, "d1_only.csv", "en", ("D2",))
    for name in ("boss", "ana"):  # HQ's roles: a file's correction sheet, every row, beside its rejects
        hq = _as(name, "data")
        hq.selectbox(key="_data_reject_file").select("mixed.csv").run()
        assert t("data.correction", "en") in [b.proto.label for b in hq.get("download_button")], name
    at = _as("d2", "data")
    assert [e.label for e in at.expander] == [t("data.rejected_rows_of", "en", file="mixed.csv")]
    assert not at.get("file_uploader") and t("data.history", "en") not in [h.value for h in at.subheader]
    assert at.dataframe and all(
        set(unlinked(frame.value)["Dealer id"]) == {"D2"} for frame in at.dataframe
    )  # reports due


def test_a_single_sign_on_account_is_the_user_its_email_maps_to(small_db, users_file, monkeypatch):
    monkeypatch.setattr(signin, "_oidc_email", lambda: "East@HQ.example")  # as st.user would say after st.login
    at = _fresh()
    at.run()
    assert _tiles(at)["Complaint rate per service"] == "20.0 %"  # east's scope: D1 alone
    monkeypatch.setattr(signin, "_oidc_email", lambda: "eve@elsewhere.example")
    other = _fresh()
    other.run()
    assert other.error[0].value == t("access.not_mapped", "en", email="eve@elsewhere.example") and not other.metric
    events = audit.events(trail(users_file))
    assert events[["user_name", "event", "detail"]].values.tolist() == [["east", "signin_ok", '{"method": "sso"}']]


def test_an_upload_is_audited_with_each_files_outcome(tmp_path, monkeypatch):
    import pandas as pd

    from app.uploads import Upload

    monkeypatch.setenv("SERVICE_QC_AUDIT", str(tmp_path / "audit.sqlite"))
    results = pd.DataFrame(
        [
            {
                "file_name": "a.csv",
                "kind": "repairs",
                "status": "loaded",
                "rows_read": 3,
                "rows_loaded": 2,
                "rows_rejected": 1,
                "message": "",
                "warnings": "",
                "notes": "",
            }
        ]
    )
    page = mock.Mock(user=User("ana", "analyst", uploads=True))
    signin.audit_upload(page, Upload(results, "", False, ["a.csv"]))
    found = audit.events(tmp_path / "audit.sqlite")
    assert found[["user_name", "event"]].values.tolist() == [["ana", "upload"]]
    assert json.loads(found["detail"][0]) == {
        "failure": "",
        "files": [{"file_name": "a.csv", "kind": "repairs", "status": "loaded", "rows_loaded": 2, "rows_rejected": 1}],
    }


def test_a_regional_manager_gets_reports_due_but_no_correction_sheet(small_db, users_file):
    at = _as("east", "data")
    assert t("data.corrections", "en") not in [h.value for h in at.subheader]
    assert not [b for b in at.get("download_button") if b.proto.label == t("data.correction", "en")]
    assert at.dataframe and all(set(unlinked(frame.value)["Dealer id"]) == {"D1"} for frame in at.dataframe)


def test_a_scope_matching_no_dealer_shows_nothing_on_any_page(small_db, users_file):
    at = _as("west", "overview")
    assert not at.metric and at.info[0].value == t("no_data_in_scope", "en")
    for page in ("dealers", "award", "settlement", "data", "callbacks", "explore"):
        at.switch_page(PAGES[page]).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert not at.metric, page
        for frame in at.dataframe:
            if "Dealer id" in frame.value.columns:
                assert frame.value.empty, page


def test_a_new_password_or_a_removed_user_ends_the_sessions(small_db, users_file):
    at = _sign_in(_fresh().run(), "ana", PASSWORD)
    assert at.title[0].value == t("overview.title", "en")
    users = load_users(users_file)
    users["ana"] = User("ana", "analyst", password=hash_password("a new long password", 10))
    save_users(users_file, users)
    at.run()
    assert at.title[0].value == t("access.title", "en") and not at.metric
    at = _sign_in(at, "ana", "a new long password")
    del users["ana"]
    save_users(users_file, users)
    at.run()
    assert at.title[0].value == t("access.title", "en") and not at.metric
    assert audit.events(trail(users_file))["event"].tolist() == [
        "session_expired",
        "signin_ok",
        "session_expired",
        "signin_ok",
    ]


def test_a_sign_in_token_holds_only_while_signed_unchanged_unexpired_and_of_the_same_password(tmp_path):
    """The reload token (etl/session_token.py): the secret is made once beside the users file, owner-only; a
    token reads back its own claims and nothing else does."""
    secret_file = session_token.secret_path(tmp_path / "users.toml")
    assert secret_file == tmp_path / "users.secret"
    secret = session_token.load_secret(secret_file)
    assert len(secret) == 32 and session_token.load_secret(secret_file) == secret  # made once, then read
    assert secret_file.stat().st_mode & 0o777 == 0o600
    hashes = {"wang": "$argon2id$first", "li": "$argon2id$other"}
    token, claims = session_token.issue(secret, "wang", hashes["wang"], expires=1_000_000)
    assert session_token.read(secret, token, 999_999.0, hashes) == claims
    assert claims.name == "wang" and claims.expires == 1_000_000 and len(claims.session) >= 16
    assert "wang" not in token and "argon2" not in token

    def refused(text: str, now: float = 999_999.0, known: dict[str, str] = hashes, key: bytes = secret) -> str:
        with pytest.raises(session_token.TokenError) as caught:
            session_token.read(key, text, now, known)
        return str(caught.value)

    body, _, signature = token.partition(".")
    other_body, _, _ = session_token.issue(secret, "li", hashes["li"], expires=1_000_000)[0].partition(".")
    assert refused(f"{other_body}.{signature}") == "signature"  # another user's claims under this signature
    assert refused(body + "." + signature[:-1] + ("0" if signature[-1] != "0" else "1")) == "signature"
    assert refused(token, key=bytes(32)) == "signature"  # made with another secret
    assert refused("no-dot-at-all") == "malformed" and refused("") == "malformed"
    assert refused(token, now=1_000_000.0) == "expired"  # the expiry itself is past
    assert refused(token, known={"li": hashes["li"]}) == "unknown_user"
    assert refused(token, known={**hashes, "wang": "$argon2id$new"}) == "password_changed"


def test_a_signed_out_session_is_ended_in_the_trail(tmp_path):
    path = tmp_path / "audit.sqlite"
    assert not audit.session_ended(path, "abc")  # no trail yet
    audit.record(path, "wang", "signin_ok", method="password", sid="abc")
    audit.record(path, "wang", "signout", sid="other")
    assert not audit.session_ended(path, "abc")
    audit.record(path, "wang", "session_expired", sid="abc")
    assert audit.session_ended(path, "abc") and audit.session_ended(path, "other")


def test_a_token_session_ends_after_its_hours_or_an_idle_reload(small_db, users_file, monkeypatch, password_hash):
    """The reload token's limits in the gate (the browser test covers the cookie itself): a session past
    [access] session_hours signs out with a note; a reload after idle_minutes without a page run is not resumed."""
    secret = session_token.load_secret(session_token.secret_path(users_file))
    token, claims = session_token.issue(secret, "ana", password_hash, int(time.time()) + 3600)
    monkeypatch.setattr(signin, "_cookie", lambda: token)  # as st.context.cookies would say after a reload
    at = _fresh()
    at.run()
    assert _tiles(at)["Complaint rate per service"] == "16.7 %"  # ana, every dealer, without the form
    at.session_state[signin.SESSION_KEY]["expires"] = int(time.time()) - 1  # its 8 hours are over
    at.run()
    assert at.title[0].value == t("access.title", "en") and not at.metric
    assert at.info[0].value == t("access.session_over", "en", hours="8")
    token, claims = session_token.issue(secret, "ana", password_hash, int(time.time()) + 3600)
    signin._last_seen()[claims.session] = time.time() - 31 * 60  # idle_minutes 30: this reload is too late
    late = _fresh()
    late.run()
    assert late.title[0].value == t("access.title", "en") and not late.metric
    events = audit.events(trail(users_file))
    assert events["event"].tolist() == ["session_expired", "session_expired", "session_resumed"]
    assert events["detail"].map(lambda d: json.loads(d)["sid"]).tolist()[0] == claims.session


def test_the_refusal_to_serve_a_network_address_without_users_speaks_both_languages(tmp_path, monkeypatch):
    monkeypatch.setenv("SERVICE_QC_USERS", str(tmp_path / "none.toml"))
    english = serve.refusal(["--server.address", "0.0.0.0"], {}, "en")
    assert english == (
        "error: --server.address 0.0.0.0 would let other computers open the dashboard, but no users are configured "
        f"({tmp_path / 'none.toml'}), so it would be open to anyone. Add one first, e.g.\n"
        "  .venv/bin/python -m etl users add NAME --role admin\n"
        "(the password is asked for; docs/access.md), or leave --server.address out to serve this computer only."
    )
    chinese = serve.refusal(["--server.address", "0.0.0.0"], {}, "zh")
    assert chinese == (
        "错误：--server.address 0.0.0.0 会让其他电脑也能打开看板，但尚未配置任何用户"
        f"（{tmp_path / 'none.toml'}），任何人都能访问。请先添加一个用户，例如：\n"
        "  .venv/bin/python -m etl users add NAME --role admin\n"
        "（会提示输入密码；见 docs/access.md），或去掉 --server.address，只供本机访问。"
    )
