"""The stored dealer-month counts equal their definition, cell for cell, whatever order and
batches the files arrive in (issue 13): loads refresh only the dealer-months they can change,
so every reach across months and dealers must be found. Hypothesis draws the order."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from demo_data import copy_database
from etl import marts
from etl.db import reader, writer
from etl.rules import Rules, load_rules

TODAY = dt.date(2026, 11, 23)
REPAIR_HEADER = [
    "record_no",
    "dealer_id",
    "report_month",
    "submitted_on",
    "service_type",
    "serial_no",
    "hq_ticket_id",
    "requested_at",
    "arrived_at",
    "status",
    "dealer_callback",
]
CALLBACK_HEADER = [
    "callback_id",
    "record_no",
    "dealer_id",
    "called_at",
    "reached",
    "service_confirmed",
    "resolved",
    "satisfaction",
    "complaint",
]
HOTLINE_HEADER = ["ticket_id", "received_at", "dealer_id", "ticket_type", "record_no", "verified"]


def repair(no, dealer, month, serial, requested, arrived="", status="completed", ticket="", service="repair"):
    return [no, dealer, month, f"{month}-28", service, serial, ticket, requested, arrived, status, "Y"]


# Each file: (name, header, rows). Cross reaches built in on purpose:
# - serial S1 repaired by JX1 in March and by JX2 in April within 30 days (a repeat at another dealer);
# - JX1's March record R1 called back in April unresolved (a miss found by a later callback);
# - hotline repair request T1 in March answered by JX2's April record (hq_ticket_id), T2 never;
# - record R2 complained about in a March hotline ticket and again in an April callback (merged);
# - JX1 sends March again without R3 (a resubmission that drops a record);
# - JX1 reports R2 again in April, then sends April again without it (a record's latest version moves to
#   another month and back: the month's records and the callbacks' records are read from where it is);
# - the call center sends April's callbacks again: R1 resolved after all, Q1 (a repeat) not resolved;
# - the roster changes JX2 to county (its SLA, so its on-time counts, change).
FILES = {
    "dealers_a.csv": (["dealer_id", "dealer_name", "area_type"], [["JX1", "一号", "urban"], ["JX2", "二号", "urban"]]),
    "dealers_b.csv": (["dealer_id", "dealer_name", "area_type"], [["JX2", "二号", "county"]]),
    "repairs_2025-03_JX1.csv": (
        REPAIR_HEADER,
        [
            repair("R1", "JX1", "2025-03", "S1", "2025-03-20 09:00", "2025-03-20 20:00"),
            repair("R2", "JX1", "2025-03", "S2", "2025-03-05 09:00", "2025-03-06 08:00"),
            repair("R3", "JX1", "2025-03", "S3", "2025-03-07 09:00", "", "open"),
        ],
    ),
    "repairs_2025-03_JX1_again.csv": (
        REPAIR_HEADER,
        [
            repair("R1", "JX1", "2025-03", "S1", "2025-03-20 09:00", "2025-03-20 20:00"),
            repair("R2", "JX1", "2025-03", "S2", "2025-03-05 09:00", "2025-03-06 08:00"),
        ],
    ),
    "repairs_2025-04_JX2.csv": (
        REPAIR_HEADER,
        [
            repair("Q1", "JX2", "2025-04", "S1", "2025-04-10 10:00", "2025-04-11 09:00", ticket="T1"),
            repair("Q2", "JX2", "2025-04", "S9", "2025-04-12 10:00", "2025-04-12 12:00"),
        ],
    ),
    "repairs_2025-04_JX1.csv": (
        REPAIR_HEADER,
        [
            repair("R2", "JX1", "2025-04", "S2", "2025-04-08 09:00", "2025-04-08 12:00"),
            repair("R4", "JX1", "2025-04", "S4", "2025-04-09 09:00", "2025-04-09 11:00"),
        ],
    ),
    "repairs_2025-04_JX1_again.csv": (
        REPAIR_HEADER,
        [repair("R4", "JX1", "2025-04", "S4", "2025-04-09 09:00", "2025-04-09 11:00")],
    ),
    "callbacks_2025-04.csv": (
        CALLBACK_HEADER,
        [
            ["C1", "R1", "JX1", "2025-04-02 10:00", "Y", "Y", "N", "2", "N"],
            ["C2", "R2", "JX1", "2025-04-03 10:00", "Y", "N", "Y", "5", "Y"],
            ["C3", "Q1", "JX2", "2025-04-20 10:00", "Y", "Y", "Y", "4", "N"],
        ],
    ),
    "callbacks_2025-04_again.csv": (
        CALLBACK_HEADER,
        [
            ["C1", "R1", "JX1", "2025-04-02 10:00", "Y", "Y", "Y", "4", "N"],
            ["C3", "Q1", "JX2", "2025-04-20 10:00", "Y", "Y", "N", "2", "N"],
        ],
    ),
    "hotline_2025-03.csv": (
        HOTLINE_HEADER,
        [
            ["T1", "2025-03-28 10:00", "JX2", "repair_request", "", ""],
            ["T2", "2025-03-29 10:00", "JX2", "repair_request", "", ""],
            ["T3", "2025-03-15 10:00", "JX1", "complaint", "R2", "Y"],
        ],
    ),
    "sales_2025.csv": (
        ["dealer_id", "month", "units_sold", "sales_amount"],
        [["JX1", "2025-03", "100", "5000"], ["JX2", "2025-04", "80", "4000"]],
    ),
}


def _write(folder, name):
    import csv

    header, rows = FILES[name]
    path = folder / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


# Each stored table (or view served from one) and its definition.
PAIRS = (
    (marts.STORED, marts.DEFINITION),
    (marts.FLAGS, marts.FLAGS_DEFINITION),
    (marts.SUPERSEDED, marts.SUPERSEDED_DEFINITION),
    (marts.CALLED, marts.CALLED_DEFINITION),
    ("repair_records", "repair_facts"),
    ("request_records", "requests"),
)


def differences(con) -> tuple[int, int]:
    """Rows of the stored tables missing from their definitions, and of the definitions missing from
    the tables (the dealer-month counts, each repair's flags, the records served from the flags, the superseded
    versions of records and where each callback's record is)."""
    extra = missing = 0
    for stored, view in PAIRS:
        a, b = con.execute(f"""
            SELECT (SELECT count(*) FROM (SELECT * FROM {stored} EXCEPT ALL SELECT * FROM {view})),
                   (SELECT count(*) FROM (SELECT * FROM {view} EXCEPT ALL SELECT * FROM {stored}))""").fetchone()
        extra, missing = extra + a, missing + b
    return extra, missing


def _load_one(path, database, rules):
    from etl.load import load_paths

    return load_paths([path], database, rules, today=TODAY)


def _rules() -> Rules:
    """The rules, but loads open no watchlist case: its lines are a statistics pass over every dealer after each
    load (a third of this module's time), which no count here reads (tests/test_cases.py tests it); as
    tests/conftest.py's `wh` does."""
    rules = load_rules()
    kinds = tuple(kind for kind in rules["cases.kinds"] if kind != "watchlist")
    return Rules({**rules.values, "cases.kinds": kinds}, rules.source)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(sorted(set(FILES) - {"dealers_a.csv"})))
def test_stored_counts_equal_the_definition_after_every_load_in_any_order(
    tmp_path_factory, empty_warehouse_file, order
):
    """The roster first (without it every row is rejected), the rest in any order; each order starts from a copy
    of the empty database (tests/conftest.py), not from creating it."""
    folder = tmp_path_factory.mktemp("marts")
    database, rules = copy_database(empty_warehouse_file, folder / "w.duckdb"), _rules()
    for name in ["dealers_a.csv", *order]:
        _load_one(_write(folder, name), database, rules)
        with reader(database, rules) as con:
            assert differences(con) == (0, 0), f"after {name} (order {order})"


def test_the_cross_reaches_change_the_months_they_reach(tmp_path):
    """Hand-counted: after everything, JX1 March has 2 services (R3 dropped), 1 miss (R1 found
    unresolved in April), 1 complaint (R2: the March ticket and the April callback merged, in March);
    JX2 April has 2 services, 1 repeat (Q1: S1 repaired by JX1 on 20 March, 21 days before), both on
    time (23 h and 2 h); JX2 March has one request, the hotline ticket T2 no record answered, missed
    (T1 is answered by Q1 and counts as Q1)."""
    database, rules = tmp_path / "w.duckdb", _rules()
    for name in [
        "dealers_a.csv",
        "repairs_2025-03_JX1.csv",
        "repairs_2025-04_JX2.csv",
        "hotline_2025-03.csv",
        "callbacks_2025-04.csv",
        "repairs_2025-03_JX1_again.csv",
        "sales_2025.csv",
        "dealers_b.csv",
    ]:
        _load_one(_write(tmp_path, name), database, rules)
        with reader(database, rules) as con:
            assert differences(con) == (0, 0), f"after {name}"
    with reader(database, rules) as con:
        rows = {
            (d, str(m)): r
            for d, m, *r in con.execute(
                "SELECT dealer_id, month, services, misses, complaints, repeat_repairs, requests, on_time "
                "FROM dealer_month_counts ORDER BY ALL"
            ).fetchall()
        }
        assert differences(con) == (0, 0)
        flags = {
            r: f
            for r, *f in con.execute(
                "SELECT record_no, is_repeat, found_unresolved, is_missed FROM repair_records ORDER BY ALL"
            ).fetchall()
        }
    # Q1 (JX2, April) repeats S1's March repair at JX1; R1 was found unresolved by April's callback.
    assert flags["Q1"] == [True, False, False] and flags["R1"] == [False, True, True]
    assert rows[("JX1", "2025-03-01")] == [2, 1, 1, 0, 2, 2]
    assert rows[("JX2", "2025-04-01")] == [2, 0, 0, 1, 2, 2]
    assert rows[("JX2", "2025-03-01")] == [0, 1, 0, 0, 1, 0]


def test_callbacks_sent_again_move_a_found_unresolved_miss_and_keep_the_repeat(tmp_path):
    """A callbacks load checks again only its records' found-unresolved flag (marts.refresh, "callbacks"): after
    April's callbacks come again with R1 resolved and Q1 not, JX1's March has one miss left (R3, open; R1 no
    longer: 2 before) and JX2's April one (Q1: 0 before), while Q1 stays a repeat of S1 (both flags on one
    record)."""
    database, rules = tmp_path / "w.duckdb", _rules()
    names = ["dealers_a.csv", "repairs_2025-03_JX1.csv", "repairs_2025-04_JX2.csv", "callbacks_2025-04.csv"]
    seen = []
    for name in [*names, "callbacks_2025-04_again.csv"]:
        _load_one(_write(tmp_path, name), database, rules)
        with reader(database, rules) as con:
            assert differences(con) == (0, 0), f"after {name}"
            flags = {
                r: f
                for r, *f in con.execute(
                    "SELECT record_no, is_repeat, found_unresolved FROM repair_records ORDER BY ALL"
                ).fetchall()
            }
            misses = dict(
                con.execute(
                    "SELECT dealer_id || ' ' || strftime(month, '%Y-%m'), misses FROM dealer_month_counts "
                    "WHERE services > 0"
                ).fetchall()
            )
            seen.append((flags, misses))
    (flags_before, misses_before), (flags, misses) = seen[-2:]
    assert flags_before["Q1"] == [True, False] and flags_before["R1"] == [False, True]
    assert misses_before == {"JX1 2025-03": 2, "JX2 2025-04": 0}
    assert flags["Q1"] == [True, True] and flags["R1"] == [False, False]
    assert misses == {"JX1 2025-03": 1, "JX2 2025-04": 1}


def test_refresh_rebuilds_and_a_rules_change_rebuilds_by_itself(tmp_path):
    """The SLA is a rule the counts read: a rules file with another SLA makes the next connection
    rebuild the stored rows, so they never show the old rules' figures."""
    database, rules = tmp_path / "w.duckdb", load_rules()
    for name in ["dealers_a.csv", "repairs_2025-03_JX1.csv"]:
        _load_one(_write(tmp_path, name), database, rules)
    with reader(database, rules) as con:
        # R1 arrived after 11 h, R2 after 23 h: both within the 24 h urban SLA.
        assert con.execute("SELECT on_time FROM dealer_month_counts WHERE dealer_id = 'JX1'").fetchone()[0] == 2
    strict = rules.with_overrides({"service.sla_hours_urban": 12})
    with reader(database, strict) as con:
        assert con.execute("SELECT on_time FROM dealer_month_counts WHERE dealer_id = 'JX1'").fetchone()[0] == 1
        assert differences(con) == (0, 0)
    with writer(database, rules) as con:
        assert marts.rebuild(con) == 1
        assert con.execute("SELECT on_time FROM dealer_month_counts").fetchone()[0] == 2
        assert differences(con) == (0, 0)


def test_refresh_after_a_definitions_change_rebuilds_once(tmp_path, monkeypatch, capsys):
    """`python -m etl refresh` on counts stored by older definitions: the writer rebuilds them as it opens, and the
    command does not rebuild them a second time; on fresh counts it rebuilds once. Either way it reports the rows."""
    from etl import cli

    database, rules = tmp_path / "w.duckdb", load_rules()
    for name in ["dealers_a.csv", "repairs_2025-03_JX1.csv"]:
        _load_one(_write(tmp_path, name), database, rules)
    with writer(database, rules) as con:
        con.execute("UPDATE mart_state SET definitions = 'older code'")
    rebuilds = []
    real = marts.rebuild
    monkeypatch.setattr(marts, "rebuild", lambda con: rebuilds.append(1) or real(con))
    for expected in (1, 2):  # stale (the writer's rebuild only), then fresh (the command's own)
        assert cli.main(["refresh", "--db", str(database), "--lang", "en"]) == 0
        assert len(rebuilds) == expected
        assert "refreshed dealer_month_counts: 1 dealer-month in" in capsys.readouterr().out  # JX1, March
    with reader(database, rules) as con:
        assert marts.is_fresh(con) and differences(con) == (0, 0)


def test_the_stored_rows_depend_on_their_own_rules_only_so_an_award_what_if_writes_nothing(tmp_path):
    """The stored counts read four rules (the two SLAs, the repeat window, the report due day), not the award's or
    the settlement's: an Award what-if (a reader with other award thresholds) finds them fresh and neither rebuilds
    them nor rewrites the rules kept in the database; another SLA still does."""
    assert marts.rule_names(marts._definition_sql()) == [
        "rule_service_repeat_repair_days",
        "rule_service_report_due_day",
        "rule_service_sla_hours_county",
        "rule_service_sla_hours_urban",
    ]
    database, rules = tmp_path / "w.duckdb", load_rules()
    for name in ["dealers_a.csv", "repairs_2025-03_JX1.csv"]:
        _load_one(_write(tmp_path, name), database, rules)
    kept = "SELECT definitions, rules, (SELECT list(value ORDER BY key) FROM rule_settings) FROM mart_state"
    with reader(database, rules) as con:
        before = con.execute(kept).fetchall()
    what_if = rules.with_overrides({"award.min_satisfaction_rate": 0.5, "award.max_notices": 9})
    with reader(database, what_if) as con:
        assert marts.is_fresh(con)
        assert con.execute(kept).fetchall() == before  # nothing was written
    with reader(database, rules.with_overrides({"service.sla_hours_county": 30})) as con:
        assert con.execute(kept).fetchall() != before  # the counts were rebuilt with the other SLA


def test_a_months_latest_records_read_from_its_own_records_are_the_latest_of_all(tmp_path):
    """latest_repairs_of(keys), a month's rows less the stored superseded_repairs (the call list's month) and
    callback_versions_of(callbacks) (a list of callbacks' records: issue 13) give, for the records they are asked
    about, exactly the rows of latest_repairs, the latest version of each record across all months (FILES: JX1's
    March report is sent twice, the second without R3; R2 is reported again in April, and April sent again without
    it: its callback C2 is on the March version again)."""
    database, rules = tmp_path / "w.duckdb", load_rules()
    for name in FILES:
        _load_one(_write(tmp_path, name), database, rules)
    with reader(database, rules) as con:
        months = [m for (m,) in con.execute("SELECT DISTINCT report_month FROM repairs ORDER BY 1").fetchall()]
        assert len(months) == 2
        for month in months:
            whole, asked, between = con.execute(
                """WITH month_keys AS (SELECT dealer_id, record_no FROM repairs WHERE report_month = $m)
                SELECT (SELECT list(r ORDER BY r.dealer_id, r.record_no) FROM latest_repairs r WHERE report_month = $m),
                       (SELECT list(r ORDER BY r.dealer_id, r.record_no) FROM latest_repairs_of('month_keys') r
                        WHERE report_month = $m),
                       (SELECT list(r ORDER BY r.dealer_id, r.record_no) FROM repairs r
                        WHERE report_month = $m AND (dealer_id, record_no, report_month, load_id, row_no) NOT IN
                            (SELECT (dealer_id, record_no, report_month, load_id, row_no) FROM superseded_repairs))""",
                {"m": month},
            ).fetchone()
            assert whole and whole == asked == between
        total = con.execute("SELECT count(*), count(DISTINCT (dealer_id, record_no)) FROM latest_repairs").fetchone()
        assert total[0] == total[1]  # one row per record
        whole = con.execute(
            "SELECT c.callback_id, r.* FROM callbacks c JOIN latest_repairs r USING (dealer_id, record_no) ORDER BY 1"
        ).fetchall()
        found = con.execute(
            "SELECT v.callback_id, r.* FROM callback_versions_of('callbacks') v JOIN repairs r ON r.rowid = v.version "
            "ORDER BY 1"
        ).fetchall()
        assert len(whole) == 3 and whole == found
        assert con.execute("SELECT report_month FROM callback_records WHERE callback_id = 'C2'").fetchone()[0] == (
            dt.date(2025, 3, 1)
        )


PHONE_HEADER = [*REPAIR_HEADER, "customer_phone"]
# A record reported in one month and again in the next, with another phone, and called back in between: which
# month's list holds it, and which phone counts as recently called, follow its latest version.
PHONE_FILES = {
    "repairs_2025-03_JX1.csv": (
        PHONE_HEADER,
        [
            [*repair("R1", "JX1", "2025-03", "S1", "2025-03-20 09:00", "2025-03-20 10:00"), "13800000001"],
            [*repair("R2", "JX1", "2025-03", "S2", "2025-03-21 09:00", "2025-03-21 10:00"), "13800000002"],
            [*repair("R3", "JX1", "2025-03", "S3", "2025-03-22 09:00", "2025-03-22 10:00"), "13800000003"],
        ],
    ),
    "callbacks_2025-04.csv": (CALLBACK_HEADER, [["C2", "R2", "JX1", "2025-04-02 10:00", "Y", "Y", "Y", "5", "N"]]),
    "repairs_2025-04_JX1.csv": (
        PHONE_HEADER,
        [
            [*repair("R2", "JX1", "2025-04", "S2", "2025-04-08 09:00", "2025-04-08 10:00"), "13800000009"],
            [*repair("R4", "JX1", "2025-04", "S4", "2025-04-09 09:00", "2025-04-09 10:00"), "13800000004"],
        ],
    ),
    "repairs_2025-04_JX1_again.csv": (
        PHONE_HEADER,
        [[*repair("R4", "JX1", "2025-04", "S4", "2025-04-09 09:00", "2025-04-09 10:00"), "13800000004"]],
    ),
}


def _call_list(con, month: str) -> tuple[list[str], bool]:
    """The whole call list of a month (share 1) as of 20 April 2025: its records, and whether the named query drew
    the same rows as the call list's definition over whole records (tests/test_pages_large.py)."""
    from etl.metrics import named
    from test_pages_large import CALL_LIST_BY_DEFINITION

    params = {"seed": 1, "report_month": dt.date.fromisoformat(month), "share": 1.0, "as_of": "2025-04-20"}
    params |= {"no_repeat_days": 90}
    drawn = named.run(con, "callback_list", params)
    return sorted(drawn["record_no"]), drawn.equals(con.execute(CALL_LIST_BY_DEFINITION, params).df())


def test_the_call_list_follows_each_records_latest_version(tmp_path, monkeypatch):
    """Hand-checked. R2 (called on 2 April) reported in March, then again in April with another phone: March's
    list has R1 and R3 (R2 is April's now), April's has R4 only (R2's phone, the April one, was called). April
    sent again without R2: R2 is March's again, and its March phone the one called, so March's list is still R1 and
    R3. The same rows as the definition over whole records each time; a rebuild stores the rows the loads did."""
    for name, content in PHONE_FILES.items():
        monkeypatch.setitem(FILES, name, content)
    database, rules = tmp_path / "w.duckdb", _rules()
    for name in ["dealers_a.csv", "repairs_2025-03_JX1.csv", "callbacks_2025-04.csv", "repairs_2025-04_JX1.csv"]:
        _load_one(_write(tmp_path, name), database, rules)
    with reader(database, rules) as con:
        assert differences(con) == (0, 0)
        assert con.execute("SELECT record_no, report_month FROM superseded_repairs").fetchall() == [
            ("R2", dt.date(2025, 3, 1))
        ]
        assert _call_list(con, "2025-03-01") == (["R1", "R3"], True)
        assert _call_list(con, "2025-04-01") == (["R4"], True)
    with writer(database, rules) as con:  # a rebuild (python -m etl refresh) stores the same rows
        marts.rebuild(con)
        assert differences(con) == (0, 0)
    _load_one(_write(tmp_path, "repairs_2025-04_JX1_again.csv"), database, rules)
    with reader(database, rules) as con:
        assert differences(con) == (0, 0)
        assert con.execute("SELECT count(*) FROM superseded_repairs").fetchone()[0] == 0
        assert _call_list(con, "2025-03-01") == (["R1", "R3"], True)
        assert _call_list(con, "2025-04-01") == (["R4"], True)
