"""The audit trail: who signed in (or failed to), uploaded, exported, changed users — append-only (docs/access.md).

Where: a small SQLite file beside the warehouse (config.audit_path(): SERVICE_QC_AUDIT, else
<warehouse folder>/audit.sqlite), not a table in the DuckDB warehouse. The warehouse has one writer at
a time and the dashboard holds it read-only while pages read, so a sign-in would wait for a load of
minutes (or a load for a sign-in); SQLite lets the dashboard, the loader's child process and
`python -m etl users` append at once (each write waits up to BUSY_SECONDS for another's lock), and
its triggers refuse UPDATE and DELETE, so the trail is append-only for every client, not just ours.
The sign-in throttle reads its failures from here, so a lock survives a restart of the dashboard.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pandas as pd

BUSY_SECONDS = 10
EVENTS = (
    "signin_ok",
    "signin_failed",
    "signin_locked",
    "signout",
    "session_expired",
    "session_resumed",
    "session_refused",
    "page_refused",
    "upload",
    "export",
    "user_added",
    "user_removed",
    "user_changed",
    "password_changed",
    "case_edit",
)
COLUMNS = ["id", "at", "user_name", "event", "detail"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,                 -- UTC, ISO 8601 with microseconds: sorts as it reads
    user_name TEXT NOT NULL,          -- who acted (for a failed sign-in: the name typed)
    event TEXT NOT NULL,              -- one of etl.audit.EVENTS
    detail TEXT NOT NULL DEFAULT '{}' -- JSON: what, filters, masked or not, the file names ...
);
CREATE INDEX IF NOT EXISTS audit_user_event ON audit (user_name, event, at);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
"""


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=BUSY_SECONDS)
    con.executescript(SCHEMA)
    return con


def record(path: Path, user_name: str, event: str, at: dt.datetime | None = None, **detail) -> None:
    """Append one event; detail values must be JSON-able (lists, texts, numbers, booleans)."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    with closing(_connect(path)) as con, con:
        con.execute(
            "INSERT INTO audit (at, user_name, event, detail) VALUES (?, ?, ?, ?)",
            (
                _stamp(at or now()),
                user_name,
                event,
                json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str),
            ),
        )


def events(
    path: Path,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    user_name: str | None = None,
    kinds: list[str] | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Events newest first, filtered by time (since inclusive, until exclusive), user and kinds."""
    if not path.exists():
        return pd.DataFrame(columns=COLUMNS)
    conditions, params = [], []
    if since:
        conditions.append("at >= ?")
        params.append(_stamp(since))
    if until:
        conditions.append("at < ?")
        params.append(_stamp(until))
    if user_name:
        conditions.append("user_name = ?")
        params.append(user_name)
    if kinds:
        conditions.append(f"event IN ({', '.join('?' for _ in kinds)})")
        params.extend(kinds)
    sql = f"SELECT {', '.join(COLUMNS)} FROM audit WHERE {' AND '.join(conditions) or '1'} ORDER BY id DESC" + (
        f" LIMIT {int(limit)}" if limit else ""
    )
    with closing(_connect(path)) as con:
        frame = pd.read_sql_query(sql, con, params=params)
    frame["at"] = pd.to_datetime(frame["at"], format="%Y-%m-%dT%H:%M:%S.%fZ", utc=True)
    return frame


def locked_until(
    path: Path, user_name: str, max_failures: int, lock_minutes: float, at: dt.datetime | None = None
) -> dt.datetime | None:
    """When a name's sign-in lock ends, or None when it is not locked.

    A name is locked when its last `max_failures` sign-in attempts all failed (no success between) and
    came within `lock_minutes` of each other; the lock lasts `lock_minutes` from the latest of them.
    Attempts while locked are audited as signin_locked and do not extend it.
    """
    if not path.exists():
        return None
    moment = at or now()
    window = dt.timedelta(minutes=lock_minutes)
    with closing(_connect(path)) as con:
        rows = con.execute(
            "SELECT event, at FROM audit WHERE user_name = ? "
            "AND event IN ('signin_ok', 'signin_failed') AND at <= ? ORDER BY at DESC, id DESC LIMIT ?",
            (user_name, _stamp(moment), max_failures),
        ).fetchall()
    if len(rows) < max_failures or any(event != "signin_failed" for event, _ in rows):
        return None
    latest, earliest = _parse(rows[0][1]), _parse(rows[-1][1])
    if latest - earliest > window:
        return None
    until = latest + window
    return until if moment < until else None


def session_ended(path: Path, session: str) -> bool:
    """True when a sign-in session (its id in the detail's "sid") was signed out or expired: its token is void."""
    if not path.exists():
        return False
    with closing(_connect(path)) as con:
        row = con.execute(
            "SELECT 1 FROM audit WHERE event IN ('signout', 'session_expired') "
            "AND json_extract(detail, '$.sid') = ? LIMIT 1",
            (session,),
        ).fetchone()
    return row is not None


def case_edit(path: Path, user_name: str, case_id: int, action: str, changes: dict, at: dt.datetime | None = None):
    """An edit of a case (issue 16): its id, the action (assign, status, edit) and each changed field's
    [old, new] value."""
    record(path, user_name, "case_edit", at, case_id=case_id, action=action, changes=changes)
