"""Ad-hoc read-only SQL for the Explore page, guarded as datasette guards user SQL, and sandboxed.

Four fences. The statement must be one SELECT (DuckDB's own parser decides, not a regex). It runs in
a worker process that holds no file: an in-memory DuckDB that copied the warehouse's tables, views
and macros with every personal value masked, then detached the warehouse, disabled the local file
system and locked its configuration, so no table function can open any path, no query can reach a
raw name, phone or address, and the warehouse's path is nowhere to be read. DuckDB's memory limit
and an address-space cap bound what a query may take; a timer interrupts it at the time limit, and a
statement the interrupt cannot stop (levenshtein over long strings) is ended by killing the worker
at the deadline, so every statement honours the limit. Results are cut at a row limit, and the
caller is told.

The worker stays warm between queries (a query costs a message round trip, not a process start) and
is replaced when the warehouse file or the rules change, when it is killed, or after a memory error.
"""

from __future__ import annotations

import atexit
import os
import pickle
import resource
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from etl.db import DatabaseBusy, apply_rules, retry_while_locked
from etl.rules import Rules
from etl.schema import KINDS, normalise_header

if TYPE_CHECKING:
    import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
# After the time limit the worker has this long to answer before it is killed.
KILL_GRACE_SECONDS = 0.5
# Building the sandbox waits up to 30 s for a load to release the warehouse, then copies it.
BUILD_SECONDS = 120
# Beyond the copied data and the query's memory limit: Python, the result's objects, thread stacks.
ADDRESS_SPACE_SLACK = 512 * 2**20
# Workers kept warm, one per warehouse; the least recently used beyond this is ended.
WORKERS = 2
VALUE = "__value__"


class QueryRefused(ValueError):
    """The SQL is not allowed here; `code` names the reason for the page's message table."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code, self.detail = code, detail


@dataclass
class QueryResult:
    frame: pd.DataFrame
    truncated: bool
    row_limit: int
    seconds: float


def check_statement(sql: str) -> str:
    """The one SELECT statement in `sql`, or QueryRefused (empty, several, or not a SELECT)."""
    if not sql or not sql.strip():
        raise QueryRefused("empty")
    parser = duckdb.connect(":memory:")
    try:
        statements = parser.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryRefused("syntax", str(exc).splitlines()[0]) from exc
    finally:
        parser.close()
    if len(statements) != 1:
        raise QueryRefused("several_statements", str(len(statements)))
    statement = statements[0]
    if statement.type != duckdb.StatementType.SELECT:
        raise QueryRefused("not_select", statement.type.name)
    return statement.query


# --- masking ---------------------------------------------------------------------------------------


def personal_masks() -> dict[str, str]:
    """Personal column -> its mask as SQL over the placeholder VALUE, as every page masks it: the
    phone and name masks of etl.metrics.privacy; a column without a mask of its own (the address) hidden whole."""
    from etl.metrics.privacy import HIDDEN, PERSONAL, masked_name, masked_phone

    by_column = {"customer_name": masked_name, "customer_phone": masked_phone}
    hidden = f"CASE WHEN trim(CAST({VALUE} AS VARCHAR)) = '' THEN {VALUE} WHEN {VALUE} IS NOT NULL THEN '{HIDDEN}' END"
    return {name: by_column[name](VALUE) if name in by_column else hidden for name in sorted(PERSONAL)}


# Keys of a JSON column's objects (the cells of a file kept aside as extra_columns) that hold personal
# values: every header spelling of a personal column, and words that name a phone, a person or an address.
KEY_WORDS = {
    "customer_phone": ("电话", "手机", "phone", "mobile", "联系方式"),
    "customer_name": ("姓名", "联系人", "客户名", "用户名"),
    "address": ("地址", "住址", "address"),
}


def personal_key(key: str) -> str | None:
    """The personal column a JSON key's values belong to, or None."""
    normalised = normalise_header(key)
    for kind in KINDS:
        for column in kind.columns:
            if column.personal and normalised in {
                normalise_header(s) for s in (column.name, column.chinese, *column.aliases)
            }:
                return column.name
    return next((name for name, words in KEY_WORDS.items() if any(w in normalised for w in words)), None)


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _mask(masks: dict[str, str], column: str, expression: str) -> str:
    return masks[column].replace(VALUE, expression)


def _masked_object(masks: dict[str, str], expression: str, keys: dict[str, str]) -> str:
    """A JSON object with the values of personal keys masked, its key order and layout kept."""
    value = "(e.value->>'$')"
    cases = " ".join(
        f"WHEN e.key = {_quote(key)} THEN to_json({_mask(masks, column, value)})" for key, column in keys.items()
    )
    return (
        f"CAST(map_from_entries(list_transform(map_entries(CAST({expression} AS MAP(VARCHAR, JSON))), "
        f"lambda e: {{'key': e.key, 'value': CASE {cases} ELSE e.value END}})) AS JSON)"
    )


def _without_folders(expression: str, folders: list[str]) -> str:
    """Text with the warehouse's folder cut from the paths in it: the load log's archived copies
    show as archive/<hash>/<file>, and a path elsewhere as its file name."""
    for folder in folders:
        expression = f"replace({expression}, {_quote(folder.rstrip('/') + '/')}, '')"
    return f"CASE WHEN starts_with({expression}, '/') THEN regexp_extract({expression}, '[^/]*$') ELSE {expression} END"


def _masked_select(con, table: str, masks: dict[str, str], folders: list[str]) -> str:
    """SELECT of a warehouse table with personal columns masked, JSON cells too, and no path in the load log."""
    source = f"warehouse.main.{_ident(table)}"
    replaced = []
    for name, data_type in con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = "
        "'warehouse' AND schema_name = 'main' AND table_name = ? ORDER BY column_index",
        [table],
    ).fetchall():
        column = _ident(name)
        if name in masks:
            replaced.append(f"{_mask(masks, name, column)} AS {column}")
        elif table == "load_log" and data_type in ("VARCHAR", "JSON"):
            replaced.append(f"CAST({_without_folders(column, folders)} AS {data_type}) AS {column}")
        elif data_type == "JSON":
            keys = {
                key: column_name
                for (key,) in con.execute(
                    f"SELECT DISTINCT unnest(json_keys({column})) FROM {source} WHERE json_type({column}) = 'OBJECT'"
                ).fetchall()
                if (column_name := personal_key(key))
            }
            if keys:
                replaced.append(
                    f"CAST(CASE WHEN json_type({column}) = 'OBJECT' AND list_has_any(json_keys({column}), "
                    f"[{', '.join(_quote(k) for k in keys)}]) THEN {_masked_object(masks, column, keys)} "
                    f"ELSE {column} END AS JSON) AS {column}"
                )
    return f"SELECT * REPLACE ({', '.join(replaced)}) FROM {source}" if replaced else f"SELECT * FROM {source}"


# --- the worker ------------------------------------------------------------------------------------


def _scrub(message: str, path: Path) -> str:
    for secret in (str(path.resolve()), str(path), str(path.resolve().parent)):
        message = message.replace(secret, "<warehouse>")
    return message


def _copy_rejects(con) -> None:
    """Rejected rows as the Data page shows them (privacy.masked_rejects): under personal headers,
    in the reasons and problems that quote a value, and the cells beyond the header."""
    from etl.metrics.privacy import masked_rejects

    rows = con.execute(
        "SELECT r.*, l.details FROM warehouse.main.rejects r "
        "LEFT JOIN warehouse.main.load_log l ON l.load_id = r.load_id"
    ).df()
    con.register("_masked_rejects", masked_rejects(con, rows).drop(columns=["details"]))
    try:
        con.execute("INSERT INTO memory.main.rejects BY NAME SELECT * FROM _masked_rejects")
    finally:
        con.unregister("_masked_rejects")


# Tables without a dealer_id column that a user limited to some dealers still gets whole: they hold no
# dealer's data. Every other table without dealer_id (the load log, the rejects: other dealers' files) is
# copied empty for such a user (issue 15).
DEALERLESS_TABLES = ("rule_settings", "mart_state", "metric_layer_version")


def _only_allowed(con, table: str, select: str, allowed: tuple[str, ...] | None) -> tuple[str, list]:
    """The table's masked SELECT limited to the allowed dealers' rows (None: every row), and its parameters."""
    if allowed is None or table in DEALERLESS_TABLES:
        return select, []
    has_dealer = con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE database_name = 'warehouse' AND "
        "schema_name = 'main' AND table_name = ? AND column_name = 'dealer_id'",
        [table],
    ).fetchone()[0]
    if not has_dealer:
        return f"{select} LIMIT 0", []
    return f"SELECT * FROM ({select}) WHERE dealer_id IN (SELECT unnest(?::VARCHAR[]))", [list(allowed)]


def build_sandbox(
    path: Path, rules: Rules, memory_limit_mb: int, allowed: tuple[str, ...] | None = None
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB holding a masked copy of the warehouse, with no file access, locked.

    allowed: the dealers a signed-in user may see (etl.access): only their rows are copied, and tables
    that hold other dealers' data without a dealer_id (load log, rejects) stay empty; None: every row.

    The warehouse is attached read-only only while its schema and masked rows are copied, then
    detached: nothing in the sandbox refers to the file, and no raw personal value is in it (not
    even in a column's statistics, which pragma_storage_info shows). DuckDB's memory limit is the
    copy's size plus memory_limit_mb for the query.
    """
    con = duckdb.connect(":memory:")
    literal = _quote(str(path.resolve()))
    masks = personal_masks()
    folders = sorted({str(path.resolve().parent), str(path.absolute().parent)}, key=len, reverse=True)
    try:
        retry_while_locked(lambda: con.execute(f"ATTACH {literal} AS warehouse (READ_ONLY)"), path, 30, None)
        con.execute("COPY FROM DATABASE warehouse TO memory (SCHEMA)")
        for (table,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'warehouse' "
            "AND schema_name = 'main' ORDER BY table_name"
        ).fetchall():
            if table == "rejects" and allowed is None:
                _copy_rejects(con)
            else:
                select, params = _only_allowed(con, table, _masked_select(con, table, masks, folders), allowed)
                con.execute(f"INSERT INTO memory.main.{_ident(table)} {select}", params)
        con.execute("USE memory")
        con.execute("DETACH warehouse")
        apply_rules(con, rules)
        used = con.execute("SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory()").fetchall()[0][0]
        for setting in (
            "temp_directory = ''",
            "secret_directory = ''",
            "extension_directory = ''",
            "home_directory = ''",
            "enable_external_access = false",
            "disabled_filesystems = 'LocalFileSystem'",
            "autoinstall_known_extensions = false",
            "autoload_known_extensions = false",
            "allow_community_extensions = false",
            "allow_unsigned_extensions = false",
            f"memory_limit = '{(used + memory_limit_mb * 2**20) // 2**20}MiB'",
            "lock_configuration = true",
        ):
            con.execute(f"SET {setting}")
    except BaseException:
        con.close()
        raise
    return con


def _cap_address_space(memory_limit_mb: int) -> None:
    """Allocations DuckDB does not count (string heaps, Python's result objects) fail past this cap."""
    con = duckdb.connect(":memory:")
    con.execute("SELECT sum(range) FROM range(1000000)").fetchall()  # start DuckDB's threads first
    con.close()
    with open("/proc/self/status") as status:
        size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    cap = size + memory_limit_mb * 2**20 + ADDRESS_SPACE_SLACK
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def _answer(con, query: str, row_limit: int, timeout_seconds: float, memory_limit_mb: int) -> tuple:
    """Run one query; ("rows", names, rows, truncated) or ("refused", code, detail, retire)."""
    timer = threading.Timer(timeout_seconds, con.interrupt)
    started = time.perf_counter()
    timer.start()
    try:
        cursor = con.execute(query)
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchmany(row_limit + 1)
        return ("rows", names, rows[:row_limit], len(rows) > row_limit)
    except duckdb.InterruptException:
        return ("refused", "timeout", f"{timeout_seconds:g}", False)
    except duckdb.OutOfMemoryException:
        return ("refused", "memory", f"{memory_limit_mb}", False)
    except MemoryError:  # Python's objects for the rows: this process may be short of memory now
        return ("refused", "memory", f"{memory_limit_mb}", True)
    except duckdb.Error as exc:
        if time.perf_counter() - started >= timeout_seconds:
            return ("refused", "timeout", f"{timeout_seconds:g}", False)
        message = str(exc).splitlines()[0]
        lowered = message.lower()
        if "bad_alloc" in lowered or "out of memory" in lowered:
            return ("refused", "memory", f"{memory_limit_mb}", False)
        forbidden = ("permission error", "external access", "disabled by configuration", "lock_configuration")
        code = "forbidden" if any(word in lowered for word in forbidden) else "error"
        return ("refused", code, message, False)
    finally:
        timer.cancel()


def _serve(fd: int) -> None:
    """The worker: build the sandbox, then answer queries until the parent hangs up."""
    channel = Connection(fd)
    path, rules, allowed = channel.recv()
    path = Path(path)
    memory_limit_mb = int(rules["explore.memory_limit_mb"])
    try:
        con = build_sandbox(path, rules, memory_limit_mb, allowed)
        _cap_address_space(memory_limit_mb)
    except DatabaseBusy:
        channel.send(("refused", "busy", "", True))
        return
    except Exception as exc:  # noqa: BLE001 - the parent shows the sentence
        channel.send(("refused", "error", _scrub(str(exc).splitlines()[0], path), True))
        return
    channel.send(("ready",))
    while True:
        try:
            query, row_limit, timeout_seconds, result_limit_mb = channel.recv()
        except EOFError:
            return
        try:
            reply = _answer(con, query, row_limit, timeout_seconds, memory_limit_mb)
            payload = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
            if len(payload) > result_limit_mb * 2**20:
                reply = ("refused", "too_large", f"{result_limit_mb}", False)
                payload = pickle.dumps(reply)
        except MemoryError:
            reply = ("refused", "memory", f"{memory_limit_mb}", True)
            payload = pickle.dumps(reply)
        channel.send_bytes(payload)
        if reply[0] == "refused" and reply[3]:
            return


# --- the parent's side -----------------------------------------------------------------------------


def _stamp(path: Path, rules: Rules, allowed: tuple[str, ...] | None = None) -> tuple:
    """What the sandbox copied: the file as it is now (and its write-ahead log), the rules, the dealers."""
    files: list[tuple[int, int, int] | None] = []
    for file in (path, path.with_name(path.name + ".wal")):
        try:
            stat = file.stat()
            files.append((stat.st_mtime_ns, stat.st_size, stat.st_ino))
        except FileNotFoundError:
            files.append(None)
    return (str(path.resolve()), tuple(files), repr(sorted(rules.values.items())), allowed)


def _child_environment() -> dict[str, str]:
    """Only what Python, DuckDB and the header aliases need: not SERVICE_QC_DB, which names the warehouse."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "SERVICE_QC_HEADER_ALIASES")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env["PYTHONPATH"] = str(ROOT)
    env["MALLOC_ARENA_MAX"] = "2"  # few malloc arenas: the address-space cap stays predictable
    return env


class _Worker:
    """One warm sandbox process; ask() sends one query and waits for it at most until its deadline."""

    def __init__(self, path: Path, rules: Rules, allowed: tuple[str, ...] | None = None):
        self.stamp = _stamp(path, rules, allowed)
        self.lock = threading.Lock()
        self.ready = False
        ours, theirs = socket.socketpair()
        try:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "import sys; from etl.explore import _serve; _serve(int(sys.argv[1]))",
                    str(theirs.fileno()),
                ],
                pass_fds=(theirs.fileno(),),
                cwd=ROOT,
                env=_child_environment(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
            )
        finally:
            theirs.close()
        self.channel = Connection(ours.detach())
        self.channel.send((str(path.resolve()), rules, allowed))

    def alive(self) -> bool:
        return self.process.poll() is None

    def retire(self) -> None:
        """End it once the query it may be running has its answer."""
        with self.lock:
            self.end()

    def end(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.channel.close()

    def _receive(self, seconds: float):
        if not self.channel.poll(max(seconds, 0)):
            return None
        try:
            return pickle.loads(self.channel.recv_bytes())
        except (EOFError, OSError):
            return ("refused", "memory", "", True)

    def wait_ready(self, memory_limit_mb: int) -> None:
        if self.ready:
            return
        reply = self._receive(BUILD_SECONDS)
        if reply is None:
            self.end()
            raise QueryRefused("busy")
        if reply[0] != "ready":
            self.end()
            code, detail = reply[1], reply[2]
            raise QueryRefused(code, f"{memory_limit_mb}" if code == "memory" else detail)
        self.ready = True

    def ask(self, request: tuple, seconds: float, memory_limit_mb: int) -> tuple:
        try:
            self.channel.send(request)
        except OSError:
            self.end()
            return ("refused", "memory", f"{memory_limit_mb}", True)
        reply = self._receive(seconds)
        if reply is None:  # past the deadline: the statement ignored the interrupt
            self.end()
            return ("refused", "timeout", f"{request[2]:g}", True)
        if reply[0] == "refused" and reply[3]:
            self.end()
            if reply[1] == "memory":
                reply = ("refused", "memory", f"{memory_limit_mb}", True)
        return reply


class _Pool:
    """Warm workers by warehouse file and dealers; a worker whose file or rules changed is replaced."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.workers: dict[str, _Worker] = {}

    def worker(self, path: Path, rules: Rules, allowed: tuple[str, ...] | None = None) -> _Worker:
        key = repr((str(path.resolve()), allowed))  # a user limited to some dealers has a sandbox of their own
        stamp = _stamp(path, rules, allowed)
        with self.lock:
            worker = self.workers.pop(key, None)
            if worker is not None and (worker.stamp != stamp or not worker.alive()):
                threading.Thread(target=worker.retire, daemon=True).start()
                worker = None
            if worker is None:
                worker = _Worker(path, rules, allowed)
            self.workers[key] = worker  # most recently used last
            while len(self.workers) > WORKERS:
                oldest = next(iter(self.workers))
                threading.Thread(target=self.workers.pop(oldest).retire, daemon=True).start()
            return worker

    def forget(self, worker: _Worker) -> None:
        with self.lock:
            for key, known in list(self.workers.items()):
                if known is worker:
                    del self.workers[key]

    def end_all(self) -> None:
        with self.lock:
            for worker in self.workers.values():
                worker.end()
            self.workers.clear()


_POOL = _Pool()
atexit.register(_POOL.end_all)


def warm(path: Path, rules: Rules, allowed: tuple[str, ...] | None = None) -> None:
    """Start the sandbox for this warehouse (and dealers) now, so the page's first query finds it built."""
    if path.exists():
        _POOL.worker(path, rules, allowed)


def run_query(
    path: Path,
    rules: Rules,
    sql: str,
    row_limit: int | None = None,
    timeout_seconds: float | None = None,
    allowed: tuple[str, ...] | None = None,
) -> QueryResult:
    """Run one guarded SELECT in the sandbox; QueryRefused for anything else, errors and limits.
    allowed: the signed-in user's dealers (Scope.allowed): a sandbox holding only their rows; None: all."""
    import pandas as pd

    query = check_statement(sql)
    row_limit = row_limit or int(rules["explore.row_limit"])
    timeout_seconds = timeout_seconds or float(rules["explore.query_timeout_seconds"])
    memory_limit_mb = int(rules["explore.memory_limit_mb"])
    result_limit_mb = int(rules["explore.result_limit_mb"])
    if not path.exists():
        raise QueryRefused("error", "no database yet")
    while True:
        worker = _POOL.worker(path, rules, allowed)
        with worker.lock:
            if worker.channel.closed:  # replaced meanwhile (a new load): take the new one
                continue
            try:
                worker.wait_ready(memory_limit_mb)
            except QueryRefused:
                _POOL.forget(worker)
                raise
            started = time.perf_counter()
            reply = worker.ask(
                (query, row_limit, timeout_seconds, result_limit_mb),
                timeout_seconds + KILL_GRACE_SECONDS,
                memory_limit_mb,
            )
            seconds = time.perf_counter() - started
            break
    if not worker.alive() or reply[0] == "refused" and reply[3]:
        _POOL.forget(worker)
    if reply[0] == "refused":
        raise QueryRefused(reply[1], reply[2])
    _, names, rows, truncated = reply
    return QueryResult(pd.DataFrame(rows, columns=names), truncated, row_limit, seconds)


def catalog(con) -> pd.DataFrame:
    """Tables and views with their columns and comments, for the list beside the editor."""
    return con.execute("""
        SELECT c.table_name AS name, CASE WHEN v.view_name IS NULL THEN 'table' ELSE 'view' END AS kind,
               c.column_name AS column_name, c.data_type, coalesce(c.comment, '') AS comment,
               coalesce(t.comment, v.comment, '') AS table_comment
        FROM duckdb_columns() c
        LEFT JOIN duckdb_views() v ON v.view_name = c.table_name AND v.schema_name = c.schema_name
        LEFT JOIN duckdb_tables() t ON t.table_name = c.table_name AND t.schema_name = c.schema_name
        WHERE c.schema_name = 'main' AND NOT c.internal
        ORDER BY kind DESC, name, c.column_index""").df()
