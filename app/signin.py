"""The sign-in gate every page passes through (app/state.setup calls gate()); docs/access.md.

No users file: open access, on this computer only (the sidebar says so; a server listening on
another address stops here). With users: the sign-in form (name and password, or single sign-on
through st.login where HQ configured it, mapped to a user by e-mail), sign-out, expiry after
[access] idle_minutes without a page run, and the lock after [access] max_failures failed
attempts. Every sign-in, failure, lock, expiry and refused page is written to the audit trail.

A password sign-in survives a reload or a new tab of the same browser for [access] session_hours: the
browser keeps a signed, expiring token in a cookie (etl/session_token.py; set by a script of st.html,
read back through st.context.cookies when a new tab or a reload opens a session). Signing out ends the
token's session in the audit trail and clears the cookie; a token changed, forged, expired, of an older
password or of a signed-out session is refused (audited session_refused) and the sign-in form shows.
"""

from __future__ import annotations

import json
import time
from typing import NoReturn

import streamlit as st

from app import i18n
from app.serve import is_local
from etl import access, audit, config, session_token
from etl.rules import Rules, RulesError, load_rules
from etl.users import User, UsersError, load_users, user_for_email, verify_password

SESSION_KEY = "_signed_in"  # {"name", "seen": monotonic seconds, "sso": bool, "hash": the password hash, "sid"}
COOKIE = "service_qc_session"  # the signed token of a password sign-in (etl/session_token.py)
JUDGED_KEY = "_token_judged"  # the cookie's token this session already refused (judged once per session)
FORGET_KEY = "_token_forget"  # this session signed out: the sign-in form clears the cookie it may have set
NAME_KEY, PASSWORD_KEY = "_signin_name", "_signin_password"
ROLE_WORDS = {
    "admin": i18n.N_("role.admin"),
    "analyst": i18n.N_("role.analyst"),
    "regional": i18n.N_("role.regional"),
    "callcenter": i18n.N_("role.callcenter"),
    "dealer": i18n.N_("role.dealer"),
}


def users() -> dict[str, User]:
    return load_users(config.users_path())


def trail():
    return config.audit_path(config.db_path())


def _oidc_email() -> str | None:
    """The e-mail of the account signed in through st.login, if single sign-on is set up and used."""
    try:
        email = st.user.get("email") if st.user.is_logged_in else None
        return email if isinstance(email, str) else None
    except Exception:  # noqa: BLE001 - no [auth] in secrets: single sign-on is not set up
        return None


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file
        return False


def current_user() -> User | None:
    """The signed-in user without drawing anything (dashboard.py lists that user's pages); None when nobody is."""
    try:
        known = users()
    except UsersError:
        return None
    signed = st.session_state.get(SESSION_KEY)
    if signed is None and _cookie():  # a reload or a new tab: its navigation is the resumed user's
        try:
            signed = _resume(known, float(load_rules(config.rules_path())["access.idle_minutes"]))
        except RulesError:
            signed = None  # the page's set-up says what is wrong with the rules
    if signed and signed["name"] in known:
        return known[signed["name"]]
    return user_for_email(known, _oidc_email())


def users_configured() -> bool:
    try:
        return bool(users())
    except UsersError:
        return True  # a broken file must not open the dashboard to everyone


def sign_out(user_name: str, event: str = "signout") -> None:
    signed = st.session_state.pop(SESSION_KEY, None) or {}
    detail = {"sid": signed["sid"]} if signed.get("sid") else {}
    st.session_state[FORGET_KEY] = True
    audit.record(trail(), user_name, event, **detail)  # the token of this session is void from now on


def _secret() -> bytes:
    return session_token.load_secret(session_token.secret_path(config.users_path()))


@st.cache_resource
def _last_seen() -> dict[str, float]:
    """Each token session's last page run (Unix seconds) in this server process: a reload after more
    than idle_minutes does not resume it."""
    return {}


def _cookie_script(where, token: str | None, max_age: int = 0) -> None:
    """Set (token) or clear (None) the sign-in cookie in this browser; SameSite=Strict, Secure over https."""
    value = json.dumps(f"{COOKIE}={token or ''}; Max-Age={max_age if token else 0}; Path=/; SameSite=Strict")
    where.html(
        f"<script>document.cookie = {value} + (location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True,
        width="content",
    )


def _cookie() -> str | None:
    """The sign-in cookie the browser sent when this session opened (none outside a browser: AppTest)."""
    token = st.context.cookies.get(COOKIE)
    return token if isinstance(token, str) and token else None


def _resume(known: dict[str, User], idle_minutes: float) -> dict | None:
    """The session of the cookie's token (a reload, a new tab), kept in st.session_state; None: no token, or a
    refused one."""
    token = _cookie()
    if not token or st.session_state.get(JUDGED_KEY) == token:
        return None
    st.session_state[JUDGED_KEY] = token  # judged once: a refused token is not audited at every run
    now = time.time()
    try:
        claims = session_token.read(_secret(), token, now, {name: user.password for name, user in known.items()})
    except session_token.TokenError as exc:
        audit.record(trail(), "(token)", "session_refused", reason=str(exc))
        return None
    if audit.session_ended(trail(), claims.session):
        audit.record(trail(), claims.name, "session_refused", reason="signed_out", sid=claims.session)
        return None
    seen = _last_seen().get(claims.session)
    if seen is not None and now - seen > idle_minutes * 60:
        audit.record(trail(), claims.name, "session_expired", sid=claims.session)
        return None
    audit.record(trail(), claims.name, "session_resumed", sid=claims.session)
    user = known[claims.name]
    signed = st.session_state[SESSION_KEY] = {
        "name": user.name,
        "seen": time.monotonic(),
        "sso": False,
        "hash": user.password,
        "sid": claims.session,
        "expires": claims.expires,
    }
    return signed


def _attempt(name: str, password: str, known: dict[str, User], rules: Rules, lang: str) -> None:
    """Check one sign-in; on success the session holds the user, else a message says why."""
    name = name.strip().lower()
    if not name:
        return
    until = audit.locked_until(trail(), name, int(rules["access.max_failures"]), float(rules["access.lock_minutes"]))
    if until is not None:
        audit.record(trail(), name, "signin_locked")
        st.error(
            i18n.t(
                "access.locked",
                lang,
                minutes=int(rules["access.lock_minutes"]),
                until=until.astimezone().strftime("%H:%M"),
            ),
            icon=":material/lock_clock:",
        )
        return
    user = known.get(name)
    if not verify_password(user, password) or user is None:  # an unknown name costs a hash check too
        audit.record(trail(), name, "signin_failed")
        st.error(i18n.t("access.wrong", lang), icon=":material/error:")
        return
    expires = int(time.time() + float(rules["access.session_hours"]) * 3600)
    token, claims = session_token.issue(_secret(), name, user.password, expires)
    audit.record(trail(), name, "signin_ok", method="password", sid=claims.session)
    st.session_state[SESSION_KEY] = {
        "name": name,
        "seen": time.monotonic(),
        "sso": False,
        "hash": user.password,
        "sid": claims.session,
        "expires": expires,
        "set_cookie": token,  # the next run (after st.rerun) hands it to the browser
    }
    st.session_state.pop(PASSWORD_KEY, None)
    st.rerun()


def _sign_in_form(known: dict[str, User], rules: Rules, lang: str, note: str | None = None) -> NoReturn:
    """The sign-in page; stops the run."""
    st.title(i18n.t("access.title", lang))
    if note:
        st.info(note, icon=":material/timer_off:")
    with st.form("signin", border=True):
        name = st.text_input(i18n.t("access.name", lang), key=NAME_KEY)
        password = st.text_input(i18n.t("access.password", lang), type="password", key=PASSWORD_KEY)
        submitted = st.form_submit_button(i18n.t("access.signin", lang), type="primary", icon=":material/login:")
    if submitted:
        _attempt(name, password, known, rules, lang)
    if _oidc_configured():
        st.button(i18n.t("access.signin_sso", lang), icon=":material/badge:", on_click=st.login)
    st.caption(i18n.t("access.help", lang))
    if st.session_state.pop(FORGET_KEY, False) or _cookie():  # signed out, expired or refused: the browser forgets it
        _cookie_script(st, None)
    st.stop()


def gate(page_name: str, lang: str, rules: Rules) -> User | None:
    """The signed-in user allowed on this page, or None for open access; otherwise the page stops here
    (sign-in form, refusal, or a server other computers reach without users)."""
    try:
        known = users()
    except UsersError as exc:
        st.error(i18n.t("access.users_error", lang, error=i18n.say_of(exc, lang)), icon=":material/error:")
        st.stop()
    if not known:
        address = st.get_option("server.address")
        if not address or not is_local(address):  # unset: Streamlit listens on every interface
            st.error(i18n.t("access.remote_without_users", lang, address=address), icon=":material/lock:")
            st.stop()
        st.sidebar.caption(i18n.t("access.open", lang))
        return None
    signed: dict | None = st.session_state.get(SESSION_KEY)
    now = time.monotonic()
    if signed is None:
        mapped = user_for_email(known, _oidc_email())
        if mapped is not None:
            audit.record(trail(), mapped.name, "signin_ok", method="sso")
            signed = st.session_state[SESSION_KEY] = {"name": mapped.name, "seen": now, "sso": True}
        elif _oidc_email():
            st.error(i18n.t("access.not_mapped", lang, email=_oidc_email()), icon=":material/person_off:")
            st.button(i18n.t("access.signout", lang), on_click=st.logout)
            st.stop()
    if signed is None:
        signed = _resume(known, float(rules["access.idle_minutes"]))
    if signed is None:
        _sign_in_form(known, rules, lang)
    user = known.get(signed["name"])
    if user is None or signed.get("hash", user.password) != user.password:  # removed, or a new password since
        sign_out(signed["name"], "session_expired")
        _sign_in_form(known, rules, lang)
    if now - signed["seen"] > float(rules["access.idle_minutes"]) * 60:
        sign_out(user.name, "session_expired")
        if signed.get("sso"):
            st.logout()
        _sign_in_form(known, rules, lang, i18n.t("access.expired", lang, minutes=int(rules["access.idle_minutes"])))
    if signed.get("expires") is not None and time.time() >= signed["expires"]:
        sign_out(user.name, "session_expired")
        hours = f"{float(rules['access.session_hours']):g}"
        _sign_in_form(known, rules, lang, i18n.t("access.session_over", lang, hours=hours))
    if signed.get("sid") and audit.session_ended(trail(), signed["sid"]):  # signed out in another tab
        st.session_state.pop(SESSION_KEY, None)
        _sign_in_form(known, rules, lang)
    signed["seen"] = now
    if signed.get("sid"):
        _last_seen()[signed["sid"]] = time.time()
    if signed.get("set_cookie"):
        _cookie_script(st.sidebar, signed.pop("set_cookie"), int(signed["expires"] - time.time()))
    sidebar = st.sidebar
    sidebar.caption(i18n.t("access.signed_in_as", lang, name=user.name, role=i18n.t(ROLE_WORDS[user.role], lang)))
    if sidebar.button(i18n.t("access.signout", lang), icon=":material/logout:", key="_signout"):
        sign_out(user.name)
        if signed.get("sso"):
            st.logout()
        st.rerun()
    if not access.may_open(user, page_name):
        audit.record(trail(), user.name, "page_refused", page=page_name)
        st.error(i18n.t("access.refused", lang), icon=":material/block:")
        st.stop()
    return user


def audited(page, what: str, masked: bool, filters: list[tuple[str, str]], build):
    """A download's data callable that writes the export to the audit trail (who, what, the filters,
    masked or not) when the file is made, i.e. when the button is clicked."""
    user_name = page.user.name if page.user else "(open access)"
    scope = page.scope.allowed

    def made():
        audit.record(
            trail(),
            user_name,
            "export",
            what=what,
            masked=masked,
            filters=[[str(label), str(value)] for label, value in filters],
            dealers="all" if scope is None else len(scope),
        )
        return build()

    return made


def audit_upload(page, outcome) -> None:
    """An upload's files and what became of each (app.uploads.Upload) in the audit trail."""
    results = outcome.results
    files = [
        {
            key: (value.item() if hasattr(value, "item") else value)
            for key, value in row.items()
            if key in ("file", "file_name", "kind", "status", "rows_loaded", "rows_rejected")
        }
        for row in results.to_dict("records")
    ]
    audit.record(
        trail(), page.user.name if page.user else "(open access)", "upload", files=files, failure=outcome.failure
    )
