"""Load files into the warehouse: one transaction per file, logged, archived (spec 2.7).

read (etl/read.py) -> validate in SQL (etl/validate.py) -> apply here. A file either loads
whole (its good rows, its bad rows into `rejects`, its log line) or leaves the database as
it was. Whatever a file holds, it gets one result with a sentence, and the next file loads:
only KeyboardInterrupt (and a database the loader cannot open) stops the command.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl import cases, marts
from etl.config import archive_dir
from etl.db import writer
from etl.read import DATA_SUFFIXES, FileRejected, Limits, RawFile, kind_from_name, open_file, read_cells, too_slow
from etl.rules import Rules
from etl.schema import KINDS, REPAIRS, Kind
from etl.validate import DateWindow, StagingPlan, normalise_cells, with_row_ids
from i18n import Said, later, say, t

KIND_ORDER = {kind.name: n for n, kind in enumerate(KINDS)}


@dataclass
class FileResult:
    """What happened to one file, as the command line and the Data page report it."""

    file: str
    status: str  # loaded | rejected | already_loaded
    kind: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    message: str = ""
    warnings: list[str] = field(default_factory=list)  # what was assumed (a default date ...)
    notes: list[str] = field(default_factory=list)  # how the file was read (sheets, date order ...)
    details: dict = field(default_factory=dict)  # the same for the load log, as data
    load_id: int | None = None
    # message, warnings and notes as catalog messages (i18n.later: a key and its values), put in words in the
    # reader's language by i18n.say; the load log keeps them in its details ("said"). Plain words (an English
    # sentence no message stands for yet) are shown as they are.
    said: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        """message / warnings / notes given as messages: their English words fill the text fields."""
        message = self.said.get("message")
        if message is not None and not self.message:
            self.message = say(message, "en")
        for name in ("warnings", "notes"):
            if self.said.get(name) and not getattr(self, name):
                setattr(self, name, [say(item, "en") for item in self.said[name]])

    def words(self, name: str, lang: str) -> list[str]:
        """The warnings or the notes in `lang` (their messages, or the English text when there are none)."""
        said = self.said.get(name) or []
        text = getattr(self, name)
        if len(said) != len(text):
            return text
        return [say(item, lang, plain) for item, plain in zip(said, text, strict=True)]

    def line(self, lang: str = "en") -> str:
        """The file's line of `python -m etl load`, in `lang` (en: the words spec 5's tests read)."""
        message = say(self.said.get("message"), lang, self.message)
        if self.status == "rejected":
            kind = self.kind or t("load.unknown_kind", lang)
            return t("load.line_rejected", lang, file=self.file, kind=kind, message=message)
        if self.status == "already_loaded":
            return t("load.line_already_loaded", lang, file=self.file, kind=self.kind, message=message)
        text = t(
            "load.line_loaded",
            lang,
            file=self.file,
            kind=self.kind,
            read=self.rows_read,
            loaded=self.rows_loaded,
            rejected=self.rows_rejected,
        )
        warnings = [t("load.line_warning", lang, text=w) for w in self.words("warnings", lang)]
        return "\n".join([text] + warnings + [t("load.line_note", lang, text=n) for n in self.words("notes", lang)])


def collect_paths(arguments: list[str]) -> list[Path]:
    """Files as given, folders expanded to their data files (sorted by name, recursively)."""
    paths: list[Path] = []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            paths += sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in DATA_SUFFIXES and not p.name.startswith((".", "~$"))
            )
        elif path.is_file():
            paths.append(path)
        else:
            raise FileNotFoundError(f"no such file or folder: {argument}")
    return paths


def load_paths(
    paths: list[Path],
    database: Path,
    rules: Rules,
    submitted_on: dt.date | None = None,
    today: dt.date | None = None,
    on_result=None,
    notify=None,
    now: dt.datetime | None = None,
) -> list[FileResult]:
    """Load files in the kind order of spec 2.7; files whose name tells no kind are read first.
    now: the load's one clock (the cases it opens are opened then, their deadlines counted from it;
    today defaults to its day)."""
    now = now or dt.datetime.now()
    today = today or now.date()
    limits = Limits.from_rules(rules)
    pending: list[tuple[int, int, Path, RawFile | None, FileResult | None]] = []
    for position, path in enumerate(paths):
        kind = kind_from_name(path.name)
        raw, early = None, None
        if kind is None:
            raw, early = _opened(path, limits)
            if early is None:
                try:
                    read_cells(raw)
                except FileRejected as exc:
                    early = FileResult(path.name, "rejected", said={"message": exc.said})
            kind = raw.kind
        order = KIND_ORDER[kind.name] if kind else -1
        pending.append((order, position, path, raw, early))
    results = []
    for _, _, path, raw, early in sorted(pending, key=lambda item: item[:2]):
        result = load_one(path, database, rules, submitted_on, today, raw, early, notify)
        results.append(result)
        if on_result:
            on_result(result)
    if any(result.status == "loaded" for result in results):
        cases.open_after_load(database, rules, notify, now)  # issue 16: every new event opens its case
    return results


def _opened(path: Path, limits: Limits) -> tuple[RawFile, FileResult | None]:
    """The file's bytes; or, when they cannot be read (gone, no permission, over max_file_mb),
    a stand-in without them and the result that says why."""
    try:
        return open_file(path, limits), None
    except FileRejected as exc:
        return (
            RawFile(path=path, content=b"", sha256="", kind=kind_from_name(path.name), limits=limits),
            FileResult(path.name, "rejected", kind=None, said={"message": exc.said}),
        )


class _Watchdog:
    """Stops a file's work when its max_seconds are spent: DuckDB has no statement timeout, so a
    timer interrupts the running statement, and `expired` tells the Python steps between them
    (an interrupt with no statement running is lost)."""

    def __init__(self, con, seconds: float):
        self.con, self.seconds, self.expired = con, seconds, False
        self._armed, self._lock = True, threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            if self._armed:
                self.expired = True
                self.con.interrupt()

    def check(self) -> None:
        if self.expired:
            raise duckdb.InterruptException("max_seconds spent")

    def disarm(self) -> None:
        """Before COMMIT: a file that finished in time is never interrupted afterwards."""
        with self._lock:
            self._armed = False
        self._timer.cancel()


# What the file's line says a step was doing when something unexpected stopped it (load.step.<step> in the
# catalogs); the English words here are the load log's details.
STEPS = {
    "start": "starting its load",
    "archive": "keeping a copy of it in the archive",
    "read": "reading it",
    "check": "checking its rows",
    "store": "storing its rows in the database",
    "log": "writing its line in the load log",
}


def _failure(exc: BaseException, step: str, watchdog: _Watchdog, limits: Limits) -> Said:
    """A sentence for an unexpected failure: what happened and in which step; the exception's own
    words go to the load log's details, not to the person reading the line."""
    doing = later.t(f"load.step.{step}") if step in STEPS else step
    if watchdog.expired or isinstance(exc, duckdb.InterruptException):
        return too_slow(limits.max_seconds)
    what: Said
    if isinstance(exc, duckdb.OutOfMemoryException):
        what = later.t("load.failed_memory_limit", mb=limits.load_memory_mb)
    elif isinstance(exc, MemoryError):
        what = later.t("load.failed_memory")
    elif isinstance(exc, OSError):
        reason = (exc.strerror or "").lower()
        what = later.t("load.failed_disk_because", reason=reason) if reason else later.t("load.failed_disk")
    else:
        return later.t("load.failed_unexpected", doing=doing)
    return later.t("load.failed", what=what, doing=doing)


def load_one(
    path: Path,
    database: Path,
    rules: Rules,
    submitted_on: dt.date | None,
    today: dt.date,
    raw: RawFile | None = None,
    early: FileResult | None = None,
    notify=None,
) -> FileResult:
    """One file, one transaction; any failure of the file rolls back that file only and rejects
    it with a sentence. The file's max_seconds ([limits]) bound its reading, checking and storing."""
    limits = Limits.from_rules(rules)
    if raw is None:
        raw, early = _opened(path, limits)
    kind = raw.kind.name if raw.kind else None
    with writer(database, rules, notify=notify) as con:
        started = dt.datetime.now()
        budget = max(limits.max_seconds - raw.read_seconds, 0.0)  # a file read early spent some already
        raw.deadline = time.monotonic() + budget
        watchdog = _Watchdog(con, budget)
        step = ["start"]
        try:
            con.execute("BEGIN TRANSACTION")
            load_id = con.execute("SELECT nextval('load_ids')").fetchone()[0]
            step[0] = "archive"
            archived = _archive(raw, database, load_id)
            step[0] = "start"
            previous = (
                con.execute(
                    "SELECT file_name, load_id, strftime(finished_at, '%Y-%m-%d %H:%M'), rows_rejected FROM load_log "
                    "WHERE sha256 = ? AND status = 'loaded' ORDER BY load_id LIMIT 1",
                    [raw.sha256],
                ).fetchone()
                if raw.sha256
                else None
            )
            if previous:
                note = later.ngettext("load.rejected_then", previous[3]) if previous[3] else ""
                same = later.t("load.same_content", file=previous[0], load_id=previous[1], at=previous[2], note=note)
                result = FileResult(path.name, "already_loaded", kind=kind, said={"message": same})
            elif early:
                result = early
            else:
                result = _stage_and_apply(con, raw, load_id, submitted_on, today, rules, step, watchdog)
            step[0] = "log"
            _log(con, load_id, raw, archived, result, started)
            watchdog.check()
            watchdog.disarm()
            con.execute("COMMIT")
        except Exception as exc:  # noqa: BLE001 - any failure rejects this file, not the whole load
            watchdog.disarm()
            _rollback(con)
            result = FileResult(
                path.name,
                "rejected",
                kind=raw.kind.name if raw.kind else kind,
                said={"message": _failure(exc, step[0], watchdog, limits)},
                details={
                    "failure": {
                        "while": STEPS.get(step[0], step[0]),
                        "error": type(exc).__name__,
                        "detail": str(exc)[:2000],
                    }
                },
            )
            _log_failure(con, raw, database, result, started)
        except BaseException:
            watchdog.disarm()
            _rollback(con)
            raise
    return result


def _rollback(con) -> None:
    """Undo the file's transaction; a connection that lost it already (a failed COMMIT) has none."""
    with contextlib.suppress(duckdb.Error):
        con.execute("ROLLBACK")


def _log_failure(con, raw: RawFile, database: Path, result: FileResult, started: dt.datetime) -> None:
    """The failed file's log line in a transaction of its own; when even that fails (a full disk),
    the file still has its result line, only without a load number."""
    try:
        con.execute("BEGIN TRANSACTION")
        load_id = con.execute("SELECT nextval('load_ids')").fetchone()[0]
        _log(con, load_id, raw, _archive(raw, database, load_id), result, started)
        con.execute("COMMIT")
    except Exception:  # noqa: BLE001 - the line says what happened; the log is best effort here
        _rollback(con)
        result.load_id = None


def _log(con, load_id: int, raw: RawFile, archived: Path | None, result: FileResult, started: dt.datetime) -> None:
    """The file's line in the load log: its sentences in English, and as messages (details' "said") for the Data
    page to show in its reader's language."""
    result.load_id = load_id
    details = {**result.details, "said": result.said} if result.said else result.details
    con.execute(
        "INSERT INTO load_log (load_id, file_name, archived_as, sha256, kind, status, rows_read, rows_loaded, "
        "rows_rejected, message, warnings, started_at, finished_at, notes, details) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            load_id,
            raw.name,
            str(archived) if archived else None,
            raw.sha256 or None,
            result.kind,
            result.status,
            result.rows_read,
            result.rows_loaded,
            result.rows_rejected,
            result.message,
            "; ".join(result.warnings),
            started,
            dt.datetime.now(),
            "; ".join(result.notes),
            json.dumps(details, ensure_ascii=False, default=str) if details else None,
        ],
    )


def _archive(raw: RawFile, database: Path, load_id: int) -> Path | None:
    """Keep the original bytes, named by content, so any load can be repeated (none when the
    bytes could not be read)."""
    if not raw.sha256:
        return None
    folder = archive_dir(database) / raw.sha256[:16]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / raw.path.name
    if not target.exists():
        # The bytes that were hashed, written beside and renamed into place: a load killed
        # mid-copy leaves no partial archive behind that later loads would take as complete.
        partial = folder / f".{raw.path.name}.{os.getpid()}.partial"
        partial.write_bytes(raw.content)
        os.replace(partial, target)
    return target


def stage(
    con,
    raw: RawFile,
    submitted_on: dt.date | None,
    today: dt.date,
    rules: Rules,
    against_database: bool = True,
    step: list[str] | None = None,
) -> tuple[StagingPlan, FileResult]:
    """Read (when not yet read), register the cells and build `staged` on `con`: what a load
    applies and what `python -m etl inspect` shows. Raises FileRejected for a file that cannot load.
    `step` names the step under way, for the sentence of an unexpected failure."""
    step = step if step is not None else [""]
    if raw.cells is None:
        step[0] = "read"
        read_cells(raw, Limits.from_rules(rules))
    step[0] = "check"
    kind = raw.kind
    assert kind is not None, raw.name  # read_cells knows the file's kind or rejects the file
    result = FileResult(raw.name, "loaded", kind=kind.name)
    has_submitted = "submitted_on" in raw.column_of.values()
    submitted_default = submitted_on if (submitted_on and not has_submitted) else today
    plan = StagingPlan(raw, submitted_default, raw.month_from_name, DateWindow.from_rules(rules, today))
    cells = with_row_ids(raw.cells)
    con.register("raw_cells", cells)
    con.register("clean_cells", normalise_cells(cells))
    try:
        plan.stage(con, against_database)
    finally:
        for name in ("raw_cells", "clean_cells"):
            # after a failed statement the aborted transaction refuses this; the failure itself goes on
            with contextlib.suppress(duckdb.TransactionException):
                con.unregister(name)
    read, rejected = con.execute("SELECT count(*), count(*) FILTER (WHERE len(problems) > 0) FROM staged").fetchone()
    result.rows_read, result.rows_rejected, result.rows_loaded = read, rejected, read - rejected
    notes = list(raw.said_notes) + plan.notes()
    warnings = _submission_warnings(con, has_submitted, submitted_on, today) if kind is REPAIRS else []
    result.said = {"notes": notes, "warnings": warnings}
    result.notes, result.warnings = [say(n, "en") for n in notes], [say(w, "en") for w in warnings]
    result.details = {**(getattr(raw, "details", None) or {}), **plan.details(), "header_row": raw.header_row}
    return plan, result


def _stage_and_apply(
    con,
    raw: RawFile,
    load_id: int,
    submitted_on: dt.date | None,
    today: dt.date,
    rules: Rules,
    step: list[str],
    watchdog: _Watchdog,
) -> FileResult:
    try:
        step[0] = "read" if raw.cells is None else "check"
        _, result = stage(con, raw, submitted_on, today, rules, step=step)
    except FileRejected as exc:
        return FileResult(raw.name, "rejected", kind=raw.kind.name if raw.kind else None, said={"message": exc.said})
    watchdog.check()
    step[0] = "store"
    kind = raw.kind
    assert kind is not None, raw.name  # staged: the kind is known
    con.execute(
        "INSERT INTO rejects (load_id, file_name, kind, row_no, reason, raw_values, sheet, problems) "
        "SELECT ?, ?, ?, row_no, reason, raw_values, sheet, problems FROM staged_rejects",
        [load_id, raw.name, kind.name],
    )
    marts.before_apply(con, kind)
    if kind is REPAIRS:
        _apply_repairs(con, load_id)
    else:
        _upsert(con, kind, load_id)
    marts.after_apply(con, kind, load_id, then=cases.note_refreshed)  # issue 16: the cases' next pass
    con.execute("DROP TABLE staged")
    con.execute("DROP TABLE staged_rejects")
    return result


def _columns(kind: Kind) -> str:
    return ", ".join(f'"{c.name}"' for c in kind.columns) + ", extra_columns, ?, row_no"


def _upsert(con, kind: Kind, load_id: int) -> None:
    """Other kinds upsert by their key: the later load wins (spec 2.7)."""
    key = ", ".join(kind.key)
    con.execute(f"DELETE FROM {kind.table} WHERE ({key}) IN (SELECT ({key}) FROM staged WHERE len(problems) = 0)")
    con.execute(f"INSERT INTO {kind.table} SELECT {_columns(kind)} FROM staged WHERE len(problems) = 0", [load_id])


def _apply_repairs(con, load_id: int) -> None:
    """Each dealer-month in the file replaces what was loaded for it, other dealer-months are
    untouched (spec 6), and the first submission is kept for timeliness."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE delivered AS
        SELECT dealer_id, report_month, min(submitted_on) AS submitted_on
        FROM staged WHERE len(problems) = 0 GROUP BY ALL""")
    con.execute("""
        DELETE FROM repairs WHERE (dealer_id, report_month) IN (SELECT (dealer_id, report_month) FROM delivered)""")
    con.execute(f"INSERT INTO repairs SELECT {_columns(REPAIRS)} FROM staged WHERE len(problems) = 0", [load_id])
    con.execute(
        """
        UPDATE report_submissions s
        SET last_submitted_on = d.submitted_on, last_load_id = ?, submissions = s.submissions + 1
        FROM delivered d WHERE s.dealer_id = d.dealer_id AND s.report_month = d.report_month""",
        [load_id],
    )
    con.execute(
        """
        INSERT INTO report_submissions
        SELECT d.dealer_id, d.report_month, d.submitted_on, ?, d.submitted_on, ?, 1 FROM delivered d
        WHERE NOT EXISTS (SELECT 1 FROM report_submissions s
                          WHERE s.dealer_id = d.dealer_id AND s.report_month = d.report_month)""",
        [load_id, load_id],
    )
    con.execute("DROP TABLE delivered")


def _submission_warnings(con, has_column: bool, option: dt.date | None, today: dt.date) -> list[Said]:
    if not has_column:
        if option:
            return [later.t("load.submitted_from_option", date=str(option))]
        return [later.t("load.submitted_load_date", date=str(today))]
    empty = con.execute("SELECT count(*) FROM staged WHERE t_submitted_on IS NULL AND len(problems) = 0").fetchone()[0]
    if empty:
        return [later.ngettext("load.submitted_empty", empty, date=str(today))]
    return []
