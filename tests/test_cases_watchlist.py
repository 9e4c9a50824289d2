"""Issue 16: a watchlist line opens one case, with its dealer, month, reason and deadline; loading again
(the same file, a resubmitted report, a later day) opens no second one.

Hand-made: three dealers, April 2025 the latest month. The report of a month is due by the 15th of the
next (rules: service.report_due_day = 15), so April's by 2025-05-15. JX1 sends April on 10 May (on
time), JX2 on 20 May (late), JX3 left the network on 31 March and sends nothing (not under contract: no
line). Two records in all, far below statistics.min_sample = 30: no funnel, chart or breach line.
So the watchlist of April has one line: JX2, report_missing.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil

from etl import cases
from etl.db import writer
from etl.load import load_paths
from etl.rules import load_rules
from test_marts import REPAIR_HEADER, TODAY, repair

CLOCK = dt.datetime(2026, 11, 23, 10, 0)  # a Monday
ROSTER = [
    ["dealer_id", "dealer_name", "area_type", "left_on"],
    ["JX1", "一号", "urban", ""],
    ["JX2", "二号", "urban", ""],
    ["JX3", "三号", "urban", "2025-03-31"],
]


def _report(dealer, record, submitted):
    row = repair(record, dealer, "2025-04", f"S{record}", "2025-04-10 09:00", "2025-04-10 15:00")
    row[REPAIR_HEADER.index("submitted_on")] = submitted
    return row


def _write(folder, name, rows):
    path = folder / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _watchlist_cases(database, rules):
    with writer(database, rules) as con:
        found = con.execute(
            "SELECT case_id, dealer_id, month, detail, records, event_at, opened_at, due_at, status, event_key "
            "FROM cases WHERE kind = 'watchlist'"
        ).fetchall()
        history = con.execute(
            "SELECT count(*) FROM case_history WHERE case_id IN (SELECT case_id FROM cases WHERE kind = 'watchlist')"
        ).fetchall()[0][0]
    return found, history


def test_a_late_report_opens_one_watchlist_case_and_loading_again_none(tmp_path, empty_warehouse_file):
    rules = load_rules()
    assert rules["service.report_due_day"] == 15 and rules["cases.due_days_watchlist"] == 10
    assert rules["statistics.min_sample"] == 30 and "watchlist" in rules["cases.kinds"]
    database = tmp_path / "w.duckdb"
    shutil.copyfile(empty_warehouse_file, database)

    def load(name, rows, now=CLOCK):
        return load_paths([_write(tmp_path, name, rows)], database, rules, today=TODAY, now=now)

    assert [r.status for r in load("dealers.csv", ROSTER)] == ["loaded"]
    assert load("repairs_2025-04_JX1.csv", [REPAIR_HEADER, _report("JX1", "R1", "2025-05-10")])[0].rows_loaded == 1
    # JX2 has sent nothing for April, long past its deadline: on the watchlist (JX1 on time, JX3 gone).
    found, history = _watchlist_cases(database, rules)
    # Ten working days after Monday 23 November 2026 10:00 (the load's clock): Monday 7 December, same time.
    assert [row[1:] for row in found] == [
        (
            "JX2",
            dt.date(2025, 4, 1),
            "report_missing report_on_time",
            [],
            dt.datetime(2025, 4, 1),
            CLOCK,
            dt.datetime(2026, 12, 7, 10, 0),
            "open",
            "watchlist|2025-04|JX2|report_missing|report_on_time",
        )
    ]
    assert history == 1  # its opening
    first = found
    # JX2's report comes, late: the same line stays (a report late at its deadline), no second case.
    late = [REPAIR_HEADER, _report("JX2", "Q1", "2025-05-20")]
    assert load("repairs_2025-04_JX2.csv", late)[0].rows_loaded == 1
    assert _watchlist_cases(database, rules) == (first, 1)
    # The same file again: nothing loaded, nothing opened.
    assert load("repairs_2025-04_JX2.csv", late)[0].status == "already_loaded"
    # A resubmitted report (the first submission still decides: still late), a day later: the watchlist is
    # computed again (its day and a month of its window changed) and finds the same line.
    again = [REPAIR_HEADER, _report("JX2", "Q1", "2025-05-21"), _report("JX2", "Q2", "2025-05-21")]
    assert load("repairs_2025-04_JX2_v2.csv", again, CLOCK + dt.timedelta(days=1))[0].rows_loaded == 2
    assert _watchlist_cases(database, rules) == (first, 1)
    assert cases.due_at(rules, "watchlist", CLOCK) == dt.datetime(2026, 12, 7, 10, 0)


def test_a_case_opens_at_the_load_and_is_due_from_then(tmp_path, empty_warehouse_file):
    """Issue 16 point 4, the decision: a case opens when the load that brought its event runs (HQ could not
    act on it before; data arrives monthly, so a deadline from the event itself would be past on arrival),
    by the load's one clock (load_paths' now). Hotline ticket T3 complains about R2 on 15 March 2025; it is
    loaded on Friday 27 November 2026 at 16:00: due three working days later, Wednesday 2 December 16:00,
    over the weekend. A later load leaves both times as they are."""
    from test_marts import _write as write_marts_file

    rules = load_rules()
    assert rules["cases.due_days_complaint"] == 3
    database = tmp_path / "w.duckdb"
    shutil.copyfile(empty_warehouse_file, database)
    friday = dt.datetime(2026, 11, 27, 16, 0)
    for name, now in [
        ("dealers_a.csv", friday),
        ("hotline_2025-03.csv", friday),
        ("repairs_2025-03_JX1.csv", friday + dt.timedelta(days=3)),
    ]:
        load_paths([write_marts_file(tmp_path, name)], database, rules, today=TODAY, now=now)
    with writer(database, rules) as con:
        found = con.execute(
            "SELECT event_at, opened_at, due_at FROM cases WHERE event_key = 'complaint|JX1|record R2'"
        ).fetchall()
    assert found == [(dt.datetime(2025, 3, 15, 10, 0), friday, dt.datetime(2026, 12, 2, 16, 0))]
