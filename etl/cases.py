"""Issue 16: cases open themselves after every load, and people work them to the end.

open_cases() runs after the loads (etl/load.py's load_paths, used by the command line and by uploads):
each event of a kind the rules list ([cases] kinds) opens one case, keyed by its event (the metric
layer's definitions: etl/metrics/sql/case_events.sql, and the watchlist's lines of the latest month),
so a reload or a resubmitted report never opens a second one; a case whose event went with a corrected
file is withdrawn ("withdrawn by correction"), never deleted, and comes back if its event does.

A pass looks only at what the loads since the last pass changed (issue 13): each load's refresh of the
stored counts keeps its dealer-months in `case_pending` (note_refreshed, in the load's transaction), and
the pass reads the events of those dealer-months (complaints: of those dealers, as a merged complaint
moves to the month of its first event) and the watchlist only when its month, its day (as_of) or a month
of its window changed, or a roster did. The result equals a pass over everything (full=True), which runs
by itself on a first pass and after a change of the rules, the event definitions or the stored counts'
definitions (table `case_sync` keeps what the last pass saw). tests/test_cases_incremental.py.

Clock: a case opens when the load that brought its event opens it (HQ could not act on it before), its
deadline counts from then; the load's one clock (load_paths' `now`) is that time and the watchlist's day.

edit() changes one case in one transaction: the save names the version it was made from and is
refused when someone saved in between ("changed by X at T, reload"); every changed field appends a
line to case_history (who, when, from, to). Resolving needs a root cause and an action, closing a
complaint or fake-record case a re-check. Edits wait for the one writer at most
[cases] edit_wait_seconds (etl/db.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from etl.db import tell, writer
from etl.marts import AFFECTED, TOUCHED
from etl.metrics import named
from etl.metrics.scope import Scope, where
from etl.rules import Rules
from etl.schema import DEALERS, Kind
from i18n import Notice, later

LOAD_AUTHOR = "load"
OPEN, IN_PROGRESS, RESOLVED, CLOSED, REOPENED, WITHDRAWN = (
    "open",
    "in_progress",
    "resolved",
    "closed",
    "reopened",
    "withdrawn",
)
# status -> the statuses a person may move a case to (withdrawn only ever by a load).
TRANSITIONS = {
    OPEN: (IN_PROGRESS, RESOLVED),
    IN_PROGRESS: (OPEN, RESOLVED),
    REOPENED: (IN_PROGRESS, RESOLVED),
    RESOLVED: (IN_PROGRESS, CLOSED, REOPENED),
    CLOSED: (REOPENED,),
    WITHDRAWN: (),
}
NEEDS_RECHECK = ("complaint", "fake_record")
RECHECKS = ("callback", "call_list", "not_possible")
EDITABLE = ("owner", "status", "root_cause", "root_cause_text", "action", "recheck", "recheck_note")
_BEFORE_COMMIT = None  # tests: a callable run inside an edit's transaction, just before COMMIT


class CaseError(ValueError):
    """An edit that cannot be saved: `code` (words: case.error.<code>) and the values its sentence names."""

    def __init__(self, code: str, **values):
        self.code, self.values = code, values
        super().__init__(ERRORS[code].format(**values))


ERRORS = {
    "no_case": "no case {case_id}",
    "out_of_scope": "case {case_id} belongs to a dealer outside your scope",
    "stale": "changed by {who} at {when}, reload",
    "transition": "a {old} case cannot become {new}",
    "needs_cause_action": "resolving needs a root cause and the action taken",
    "unknown_cause": "unknown root cause {cause}",
    "needs_recheck": "closing a {kind} case needs a re-check: a later callback, the next call list, "
    "or a note why none is possible",
    "no_callback": "no callback on the record after the event: choose the call list or say why none is possible",
    "needs_note": "say why no re-check is possible",
    "unknown_field": "{name} cannot be edited",
}


def add_working_days(moment: dt.datetime, days: int) -> dt.datetime:
    """The same time of day `days` working days (Monday to Friday) later; from a Saturday or Sunday the
    count starts on Monday."""
    current, left = moment, days
    while left > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def due_at(rules: Rules, kind: str, opened_at: dt.datetime) -> dt.datetime:
    return add_working_days(opened_at, int(rules[f"cases.due_days_{kind}"]))


@dataclass
class Opened:
    """What one run of open_cases did: cases opened, withdrawn and restored, by kind."""

    opened: dict[str, int] = field(default_factory=dict)
    withdrawn: int = 0
    restored: int = 0
    watchlist_month: dt.date | None = None

    def line(self) -> str:
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(self.opened.items()))
        return (
            f"cases: {sum(self.opened.values())} opened"
            + (f" ({kinds})" if kinds else "")
            + f", {self.withdrawn} withdrawn by correction, {self.restored} back after a correction"
        )


def _watchlist_events(con, month: dt.date, as_of: dt.date) -> pd.DataFrame:
    from etl.metrics import quality  # scipy: only when watchlist lines open cases

    lines = quality.watchlist(con, month, as_of)
    rows = []
    for line in lines.to_dict("records"):
        records = line.get("records")
        rows.append(
            {
                "kind": "watchlist",
                "event_key": f"watchlist|{month:%Y-%m}|{line['dealer_id']}|{line['reason']}|{line.get('metric') or ''}",
                "dealer_id": line["dealer_id"],
                "records": [r.strip() for r in str(records).split(",") if r.strip()]
                if isinstance(records, str)
                else [],
                "evidence": f"watchlist {month:%Y-%m}",
                "event_at": dt.datetime(month.year, month.month, 1),
                "month": month,
                "detail": f"{line['reason']} {line.get('metric') or ''}".strip(),
            }
        )
    return pd.DataFrame(
        rows, columns=["kind", "event_key", "dealer_id", "records", "evidence", "event_at", "month", "detail"]
    )


def _run(con, sql: str, params=None) -> None:
    """A statement run to its end: DuckDB refuses register() on a connection with an unfinished result."""
    (con.execute(sql, params) if params else con.execute(sql)).fetchall()


def _latest_month(con) -> dt.date | None:
    found = con.execute("SELECT max(month) FROM dealer_month_counts WHERE services > 0 OR callbacks > 0").fetchall()
    found = found[0] if found else None
    value = found[0] if found else None
    return value.date() if isinstance(value, dt.datetime) else value


EVERY_MONTH = (dt.date(1, 1, 1), dt.date(9999, 12, 1))  # case_events.sql's $first and $last for every month
PENDING = "case_pending"  # the dealer-months loads refreshed since the last pass (month NULL: a roster line)
SYNC = "case_sync"  # what the last pass saw: its fingerprint, the watchlist's month and day
# The events and cases a pass looks at: of the pending dealer-months; complaints of the pending dealers.
IN_PENDING = (
    "({t}.kind = 'complaint' AND {t}.dealer_id IN (SELECT dealer_id FROM case_pending) OR "
    "({t}.dealer_id, {t}.month) IN (SELECT (dealer_id, month) FROM case_pending WHERE month IS NOT NULL))"
)


def _ensure_sync_tables(con) -> None:
    if _has_table(con, PENDING) and _has_table(con, SYNC):
        return
    con.execute(f"CREATE TABLE IF NOT EXISTS {PENDING} (dealer_id VARCHAR, month DATE)")
    con.execute(f"CREATE TABLE IF NOT EXISTS {SYNC} (fingerprint VARCHAR, watch_month DATE, watch_as_of DATE)")
    con.execute(
        f"COMMENT ON TABLE {PENDING} IS 'The dealer-months loads refreshed since cases were last opened (a month "
        "left empty: a roster line), read and emptied by the next pass (issue 16, etl/cases.py).'"
    )
    con.execute(
        f"COMMENT ON TABLE {SYNC} IS 'What the last pass opening cases saw: a fingerprint of the rules and "
        "definitions, the watchlist month and day it computed (issue 16, etl/cases.py).'"
    )


def note_refreshed(con, kind: Kind) -> None:
    """marts.after_apply's hook, in the load's transaction: the dealer-months it refreshed (a roster: its
    dealers too) wait in case_pending for the next open_cases, which a failed pass leaves there."""
    _ensure_sync_tables(con)
    con.execute(f"INSERT INTO {PENDING} SELECT DISTINCT dealer_id, month FROM {AFFECTED}")
    if kind is DEALERS:
        con.execute(f"INSERT INTO {PENDING} SELECT DISTINCT dealer_id, NULL FROM {TOUCHED}")


def _fingerprint(con, rules: Rules) -> str:
    """What decides the events besides the loaded rows: the rules, the events' SQL, the stored counts'
    definitions and their last rebuild (etl.marts.rebuild writes mart_state)."""
    import hashlib

    mart = (
        con.execute("SELECT CAST(COLUMNS(*) AS VARCHAR) FROM mart_state").fetchall()
        if _has_table(con, "mart_state")
        else []
    )
    text = repr((sorted((k, repr(v)) for k, v in rules.values.items()), named.sql("case_events"), mart))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _has_table(con, name: str) -> bool:
    found = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND NOT temporary", [name])
    return bool(found.fetchall()[0][0])


def _watch_window_first(con, month: dt.date) -> dt.date:
    """The first month the watchlist of `month` reads (etl.metrics.quality.watchlist: the funnel's months
    and the control charts' baseline before it)."""
    from etl.metrics import quality
    from etl.metrics.scope import add_months

    config = quality.settings(con)
    return min(
        add_months(month, 1 - int(config["watchlist.funnel_months"])),
        add_months(month, -int(config["statistics.baseline_months"])),
    )


def _watchlist_due(con, month: dt.date, as_of: dt.date, before: tuple | None) -> bool:
    """The watchlist of `month` as of `as_of` can differ from the last pass's: another month or day, a
    roster line, or a refreshed dealer-month in its window."""
    if before is None or before[1] != month or before[2] != as_of:
        return True
    first = _watch_window_first(con, month)
    changed = con.execute(f"SELECT count(*) FROM {PENDING} WHERE month IS NULL OR month >= ?", [first]).fetchall()
    return bool(changed[0][0])


def open_cases(
    con, rules: Rules, now: dt.datetime | None = None, author: str = LOAD_AUTHOR, full: bool = False
) -> Opened:
    """Open a case for each new event, withdraw those whose event is gone, restore those whose event came
    back: one transaction on the writer `con`. Watchlist lines: the latest month with data, as of now.
    Only the events of the dealer-months loads refreshed since the last pass, unless `full` (or the rules
    or definitions changed since): the same cases either way."""
    now = (now or dt.datetime.now()).replace(microsecond=0)
    kinds = [kind for kind in rules["cases.kinds"]]
    result = Opened()
    _ensure_sync_tables(con)
    fingerprint = _fingerprint(con, rules)
    found = con.execute(f"SELECT fingerprint, watch_month, watch_as_of FROM {SYNC}").fetchall()
    before = tuple(found[0]) if found and found[0][0] == fingerprint else None
    full = full or before is None
    events, span = named.sql("case_events"), {"first": EVERY_MONTH[0], "last": EVERY_MONTH[1]}
    if not full:
        events = f"SELECT * FROM ({events}) e WHERE {IN_PENDING.format(t='e')}"
        first, last = con.execute(f"SELECT min(month), max(month) FROM {PENDING}").fetchall()[0]
        span = {"first": first or EVERY_MONTH[1], "last": last or EVERY_MONTH[0]}  # no month: none
    _run(con, "CREATE OR REPLACE TEMP TABLE case_events_now AS " + events, {"kinds": kinds, **span})
    months: list[dt.date] = []
    watch_month, watch_as_of = (before[1], before[2]) if before else (None, None)
    if "watchlist" in kinds:
        month = _latest_month(con)
        if month is not None and (full or _watchlist_due(con, month, now.date(), before)):
            watch_month, watch_as_of = month, now.date()
            lines = _watchlist_events(con, month, now.date())
            con.register("_watchlist_events", lines)
            _run(
                con,
                "INSERT INTO case_events_now SELECT kind, event_key, dealer_id, CAST(records AS VARCHAR[]), "
                "evidence, CAST(event_at AS TIMESTAMP), CAST(month AS DATE), detail FROM _watchlist_events",
            )
            con.unregister("_watchlist_events")
            months.append(month)
            result.watchlist_month = month
    due = pd.DataFrame({"kind": kinds, "due_at": [due_at(rules, kind, now) for kind in kinds]})
    con.register("_case_due", due)
    synced = (
        "(kind IN (SELECT unnest($kinds)) AND kind <> 'watchlist'"
        + ("" if full else " AND " + IN_PENDING.format(t="cases"))
        + " OR kind = 'watchlist' AND month IN (SELECT unnest($months)))"
    )
    try:
        _run(con, "BEGIN TRANSACTION")
        _run(
            con,
            """
            CREATE OR REPLACE TEMP TABLE case_new AS
            SELECT e.*, CAST(d.due_at AS TIMESTAMP) AS due_at
            FROM case_events_now e JOIN _case_due d USING (kind)
            WHERE e.event_key NOT IN (SELECT event_key FROM cases)
            ORDER BY e.event_at, e.event_key""",
        )
        _run(
            con,
            """
            INSERT INTO cases (case_id, event_key, kind, dealer_id, records, evidence, event_at, month, detail,
                               opened_at, due_at, status, version, updated_by, updated_at)
            SELECT nextval('case_ids'), event_key, kind, dealer_id, records, evidence, event_at, month, detail,
                   $now, due_at, 'open', 1, $author, $now FROM case_new""",
            {"now": now, "author": author},
        )
        _run(
            con,
            """
            INSERT INTO case_history SELECT c.case_id, $now, $author, 'status', NULL, 'open', 1
            FROM cases c SEMI JOIN case_new n USING (event_key)""",
            {"now": now, "author": author},
        )
        for kind, count in con.execute("SELECT kind, count(*) FROM case_new GROUP BY kind").fetchall():
            result.opened[kind] = count
        # Gone with a corrected file: withdrawn, never deleted.
        _run(
            con,
            f"""
            CREATE OR REPLACE TEMP TABLE case_gone AS SELECT case_id, status, version FROM cases
            WHERE {synced} AND status <> 'withdrawn'
              AND event_key NOT IN (SELECT event_key FROM case_events_now)""",
            {"kinds": kinds, "months": months},
        )
        _run(
            con,
            """INSERT INTO case_history SELECT case_id, $now, $author, 'status', status, 'withdrawn', version + 1
                       FROM case_gone""",
            {"now": now, "author": author},
        )
        _run(
            con,
            """UPDATE cases SET status = 'withdrawn', version = version + 1, updated_by = $author,
                       updated_at = $now WHERE case_id IN (SELECT case_id FROM case_gone)""",
            {"now": now, "author": author},
        )
        result.withdrawn = con.execute("SELECT count(*) FROM case_gone").fetchone()[0]
        # Back with a later file: the status it had before it was withdrawn.
        _run(
            con,
            """
            CREATE OR REPLACE TEMP TABLE case_back AS
            SELECT c.case_id, c.version,
                   (SELECT h.old_value FROM case_history h WHERE h.case_id = c.case_id AND h.field = 'status'
                    AND h.new_value = 'withdrawn' ORDER BY h.version DESC LIMIT 1) AS status_before
            FROM cases c WHERE c.status = 'withdrawn'
              AND c.event_key IN (SELECT event_key FROM case_events_now)""",
        )
        _run(
            con,
            """INSERT INTO case_history SELECT case_id, $now, $author, 'status', 'withdrawn',
                       coalesce(status_before, 'open'), version + 1 FROM case_back""",
            {"now": now, "author": author},
        )
        _run(
            con,
            """UPDATE cases SET status = coalesce(b.status_before, 'open'), version = cases.version + 1,
                       updated_by = $author, updated_at = $now FROM case_back b WHERE cases.case_id = b.case_id""",
            {"now": now, "author": author},
        )
        result.restored = con.execute("SELECT count(*) FROM case_back").fetchone()[0]
        _run(con, f"DELETE FROM {PENDING}")
        _run(con, f"DELETE FROM {SYNC}")
        _run(con, f"INSERT INTO {SYNC} VALUES (?, ?, ?)", [fingerprint, watch_month, watch_as_of])
        _run(con, "COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("_case_due")
        for table in ("case_events_now", "case_new", "case_gone", "case_back"):
            con.execute(f"DROP TABLE IF EXISTS {table}")
    return result


def open_after_load(database: Path, rules: Rules, notify=None, now: dt.datetime | None = None) -> Opened | None:
    """open_cases on its own writer after the loads; a failure is told, and the next load opens them."""
    try:
        with writer(database, rules, notify=notify) as con:
            return open_cases(con, rules, now)
    except Exception as exc:  # noqa: BLE001 - the files are loaded; the cases follow at the next load
        (notify or tell)(Notice(later.t("cases.not_opened", error=f"{type(exc).__name__}: {exc}")))
        return None


# --- edits --------------------------------------------------------------------------------------


def _later_callback(con, case: dict) -> bool:
    if not case["records"]:
        return False
    found = con.execute(
        "SELECT count(*) FROM callbacks WHERE dealer_id = ? AND list_contains(?, record_no) AND called_at > ?",
        [case["dealer_id"], list(case["records"]), case["event_at"]],
    ).fetchall()[0]
    return bool(found[0])


def _checked(con, rules: Rules, case: dict, changes: dict, now: dt.datetime) -> dict:
    """The case's new values, or CaseError saying why they cannot be saved."""
    for name in changes:
        if name not in EDITABLE:
            raise CaseError("unknown_field", name=name)
    new = {**case, **{k: (v.strip() or None) if isinstance(v, str) else v for k, v in changes.items()}}
    if new["root_cause"] and new["root_cause"] not in rules["cases.root_causes"]:
        raise CaseError("unknown_cause", cause=new["root_cause"])
    old_status, status = case["status"], new["status"]
    if status != old_status:
        if status not in TRANSITIONS.get(old_status, ()):
            raise CaseError("transition", old=old_status, new=status)
        if status == RESOLVED:
            if not (new["root_cause"] and new["action"]):
                raise CaseError("needs_cause_action")
            new["resolved_at"] = now
        if status == CLOSED:
            if case["kind"] in NEEDS_RECHECK:
                if new["recheck"] not in RECHECKS:
                    raise CaseError("needs_recheck", kind=case["kind"])
                if new["recheck"] == "callback" and not _later_callback(con, case):
                    raise CaseError("no_callback")
                if new["recheck"] == "not_possible" and not new["recheck_note"]:
                    raise CaseError("needs_note")
            new["closed_at"], new["times_closed"] = now, case["times_closed"] + 1
        if status == REOPENED:
            new["times_reopened"] = case["times_reopened"] + 1
            new["closed_at"] = new["resolved_at"] = None
            new["recheck"] = None
    return new


def edit_on(
    con,
    rules: Rules,
    case_id: int,
    version: int,
    author: str,
    changes: dict,
    scope: Scope | None = None,
    now: dt.datetime | None = None,
    saved: list | None = None,
) -> int:
    """Save `changes` to case `case_id` made from `version`, on the writer `con`, in one transaction; the
    new version. CaseError when the case moved on since (stale), is out of `scope` or the change is not
    allowed; nothing is saved then. saved: gets (case_id, action, {field: [old, new]}) once committed."""
    now = (now or dt.datetime.now()).replace(microsecond=0)
    con.execute("BEGIN TRANSACTION")
    try:
        result = con.execute("SELECT * FROM cases WHERE case_id = ?", [case_id])
        names = [column[0] for column in result.description]
        found = result.fetchall()
        if not found:
            raise CaseError("no_case", case_id=case_id)
        case = dict(zip(names, found[0]))
        case["records"] = list(case["records"] or [])
        if scope is not None:
            visible = named.rows(con, "dealers_in_scope", scope=where(scope.dealers_only(), dealers="d"))
            if case["dealer_id"] not in {row[0] for row in visible}:
                raise CaseError("out_of_scope", case_id=case_id)
        if int(case["version"]) != int(version):
            when = pd.Timestamp(case["updated_at"]).strftime("%Y-%m-%d %H:%M:%S") if case["updated_at"] else "?"
            raise CaseError("stale", who=case["updated_by"] or "?", when=when)
        new = _checked(con, rules, case, changes, now)
        changed = [
            name
            for name in EDITABLE + ("resolved_at", "closed_at", "times_closed", "times_reopened")
            if _text(new.get(name)) != _text(case.get(name))
        ]
        if not changed:
            con.execute("ROLLBACK")
            return int(version)
        new_version = int(version) + 1
        assignments = ", ".join(f"{name} = ?" for name in changed)
        con.execute(
            f"UPDATE cases SET {assignments}, version = ?, updated_by = ?, updated_at = ? "
            "WHERE case_id = ? AND version = ?",
            [new[name] for name in changed] + [new_version, author, now, case_id, int(version)],
        )
        for name in changed:
            if name in EDITABLE:
                con.execute(
                    "INSERT INTO case_history VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [case_id, now, author, name, _text(case.get(name)), _text(new.get(name)), new_version],
                )
        if _BEFORE_COMMIT:
            _BEFORE_COMMIT()
        con.execute("COMMIT")
        if saved is not None:
            fields = [name for name in changed if name in EDITABLE]
            saved.append(
                (case_id, _action(fields), {name: [_text(case.get(name)), _text(new.get(name))] for name in fields})
            )
        return new_version
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # no transaction left to undo
            con.execute("ROLLBACK")
        raise


def _action(fields: list[str]) -> str:
    """What an edit did, for the audit trail: status (a status change, with whatever came with it: a
    root cause, an action, a re-check), assign (the owner alone), or edit (texts, a root cause)."""
    if "status" in fields:
        return "status"
    return "assign" if fields == ["owner"] else "edit"


def _audited(database: Path, author: str, saved: list) -> None:
    """Each saved edit in the audit trail (etl/audit.py, beside the warehouse), after its commit."""
    from etl import audit, config

    trail = config.audit_path(database)
    for case_id, action, changes in saved:
        audit.case_edit(trail, author, case_id, action, changes)


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def edit(
    database: Path,
    rules: Rules,
    case_id: int,
    version: int,
    author: str,
    changes: dict,
    scope: Scope | None = None,
    now: dt.datetime | None = None,
    notify=None,
) -> int:
    """edit_on with its own writer, waiting at most [cases] edit_wait_seconds for a load or another edit
    (etl.db.DatabaseBusy after that); the saved edit goes to the audit trail with its author."""
    saved: list = []
    try:
        with writer(database, rules, wait_seconds=float(rules["cases.edit_wait_seconds"]), notify=notify) as con:
            return edit_on(con, rules, case_id, version, author, changes, scope, now, saved)
    finally:
        _audited(database, author, saved)


def assign(
    database: Path,
    rules: Rules,
    versions: dict[int, int],
    owner: str,
    author: str,
    scope: Scope | None = None,
    now: dt.datetime | None = None,
    notify=None,
) -> dict[int, CaseError]:
    """Give every case of `versions` (case_id -> the version shown) to `owner`, each in its own
    transaction on one writer; the cases that could not be assigned, with why."""
    refused: dict[int, CaseError] = {}
    saved: list = []
    try:
        with writer(database, rules, wait_seconds=float(rules["cases.edit_wait_seconds"]), notify=notify) as con:
            for case_id, version in versions.items():
                try:
                    edit_on(con, rules, case_id, version, author, {"owner": owner}, scope, now, saved)
                except CaseError as exc:
                    refused[case_id] = exc
    finally:
        _audited(database, author, saved)
    return refused


# --- the command line: python -m etl cases list|export ------------------------------------------

LIST_COLUMNS = [
    "case_id",
    "kind",
    "status",
    "dealer_id",
    "dealer_name",
    "owner",
    "opened_at",
    "due_at",
    "age_days",
    "overdue",
    "records",
    "detail",
]


def listed(database: Path, rules: Rules, now: dt.datetime, scope: Scope | None = None, **filters) -> pd.DataFrame:
    """The queue (etl.metrics.cases.queue) with its filters, from a short reader."""
    from etl.db import reader
    from etl.metrics import cases as case_metrics

    with reader(database, rules) as con:
        return case_metrics.queue(con, now, scope, **filters)


def export(database: Path, rules: Rules, out: Path, now: dt.datetime, scope: Scope | None = None, **filters) -> int:
    """An Excel workbook: the cases (with their history), and the figures by dealer and by region; inert
    (etl.inert: a text starting with = stays text). The number of cases written."""
    from etl import inert
    from etl.db import reader
    from etl.metrics import cases as case_metrics

    with reader(database, rules) as con:
        found = case_metrics.queue(con, now, scope, **filters)
        history = con.execute(
            "SELECT * FROM case_history WHERE case_id IN (SELECT unnest(?)) ORDER BY case_id, version, field",
            [found["case_id"].tolist()],
        ).df()
        by_dealer = case_metrics.figures(con, now, "dealer", scope)
        by_region = case_metrics.figures(con, now, "region", scope)
    found = found.assign(records=found["records"].map(lambda r: ", ".join(r) if r is not None else ""))
    out.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(out, engine="openpyxl") as excel:
        found.drop(columns=["event_key"]).to_excel(excel, index=False, sheet_name="cases")
        history.to_excel(excel, index=False, sheet_name="history")
        by_dealer.to_excel(excel, index=False, sheet_name="by_dealer")
        by_region.to_excel(excel, index=False, sheet_name="by_region")
        inert.workbook(excel.book)
    return len(found)
