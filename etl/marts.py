"""Marts: the metric layer's dealer-month counts stored as a table, computed when data arrives.

The loaded data changes once a month, the questions are asked all day (issue 13). The view
`dealer_month_counts_view` (etl/metrics/views.sql) stays the one definition; the table
`dealer_month_counts` holds its rows, and everything downstream (dealer_month_metrics, award,
settlement, watchlist, funnels, control charts, reports, pages) reads the table.

A load refreshes, inside its own transaction, only the dealer-months it can change: the rows it
replaced and the rows it brought, plus the dealer-months reached from them (repeat repairs of the
same serial number at any dealer, misses found by a callback on a record, hotline tickets
answered by a record, complaints merged with events of other months, a roster change that moves
a dealer's SLA). Each repair record's flags (repeat, found unresolved, on time) are stored the same way (table
`repair_flags`, definition `repair_flags_view`), so a dealer's record list reads them instead of
searching every repair and callback. Where records' latest versions are is stored too (tables
`superseded_repairs` and `callback_records`), so the call list and the callbacks' lists read their
records from their own months. A full rebuild runs when the definitions or the rules they
read change, and on `python -m etl refresh`. tests/test_marts.py keeps table = view, cell for cell, over loads in many
orders and batches.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re

from etl.schema import CALLBACKS, DEALERS, HOTLINE, NOTICES, REPAIRS, SALES, Kind

STORED = "dealer_month_counts"
DEFINITION = "dealer_month_counts_view"
MACRO = "dealer_month_counts_from"  # the definition for a run of months: what a load refreshes through
FACTS_MACRO = "repair_facts_from"  # each record with its flags, the searched ones read from a named relation
RUN_FLAGS = "mart_run_flags"  # temp: the searched flags of the dealer-months being refreshed, computed once
RUN_FACTS = "mart_run_facts"  # temp view: those records with their flags, what MACRO counts
KEY = ("dealer_id", "month")
# The repair records' searched flags (repeat, found unresolved; a row only where one is true), stored
# beside the counts and refreshed for the same dealer-months: record lists read them through the view
# repair_records, which adds the cheap flags (on time, open ...) from each record's own columns.
FLAGS = "repair_flags"
FLAGS_DEFINITION = "repair_flags_view"
FLAGS_MACRO = "repair_flags_between"
# How a load of each kind can change the searched flags (repair_flags_between reads repairs and callbacks only;
# refresh's modes): a load of another kind leaves every stored flag as it was ("keep").
FLAGS_FOR = {REPAIRS.name: "search", CALLBACKS.name: "callbacks"}
# Where records' latest versions are, stored so that a month's records or a list of callbacks' records are read
# from their own months (issue 13: finding them from every version of every record read all 20 M rows): the repair
# rows a later load superseded (few), and the latest version of each record HQ called back about. Refreshed on
# repairs and callbacks loads for the records the load touched (a callback replaced by a load was on one of them).
SUPERSEDED = "superseded_repairs"
SUPERSEDED_DEFINITION = "superseded_repairs_view"
CALLED = "callback_records"
CALLED_DEFINITION = "callback_records_view"
VERSIONS = "mart_versions"  # temp: every version of the records a load touched, latest first
TOUCHED = "mart_touched"  # temp: the rows a load replaced or brought, in its kind's columns
AFFECTED = "mart_affected"  # temp: the dealer-months to recompute


def rule_names(view_sql: str) -> list[str]:
    """The rules the definition reads (rule('rule_...')): the stored rows depend on exactly these."""
    return sorted(set(re.findall(r"rule\('(rule_[a-z0-9_]+)'\)", view_sql)))


def rules_fingerprint(con, names: list[str]) -> str:
    """The values of those rules as this connection sees them (its variables, else rule_settings)."""
    if not names:
        return ""
    # fetchall, not fetchone: a result left unfinished blocks the connection's next register()
    values = con.execute("SELECT [" + ", ".join(f"CAST(rule('{n}') AS VARCHAR)" for n in names) + "]").fetchall()[0][0]
    return hashlib.sha256(repr(list(zip(names, values))).encode()).hexdigest()[:16]


_CREATED = re.compile(r"^\s*CREATE OR REPLACE (?:MACRO|VIEW|TABLE) (\w+)")


def _statements(sql: str) -> dict[str, str]:
    """views.sql's CREATE statements (their -- comments left out) by the name each creates."""
    code = re.sub(r"--[^\n]*", "", sql)
    found = {}
    for statement in code.split(";"):
        match = _CREATED.match(statement)
        if match:
            found[match.group(1)] = statement
    return found


def _names_used(statement: str) -> set[str]:
    """The identifiers a statement mentions outside its string literals."""
    return set(re.findall(r"\b\w+\b", re.sub(r"'[^']*'", "''", statement)))


def _definition_sql() -> str:
    """The SQL the stored rows are computed from: the definitions of the stored tables and everything they use,
    transitively (not the award's or the settlement's views, which read the stored rows: a what-if on an award
    threshold must not make the stored counts look stale)."""
    from etl.metrics.views import VIEWS_SQL

    statements = _statements(VIEWS_SQL.read_text(encoding="utf-8"))
    used, todo = set(), [DEFINITION, FLAGS_DEFINITION, MACRO, FACTS_MACRO, FLAGS_MACRO, SUPERSEDED_DEFINITION]
    todo.append(CALLED_DEFINITION)
    while todo:
        name = todo.pop()
        if name in used or name not in statements:
            continue
        used.add(name)
        todo += [word for word in _names_used(statements[name]) if word in statements]
    return "\n".join(statements[name] for name in sorted(used))


def _state(con) -> tuple[str, str]:
    from etl.metrics.views import version

    return version(), rules_fingerprint(con, rule_names(_definition_sql()))


def is_fresh(con) -> bool:
    """The stored rows were computed by these definitions with these rules."""
    try:
        rows = con.execute("SELECT definitions, rules FROM mart_state").fetchall()
    except Exception:  # noqa: BLE001 - no mart yet: an empty or older database
        return False
    return len(rows) == 1 and tuple(rows[0]) == _state(con)


def rebuild(con) -> int:
    """Every dealer-month from the definition (after a definition or rules change, or on request)."""
    if con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = ? AND NOT internal", [STORED]).fetchone()[0]:
        con.execute(f"DROP VIEW {STORED} CASCADE")  # a database made before the counts were stored
    con.execute(f"CREATE OR REPLACE TABLE {STORED} AS SELECT * FROM {DEFINITION} ORDER BY month, dealer_id")
    con.execute(
        f"CREATE OR REPLACE TABLE {FLAGS} AS SELECT * FROM {FLAGS_DEFINITION} "
        "ORDER BY report_month, dealer_id, record_no"
    )
    con.execute(
        f"COMMENT ON TABLE {FLAGS} IS 'Stored rows of {FLAGS_DEFINITION} (the repair records with a repeat or "
        "found-unresolved flag), refreshed with dealer_month_counts; the view repair_records joins them to the "
        "records.'"
    )
    con.execute(
        f"COMMENT ON TABLE {STORED} IS 'Stored rows of {DEFINITION} (the definition), refreshed by every "
        "load for the dealer-months it can change and rebuilt when the definitions or rules change.'"
    )
    con.execute(
        f"CREATE OR REPLACE TABLE {SUPERSEDED} AS SELECT * FROM {SUPERSEDED_DEFINITION} "
        "ORDER BY report_month, dealer_id, record_no"
    )
    # The callbacks' records ranked as a load ranks the records it touches (the view's join of every callback
    # with latest_repairs ranks all 20 M rows first: 5.6 s, against 1.9 s at national scale).
    _rank_versions(con, "SELECT DISTINCT dealer_id, record_no FROM callbacks WHERE record_no IS NOT NULL")
    con.execute(f"CREATE OR REPLACE TABLE {CALLED} AS {_CALLED_ROWS}")
    con.execute(f"DROP TABLE {VERSIONS}")
    for table, view, what in (
        (SUPERSEDED, SUPERSEDED_DEFINITION, "the repair rows a later version of their record superseded"),
        (CALLED, CALLED_DEFINITION, "each callback with where the latest version of its record is"),
    ):
        con.execute(
            f"COMMENT ON TABLE {table} IS 'Stored rows of {view} ({what}), refreshed by every repairs and "
            "callbacks load for the records it touches.'"
        )
    _remember_state(con)
    return con.execute(f"SELECT count(*) FROM {STORED}").fetchone()[0]


def _remember_state(con) -> None:
    definitions, rules = _state(con)
    con.execute(
        "CREATE OR REPLACE TABLE mart_state AS SELECT ? AS definitions, ? AS rules, now() AS refreshed_at",
        [definitions, rules],
    )


# ------------------------------------------------------------------ what a load touches

# What the reach of a touched row depends on (the columns _affected_sql reads), per kind.
REACH_COLUMNS = {
    REPAIRS.name: "dealer_id, report_month, record_no, service_type, serial_no, requested_at, hq_ticket_id",
    CALLBACKS.name: "dealer_id, record_no, called_at",
    HOTLINE.name: "dealer_id, record_no, received_at",
    SALES.name: "dealer_id, month",
    DEALERS.name: "dealer_id",
    NOTICES.name: "dealer_id",
}


def before_apply(con, kind: Kind, staged_filter: str = "len(problems) = 0") -> None:
    """Keep the rows the load is about to replace (their dealer-months may lose figures)."""
    table, columns = kind.table, REACH_COLUMNS[kind.name]
    if kind is REPAIRS:
        replaced = (
            f"SELECT {columns} FROM {table} WHERE (dealer_id, report_month) IN "
            f"(SELECT DISTINCT dealer_id, report_month FROM staged WHERE {staged_filter})"
        )
    else:
        key = ", ".join(kind.key)
        replaced = f"SELECT {columns} FROM {table} WHERE ({key}) IN (SELECT ({key}) FROM staged WHERE {staged_filter})"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {TOUCHED} AS {replaced}")


def after_apply(con, kind: Kind, load_id: int, then=None) -> int:
    """Add the rows the load brought, find the dealer-months reached, refresh them. Returns how many.
    then(con, kind): run after the refresh while mart_touched and mart_affected are still there (the
    loader keeps them for the cases, etl.cases.note_refreshed)."""
    con.execute(
        f"INSERT INTO {TOUCHED} SELECT {REACH_COLUMNS[kind.name]} FROM {kind.table} WHERE load_id = ?", [load_id]
    )
    if kind is REPAIRS or kind is CALLBACKS:
        refresh_versions(con, superseded=kind is REPAIRS)  # leaves mart_versions for _affected_sql
    affected = _affected_sql(kind)
    if affected is None:
        con.execute(f"DROP TABLE {TOUCHED}")
        return 0
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {AFFECTED} AS SELECT DISTINCT dealer_id, month FROM ({affected}) "
        "WHERE dealer_id IS NOT NULL AND month IS NOT NULL"
    )
    con.execute(f"DROP TABLE IF EXISTS {VERSIONS}")
    count = refresh(con, FLAGS_FOR.get(kind.name, "keep"))
    if then is not None:
        then(con, kind)
    con.execute(f"DROP TABLE {TOUCHED}")
    con.execute(f"DROP TABLE {AFFECTED}")
    return count


def refresh(con, flags: str = "search") -> int:
    """Recompute the dealer-months listed in the temp table mart_affected, a run of consecutive
    months at a time through the definition's macro, so only those months' rows are read. The searched flags
    (FLAGS_FOR: how a load's kind can change them): "search" finds them again (a repairs load: repeats by serial,
    callbacks that found a record unresolved); "callbacks" keeps the stored repeats and checks again only whether
    the records in mart_touched were found unresolved (a callbacks load: 0.5 s of a national month's refresh);
    "keep" counts from the stored flags (hotline, sales, the roster: the flags do not read them)."""
    con.execute(f"DELETE FROM {STORED} WHERE (dealer_id, month) IN (SELECT (dealer_id, month) FROM {AFFECTED})")
    months = [m for (m,) in con.execute(f"SELECT DISTINCT month FROM {AFFECTED} ORDER BY 1").fetchall()]
    days = float(con.execute("SELECT rule('rule_service_repeat_repair_days')").fetchall()[0][0])
    for first, last in month_runs(months):
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE {RUN_FLAGS} AS
            SELECT f.* FROM {_run_flags_sql(con, flags, first, last, days)} f
            SEMI JOIN {AFFECTED} a ON f.dealer_id = a.dealer_id AND f.report_month = a.month""")
        if flags != "keep":
            con.execute(f"""
                DELETE FROM {FLAGS} WHERE report_month BETWEEN DATE '{first}' AND DATE '{last}'
                  AND (dealer_id, report_month) IN (SELECT (dealer_id, month) FROM {AFFECTED})""")
            con.execute(f"INSERT INTO {FLAGS} SELECT * FROM {RUN_FLAGS}")
        con.execute(f"""
            CREATE OR REPLACE TEMP VIEW {RUN_FACTS} AS
            SELECT f.* FROM {FACTS_MACRO}('{RUN_FLAGS}', DATE '{first}', DATE '{last}') f
            SEMI JOIN {AFFECTED} a ON f.dealer_id = a.dealer_id AND f.report_month = a.month""")
        con.execute(f"""
            INSERT INTO {STORED}
            SELECT v.* FROM {MACRO}('{RUN_FACTS}', DATE '{first}', DATE '{last}') v
            SEMI JOIN {AFFECTED} a ON v.dealer_id = a.dealer_id AND v.month = a.month""")
        con.execute(f"DROP VIEW {RUN_FACTS}")
        con.execute(f"DROP TABLE {RUN_FLAGS}")
    return con.execute(f"SELECT count(*) FROM {AFFECTED}").fetchall()[0][0]


def _run_flags_sql(con, flags: str, first: dt.date, last: dt.date, days: float) -> str:
    """The searched flags of the months first..last (every dealer: the caller keeps the affected ones), as a
    relation: searched again, rechecked for the touched records' callbacks, or as stored."""
    months = f"report_month BETWEEN DATE '{first}' AND DATE '{last}'"
    stored = f"(SELECT * FROM {FLAGS} WHERE {months})"
    if flags == "keep":
        return stored
    if flags == "callbacks":
        # A callbacks load changes found_unresolved of the records it touched, nothing else: the repeats stay as
        # stored (repair_flags_between's callbacks EXISTS, for those records only).
        touched = f"(SELECT DISTINCT dealer_id, record_no FROM {TOUCHED} WHERE record_no IS NOT NULL)"
        return f"""(
            SELECT * FROM {stored} s ANTI JOIN {touched} t ON s.dealer_id = t.dealer_id AND s.record_no = t.record_no
            UNION ALL
            SELECT * FROM (
                SELECT r.dealer_id, r.report_month, r.record_no, coalesce(s.is_repeat, false) AS is_repeat,
                       EXISTS (SELECT 1 FROM callbacks c WHERE c.dealer_id = r.dealer_id
                               AND c.record_no = r.record_no AND c.resolved = false) AS found_unresolved
                FROM (SELECT dealer_id, report_month, record_no FROM repairs WHERE {months}) r
                SEMI JOIN {touched} t ON r.dealer_id = t.dealer_id AND r.record_no = t.record_no
                LEFT JOIN {stored} s
                  ON s.dealer_id = r.dealer_id AND s.report_month = r.report_month AND s.record_no = r.record_no)
            WHERE is_repeat OR found_unresolved)"""
    earliest = con.execute(
        "SELECT min(requested_at) FROM repairs WHERE report_month BETWEEN ? AND ?", [first, last]
    ).fetchall()[0][0]
    # No repair before this can make one of these months' repairs a repeat.
    prior = (earliest or dt.datetime.combine(first, dt.time())) - dt.timedelta(days=math.ceil(days) + 1)
    return f"{FLAGS_MACRO}(DATE '{first}', DATE '{last}', TIMESTAMP '{prior:%Y-%m-%d %H:%M:%S}')"


# The rows of callback_records for the records ranked in mart_versions: each callback on one of them, with where
# its latest version is.
_CALLED_ROWS = f"""
    SELECT c.callback_id, c.called_at, c.dealer_id, c.record_no, v.report_month, v.load_id, v.row_no
    FROM callbacks c JOIN {VERSIONS} v ON v.dealer_id = c.dealer_id AND v.record_no = c.record_no AND v.nth = 1
    ORDER BY c.called_at, c.callback_id"""


def _rank_versions(con, keys: str) -> None:
    """mart_versions: every version of the records (dealer_id, record_no) the query `keys` names, ranked latest
    first as latest_repairs ranks them (a record's versions may be in any month: every row's key is read)."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {VERSIONS} AS
        SELECT r.dealer_id, r.record_no, r.report_month, r.load_id, r.row_no,
               row_number() OVER (PARTITION BY r.dealer_id, r.record_no ORDER BY r.load_id DESC, r.row_no DESC) AS nth
        FROM repairs r SEMI JOIN ({keys}) k ON r.dealer_id = k.dealer_id AND r.record_no = k.record_no""")


def refresh_versions(con, superseded: bool) -> None:
    """Recompute superseded_repairs (when `superseded`: a repairs load) and the rows of callback_records of the
    records (dealer_id, record_no) in mart_touched, from their versions ranked once: mart_versions, left for the
    caller (the dealer-months a callbacks load reaches are those of its records' versions) to drop."""
    keys = f"SELECT DISTINCT dealer_id, record_no FROM {TOUCHED} WHERE record_no IS NOT NULL"
    _rank_versions(con, keys)
    touched = f"(dealer_id, record_no) IN (SELECT (dealer_id, record_no) FROM ({keys}))"
    if superseded:
        con.execute(f"DELETE FROM {SUPERSEDED} WHERE {touched}")
        con.execute(
            f"INSERT INTO {SUPERSEDED} "
            f"SELECT dealer_id, record_no, report_month, load_id, row_no FROM {VERSIONS} WHERE nth > 1"
        )
    con.execute(f"DELETE FROM {CALLED} WHERE {touched}")
    con.execute(f"INSERT INTO {CALLED} {_CALLED_ROWS}")


def month_runs(months: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Sorted first days of months as runs of consecutive months: (first, last) each."""
    runs: list[tuple[dt.date, dt.date]] = []
    for month in months:
        if runs and (runs[-1][1].year * 12 + runs[-1][1].month) + 1 == month.year * 12 + month.month:
            runs[-1] = (runs[-1][0], month)
        else:
            runs.append((month, month))
    return runs


def _month(column: str) -> str:
    return f"CAST(date_trunc('month', {column}) AS DATE)"


def _complaint_groups(pairs: str) -> str:
    """Dealer-months of every complaint event sharing a (dealer, record) with the given pairs: a
    merged complaint counts in the month of its first event, which a load can move."""
    return (
        f"SELECT e.dealer_id, {_month('e.event_at')} AS month FROM complaint_events e "
        f"WHERE e.record_no IS NOT NULL AND (e.dealer_id, e.record_no) IN ({pairs})"
    )


def _affected_sql(kind: Kind) -> str | None:
    """The dealer-months the touched rows of a kind can change, as a query over mart_touched."""
    t = TOUCHED
    if kind is REPAIRS:
        # A repair is a repeat when a repair of the same serial came within repeat_repair_days
        # before it, at any dealer: later repairs of a touched serial can change.
        window = "rule('rule_service_repeat_repair_days') * INTERVAL 1 DAY"
        return f"""
            SELECT dealer_id, report_month AS month FROM {t}
            UNION ALL
            SELECT r.dealer_id, r.report_month FROM repairs r
            WHERE r.service_type = 'repair'
              AND r.requested_at BETWEEN (SELECT min(requested_at) FROM {t})
                                     AND (SELECT max(requested_at) FROM {t}) + {window}
              AND r.serial_no IN (SELECT serial_no FROM {t} WHERE service_type = 'repair' AND serial_no IS NOT NULL)
            UNION ALL
            SELECT h.dealer_id, {_month("h.received_at")} FROM hotline h
            WHERE h.ticket_type = 'repair_request'
              AND (h.dealer_id, h.ticket_id) IN
                  (SELECT (dealer_id, hq_ticket_id) FROM {t} WHERE hq_ticket_id IS NOT NULL)"""
    if kind is CALLBACKS:
        pairs = f"SELECT (dealer_id, record_no) FROM {t} WHERE record_no IS NOT NULL"
        # Every version of the touched callbacks' records: refresh_versions found them (mart_versions).
        return f"""
            SELECT dealer_id, {_month("called_at")} AS month FROM {t}
            UNION ALL
            SELECT dealer_id, report_month FROM {VERSIONS}
            UNION ALL
            {_complaint_groups(pairs)}"""
    if kind is HOTLINE:
        pairs = f"SELECT (dealer_id, record_no) FROM {t} WHERE record_no IS NOT NULL"
        return f"""
            SELECT dealer_id, {_month("received_at")} AS month FROM {t}
            UNION ALL
            {_complaint_groups(pairs)}"""
    if kind is SALES:
        return f"SELECT dealer_id, month FROM {t}"
    if kind is DEALERS:
        # The roster sets each dealer's area type, and so the SLA of all its months.
        dealers = f"SELECT dealer_id FROM {t}"
        return f"""
            SELECT dealer_id, month FROM {STORED} WHERE dealer_id IN ({dealers})
            UNION ALL
            SELECT dealer_id, report_month FROM repairs WHERE dealer_id IN ({dealers})"""
    if kind is NOTICES:
        return None  # notices count per year in dealer_year_totals, not per dealer-month
    raise ValueError(f"no mart rule for {kind.name}")
