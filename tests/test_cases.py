"""Issue 16: cases open themselves after every load, once per event; people work them; figures by hand.

Small hand-made data (tests/metric_data.py); every expected figure is counted in the comments.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from conftest import Warehouse
from demo_data import copy_database
from etl import cases
from etl.cases import CaseError
from etl.db import reader, writer
from etl.metrics import cases as case_metrics
from etl.metrics import operations
from etl.metrics.scope import Scope
from etl.rules import RulesError, load_rules
from metric_data import HOTLINE_HEADER, REPAIR_HEADER, repair, ticket

pytestmark = pytest.mark.usefixtures("prebuilt_warehouse")  # each test's database starts from the empty one
ROOT = Path(__file__).resolve().parent.parent
EVENT_KINDS = ["complaint", "fake_record", "dissatisfied", "missed_request", "conduct_issue"]
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
    "conduct_issue",
]
MONDAY = dt.datetime(2026, 3, 2, 9, 0)


def cb(
    callback_id,
    record_no,
    dealer_id="D1",
    called="2025-04-15 10:00",
    *,
    confirmed="Y",
    satisfaction="5",
    complaint="N",
    conduct="",
):
    return [callback_id, record_no, dealer_id, called, "Y", confirmed, "Y", satisfaction, complaint, conduct]


PHONE_HEADER = REPAIR_HEADER + ["customer_name", "customer_phone"]


def rep(record_no, dealer_id="D1", **kw):
    """A repair record with its customer (a name and a phone by record number)."""
    return repair(record_no, dealer_id, **kw) + [f"客户{record_no}", f"1380000000{record_no[-1]}"]


def repairs(submitted="2025-04-10"):
    """R2 open (a missed request); the others completed. A later submission date: a resubmitted report."""
    return [
        rep("R1", submitted=submitted),
        rep("R2", status="open", submitted=submitted),
        rep("R3", submitted=submitted),
        rep("R4", submitted=submitted),
        rep("R5", "D2", submitted=submitted),
    ]


REPAIRS = repairs()
CALLBACKS = [
    cb("C1", "R1", satisfaction="2"),  # dissatisfied (D1)
    cb("C2", "R3", confirmed="N"),  # fake record (D1)
    cb("C3", "R1", called="2025-04-16 10:00", complaint="Y"),  # complaint R1 (D1) ...
    cb("C4", "R5", "D2", satisfaction="1", complaint="Y"),  # complaint R5 and dissatisfied (D2)
    cb("C5", "R4", conduct="收礼、乱收费"),  # one conduct issue case (D1)
]
HOTLINE = [ticket("H1", "2025-04-17 11:00", record_no="R1")]  # ... merged with C3: one complaint
# Expected: complaint 2 (D1 R1, D2 R5), fake 1, dissatisfied 2, missed 1 (R2 open), conduct 1 = 7 cases.
EXPECTED = {"complaint": 2, "fake_record": 1, "dissatisfied": 2, "missed_request": 1, "conduct_issue": 1}


def _rules(kinds=EVENT_KINDS):
    return load_rules().with_overrides({"cases.kinds": list(kinds)})


def _load(wh, rules, repairs=REPAIRS, callbacks=CALLBACKS, tag=""):
    wh.dealers(["D1", "One"], ["D2", "Two"])
    files = [
        wh.file(f"repairs{tag}.csv", [PHONE_HEADER, *repairs]),
        wh.file(f"callbacks{tag}.csv", [CALLBACK_HEADER, *callbacks]),
        wh.file("hotline.csv", [HOTLINE_HEADER, *HOTLINE]),
    ]
    results = wh.load(*files, rules=rules)
    assert all(r.status in ("loaded", "already_loaded") and not r.rows_rejected for r in results), [
        (r.file, r.message) for r in results
    ]


def _cases(wh):
    return {
        row[0]: row[1:]
        for row in wh.query("SELECT event_key, kind, status, records, version FROM cases ORDER BY case_id")
    }


def test_every_event_opens_one_case_and_a_reload_opens_none(wh):
    rules = _rules()
    _load(wh, rules)
    found = _cases(wh)
    kinds = {kind: sum(v[0] == kind for v in found.values()) for kind in EXPECTED}
    assert kinds == EXPECTED
    assert found["complaint|D1|record R1"][2] == ["R1"]  # C3 and H1 merged, as the complaints view merges
    assert found["missed_request|D1|2025-03|repair_record R2"][:2] == ("missed_request", "open")
    history = wh.query("SELECT count(*), min(author), min(new_value) FROM case_history")
    assert history == [(7, "load", "open")]
    # The same files again (already loaded), and a resubmitted report with the same rows: no second case.
    _load(wh, rules)
    _load(wh, rules, repairs=repairs("2025-04-12"), tag="_again")
    assert len(_cases(wh)) == 7


def test_an_event_gone_with_a_corrected_file_withdraws_its_case_and_comes_back_with_its_status(wh):
    rules = _rules()
    _load(wh, rules)
    key = "fake_record|C2"
    with writer(wh.path, rules) as con:
        case_id = con.execute("SELECT case_id FROM cases WHERE event_key = ?", [key]).fetchall()[0][0]
        cases.edit_on(con, rules, case_id, 1, "王芳", {"status": "in_progress"})
    corrected = [row if row[0] != "C2" else cb("C2", "R3") for row in CALLBACKS]  # C2: service confirmed
    fixed = [row if row[0] != "R2" else rep("R2") for row in REPAIRS]  # R2 completed
    _load(wh, rules, repairs=fixed, callbacks=corrected, tag="_corrected")
    found = _cases(wh)
    assert found[key][1] == "withdrawn" and found["missed_request|D1|2025-03|repair_record R2"][1] == "withdrawn"
    assert len(found) == 7  # never deleted
    _load(
        wh,
        rules,
        repairs=repairs("2025-04-13"),  # the first rows again
        callbacks=CALLBACKS + [cb("C6", "R4", satisfaction="4")],
        tag="_back",
    )
    found = _cases(wh)
    assert found[key][1] == "in_progress" and found[key][3] == 4  # 1 open, 2 edit, 3 out, 4 back
    assert found["missed_request|D1|2025-03|repair_record R2"][1] == "open"
    assert wh.query(
        "SELECT old_value, new_value, author FROM case_history WHERE case_id = ? ORDER BY version", [case_id]
    ) == [
        (None, "open", "load"),
        ("open", "in_progress", "王芳"),
        ("in_progress", "withdrawn", "load"),
        ("withdrawn", "in_progress", "load"),
    ]


def test_which_kinds_open_cases_is_a_setting_and_bad_settings_are_refused(wh):
    _load(wh, _rules(["complaint"]))
    assert {v[0] for v in _cases(wh).values()} == {"complaint"} and len(_cases(wh)) == 2
    with pytest.raises(RulesError, match="cases.kinds"):
        load_rules().with_overrides({"cases.kinds": ["complaint", "rumour"]})
    with pytest.raises(RulesError, match="root_causes"):
        load_rules().with_overrides({"cases.root_causes": ["Bad Code"]})


def test_deadlines_count_working_days():
    friday = dt.datetime(2026, 3, 6, 10, 0)
    assert cases.add_working_days(friday, 3) == dt.datetime(2026, 3, 11, 10, 0)  # Mon, Tue, Wed
    assert cases.add_working_days(dt.datetime(2026, 3, 7, 8, 0), 1) == dt.datetime(2026, 3, 9, 8, 0)  # Sat -> Mon
    assert cases.add_working_days(MONDAY, 5) == dt.datetime(2026, 3, 9, 9, 0)


@pytest.fixture(scope="module")
def worked_template(tmp_path_factory):
    """The seven cases opened on Monday 2 March 2026 09:00 and worked through March by hand, built once."""
    wh = Warehouse(tmp_path_factory.mktemp("worked"))
    rules = _rules()
    _load(wh, _rules([]))  # no case at the load: opened below, at MONDAY
    with writer(wh.path, rules) as con:
        cases.open_cases(con, rules, MONDAY)
        ids = dict(con.execute("SELECT event_key, case_id FROM cases").fetchall())

        def step(key, when, **changes):
            case_id = ids[key]
            version = con.execute("SELECT version FROM cases WHERE case_id = ?", [case_id]).fetchall()[0][0]
            return cases.edit_on(con, rules, case_id, version, "李雷", changes, now=dt.datetime(2026, 3, *when))

        resolve = {"status": "resolved", "root_cause": "technician_conduct", "action": "warned the technician"}
        # a: D1's complaint, closed Wed 4 March 09:00 = 2.0 days, due Thu 5 March: on time.
        step("complaint|D1|record R1", (3, 10), **resolve)
        step("complaint|D1|record R1", (4, 9), status="closed", recheck="not_possible", recheck_note="moved away")
        # c: D1's dissatisfied C1, closed Tue 3 March 09:00 = 1.0 day, due Mon 9 March: on time.
        step("dissatisfied|C1", (2, 12), **resolve)
        step("dissatisfied|C1", (3, 9), status="closed")
        # d: D2's dissatisfied C4, closed Thu 12 March 21:00 = 10.5 days, due Mon 9 March 09:00: late.
        step("dissatisfied|C4", (12, 20), **resolve)
        step("dissatisfied|C4", (12, 21), status="closed")
        # b: D1's fake record, closed Tue 10 March, reopened Wed 11 March: open again, ever closed, reopened.
        step("fake_record|C2", (9, 9), **resolve)
        step("fake_record|C2", (10, 9), status="closed", recheck="call_list")
        step("fake_record|C2", (11, 9), status="reopened")
    return wh.path, ids


@pytest.fixture
def worked(worked_template, wh):
    """A private copy of worked_template's database: (warehouse, rules, event key -> case id)."""
    template, ids = worked_template
    copy_database(template, wh.path)
    return wh, _rules(), ids


def test_case_figures_by_dealer_and_in_total_worked_out_by_hand(worked):
    wh, rules, _ = worked
    now = dt.datetime(2026, 3, 20, 9, 0)
    with reader(wh.path, rules) as con:
        by_dealer = case_metrics.figures(con, now, "dealer").set_index("dealer_id")
        total = case_metrics.totals(con, now)
        by_region = case_metrics.figures(con, now, "region")
        d2_only = case_metrics.totals(con, now, Scope(dealer_ids=("D2",)))
    d1, d2 = by_dealer.loc["D1"], by_dealer.loc["D2"]
    # D1: 5 opened; open: fake (reopened), missed (due 4 March), conduct (due 9 March) = 3, all overdue on the 20th.
    assert (d1.cases_opened, d1.cases_open, d1.cases_overdue, d1.cases_closed) == (5, 3, 3, 2)
    assert (d1.cases_closed_on_time, d1.cases_closed_on_time_rate, d1.median_days_to_close) == (2, 1.0, 1.5)
    assert (d1.cases_reopened, d1.cases_ever_closed) == (1, 3) and d1.cases_reopened_share == pytest.approx(1 / 3)
    # D2: 2 opened; the complaint open and overdue (due 5 March); the dissatisfied case closed late after 10.5 days.
    assert (d2.cases_opened, d2.cases_open, d2.cases_overdue, d2.cases_closed, d2.cases_closed_on_time) == (
        2,
        1,
        1,
        1,
        0,
    )
    assert (d2.cases_closed_on_time_rate, d2.median_days_to_close, d2.cases_reopened_share) == (0.0, 10.5, 0.0)
    # In total: 7 opened, 4 overdue, 3 closed (2 on time), median of 2.0, 1.0, 10.5 days = 2.0, reopened 1 of 4.
    assert total["cases_opened"] == 7 and total["cases_overdue"] == 4
    assert total["cases_closed_on_time_rate"] == pytest.approx(2 / 3) and total["median_days_to_close"] == 2.0
    assert total["cases_reopened_share"] == 0.25
    assert by_region[["region", "cases_opened", "cases_overdue"]].values.tolist() == [["华东", 7, 4]]
    assert d2_only["cases_opened"] == 2  # a regional manager's scope sees only its dealers
    with reader(wh.path, rules) as con:  # ... as issue 15's user limit (Scope.allowed) holds it
        assert case_metrics.totals(con, now, Scope().within(("D2",)))["cases_opened"] == 2
        assert set(case_metrics.queue(con, now, Scope().within(("D1",)))["dealer_id"]) == {"D1"}
    # Before any deadline has passed nothing is overdue: Monday 2 March 10:00.
    with reader(wh.path, rules) as con:
        assert case_metrics.totals(con, dt.datetime(2026, 3, 2, 10))["cases_overdue"] == 0


def test_queue_filters_and_one_case_with_its_records_and_history(worked):
    wh, rules, ids = worked
    now = dt.datetime(2026, 3, 20, 9, 0)
    with reader(wh.path, rules) as con:
        overdue = case_metrics.queue(con, now, overdue_only=True)
        closed = case_metrics.queue(con, now, statuses=["closed"])
        nobody = case_metrics.queue(con, now, owner="")
        d2 = case_metrics.queue(con, now, scope=Scope(dealer_ids=("D2",)))
        one = case_metrics.one(con, ids["fake_record|C2"], now)
        records = case_metrics.records(con, ids["fake_record|C2"])
        history = case_metrics.history(con, ids["fake_record|C2"])
    assert sorted(overdue["kind"]) == ["complaint", "conduct_issue", "fake_record", "missed_request"]
    assert sorted(closed["kind"]) == ["complaint", "dissatisfied", "dissatisfied"] and len(nobody) == 7
    assert set(d2["dealer_id"]) == {"D2"} and len(d2) == 2
    assert (one["status"], one["age_days"], one["times_reopened"]) == ("reopened", 18, 1)
    assert records["record_no"].tolist() == ["R3"] and records["customer_phone"].tolist() == ["138****0003"]
    last = history[history["version"] == history["version"].max()]
    assert [tuple(None if v != v else v for v in row) for row in last[["field", "old_value", "new_value"]].values] == [
        ("recheck", "call_list", None),
        ("status", "closed", "reopened"),
    ]
    assert history["field"].tolist()[:4] == ["status", "action", "root_cause", "status"]  # opened, then resolved
    assert set(history["author"]) == {"load", "李雷"}


def test_resolving_and_closing_rules(worked):
    wh, rules, ids = worked
    with writer(wh.path, rules) as con:

        def version(key):
            return con.execute("SELECT version FROM cases WHERE case_id = ?", [ids[key]]).fetchall()[0][0]

        conduct = "conduct_issue|C5"
        with pytest.raises(CaseError) as refused:
            cases.edit_on(con, rules, ids[conduct], version(conduct), "x", {"status": "resolved", "action": "talked"})
        assert refused.value.code == "needs_cause_action"
        with pytest.raises(CaseError) as refused:
            cases.edit_on(con, rules, ids[conduct], version(conduct), "x", {"root_cause": "weather"})
        assert refused.value.code == "unknown_cause"
        with pytest.raises(CaseError) as refused:
            cases.edit_on(con, rules, ids[conduct], version(conduct), "x", {"status": "closed"})
        assert refused.value.code == "transition"
        complaint = "complaint|D2|record R5"
        cases.edit_on(
            con,
            rules,
            ids[complaint],
            version(complaint),
            "x",
            {"status": "resolved", "root_cause": "other", "action": "refund"},
        )
        for changes, code in (
            ({}, "needs_recheck"),
            ({"recheck": "callback"}, "no_callback"),
            ({"recheck": "not_possible"}, "needs_note"),
        ):
            with pytest.raises(CaseError) as refused:
                cases.edit_on(con, rules, ids[complaint], version(complaint), "x", {"status": "closed", **changes})
            assert refused.value.code == code
        for scope in (Scope(dealer_ids=("D1",)), Scope().within(("D1",))):
            with pytest.raises(CaseError) as refused:
                cases.edit_on(con, rules, ids[complaint], version(complaint), "x", {"owner": "me"}, scope=scope)
            assert refused.value.code == "out_of_scope"
        assert con.execute("SELECT status, owner FROM cases WHERE case_id = ?", [ids[complaint]]).fetchall() == [
            ("resolved", None)
        ]
        # The dissatisfied C1 case's record R1 has a later callback (C3, 16 April): a re-check by callback is found.
        assert cases._later_callback(
            con, {"dealer_id": "D1", "records": ["R1"], "event_at": dt.datetime(2025, 4, 15, 10)}
        )


def test_the_second_save_of_a_stale_version_is_refused_naming_who_and_when(worked):
    wh, rules, ids = worked
    case_id = ids["missed_request|D1|2025-03|repair_record R2"]
    seen = wh.query("SELECT version FROM cases WHERE case_id = ?", [case_id])[0][0]  # both analysts read it
    first = cases.edit(wh.path, rules, case_id, seen, "王芳", {"owner": "王芳"}, now=dt.datetime(2026, 3, 5, 14, 30))
    assert first == seen + 1
    with pytest.raises(CaseError, match="changed by 王芳 at 2026-03-05 14:30:00, reload") as refused:
        cases.edit(wh.path, rules, case_id, seen, "李雷", {"owner": "李雷"})
    assert refused.value.code == "stale"
    assert wh.query("SELECT owner, version FROM cases WHERE case_id = ?", [case_id]) == [("王芳", first)]
    assert wh.query("SELECT count(*) FROM case_history WHERE case_id = ? AND author = '李雷'", [case_id]) == [(0,)]


def test_bulk_assign_and_an_edit_waits_for_another_writer(worked):
    wh, rules, ids = worked
    versions = dict(wh.query("SELECT case_id, version FROM cases WHERE status <> 'closed'"))
    stale = ids["conduct_issue|C5"]
    versions[stale] -= 1 if versions[stale] > 1 else -1
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(wh.path)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"  # another process (a load) writes for 1 s
    waits = []
    started = time.monotonic()
    refused = cases.assign(wh.path, rules, versions, "韩梅梅", "lead", notify=waits.append)
    assert holder.wait(timeout=60) == 0 and time.monotonic() - started > 0.5
    assert waits and "waiting up to 30 s" in waits[0]  # a bounded wait, told
    assert list(refused) == [stale] and refused[stale].code == "stale"
    owners = dict(wh.query("SELECT case_id, owner FROM cases WHERE status <> 'closed'"))
    assert {case_id for case_id, owner in owners.items() if owner == "韩梅梅"} == set(versions) - {stale}


HOLDER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(1.0)
con.close()
"""

CRASH = """
import datetime as dt, os, sys
from pathlib import Path
from etl import cases
from etl.rules import load_rules
cases._BEFORE_COMMIT = lambda: os._exit(9)        # killed with the change written but not committed
cases.edit(Path(sys.argv[1]), load_rules(), int(sys.argv[2]), int(sys.argv[3]), "crash",
           {"status": "in_progress", "owner": "crash"})
"""


def test_a_process_killed_mid_edit_leaves_the_case_as_before(worked):
    wh, rules, ids = worked
    case_id = ids["conduct_issue|C5"]
    before = wh.query("SELECT * FROM cases WHERE case_id = ?", [case_id])
    history = wh.query("SELECT count(*) FROM case_history")
    version = before[0][
        list(
            c[0]
            for c in duckdb.connect(str(wh.path), read_only=True).execute("SELECT * FROM cases LIMIT 0").description
        ).index("version")
    ]
    done = subprocess.run(
        [sys.executable, "-c", CRASH, str(wh.path), str(case_id), str(version)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 9, done.stderr.decode()
    assert wh.query("SELECT * FROM cases WHERE case_id = ?", [case_id]) == before
    assert wh.query("SELECT count(*) FROM case_history") == history
    assert cases.edit(wh.path, rules, case_id, version, "after", {"owner": "after"}) == version + 1


def test_closed_cases_waiting_for_a_recheck_head_the_call_list(worked):
    wh, rules, ids = worked
    # The fake record C2 (R3) was closed to the call list and reopened: not waiting. Close it again.
    with writer(wh.path, rules) as con:
        case_id = ids["fake_record|C2"]
        version = con.execute("SELECT version FROM cases WHERE case_id = ?", [case_id]).fetchall()[0][0]
        version = cases.edit_on(con, rules, case_id, version, "x", {"status": "resolved"})
        cases.edit_on(con, rules, case_id, version, "x", {"status": "closed", "recheck": "call_list"})
    with reader(wh.path, rules) as con:
        listed = operations.callback_list(con, dt.date(2025, 3, 1), dt.date(2026, 3, 20), 0.2, 0)
    assert listed["recheck_case"].tolist()[:1] == [case_id]
    assert listed["record_no"].tolist()[0] == "R3" and listed["callback_id"].iloc[0].startswith("RC")
    assert listed["recheck_case"].iloc[1:].isna().all()
    assert listed["record_no"].tolist().count("R3") == 1  # not drawn a second time


def test_cases_list_and_export_on_the_command_line(worked, capsys, tmp_path):
    from openpyxl import load_workbook

    from etl.cli import main

    wh, _, _ = worked
    rules_file = tmp_path / "rules.toml"
    rules_file.write_text(
        '[cases]\nkinds = ["complaint", "fake_record", "dissatisfied", "missed_request", '
        '"conduct_issue"]   # as the fixture\n',
        encoding="utf-8",
    )
    assert main(["cases", "list", "--db", str(wh.path), "--rules", str(rules_file), "--status", "closed"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "3 cases, 0 overdue" and all(" closed " in line for line in lines[:-1])
    assert main(["cases", "list", "--db", str(wh.path), "--kind", "rumour"]) == 2
    out = tmp_path / "cases.xlsx"
    assert main(["cases", "export", "--db", str(wh.path), "--rules", str(rules_file), "--out", str(out)]) == 0
    book = load_workbook(out)
    assert book.sheetnames == ["cases", "history", "by_dealer", "by_region"]
    assert book["cases"].max_row == 1 + 7 and book["by_dealer"].max_row == 1 + 2
    header = [cell.value for cell in book["by_region"][1]]
    assert book["by_region"].cell(2, header.index("cases_opened") + 1).value == 7
    assert main(["cases", "export", "--db", str(wh.path), "--out", str(tmp_path / "cases.csv")]) == 2


def test_cases_list_speaks_the_locales_language(worked, capsys, tmp_path, monkeypatch):
    """Issue 12.2: D2's complaint (R5), opened Monday 2 March 09:00, due Thursday 5 March, untouched: on Friday 20
    March at 09:00 it is 18 days old and overdue, in Chinese under a Chinese locale, in English under C."""
    from etl import cli

    wh, _, ids = worked
    rules_file = _rules_file(wh.folder)
    monkeypatch.setattr(cli, "_now", lambda: dt.datetime(2026, 3, 20, 9, 0))
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    case_id = ids["complaint|D2|record R5"]
    argv = ["cases", "list", "--db", str(wh.path), "--rules", str(rules_file), "--dealer", "D2", "--overdue"]
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert cli.main(argv) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"#{case_id} complaint open D2 负责人=- 立案 2026-03-02 截止 2026-03-05（18 天）  已逾期  R5",
        "1 个案件，其中 1 个逾期",
    ]
    monkeypatch.setenv("LANG", "C")
    assert cli.main(argv) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"#{case_id} complaint open D2 owner=- opened 2026-03-02 due 2026-03-05 (18 days)  OVERDUE  R5",
        "1 case, 1 overdue",
    ]
    kinds = "complaint, fake_record, dissatisfied, missed_request, conduct_issue, watchlist"  # the codes --kind takes
    assert cli.main([*argv, "--kind", "rumour"]) == 2
    assert capsys.readouterr().err == f"error: no case kind rumour; one of: {kinds}\n"
    assert cli.main([*argv, "--kind", "rumour", "--lang", "zh"]) == 2
    assert capsys.readouterr().err == f"错误：没有案件类型 rumour；可选：{kinds}\n"


def test_the_cases_page_shows_the_figures_and_refuses_a_stale_save_in_words(worked, monkeypatch):
    """AppTest on the worked cases: the tiles hold the figures of the metric layer; a save made from a version
    another analyst changed meanwhile is refused with who and when, in the page's language, and nothing changes."""
    from streamlit.testing.v1 import AppTest

    wh, rules, ids = worked
    monkeypatch.setenv("SERVICE_QC_DB", str(wh.path))
    monkeypatch.setenv("SERVICE_QC_RULES", str(_rules_file(wh.folder)))
    case_id = ids["conduct_issue|C5"]
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params.update({"lang": "zh", "case": str(case_id)})
    at.run()
    at.switch_page("pages/8_Cases.py").run()
    assert not at.exception, [e.value for e in at.exception]
    tiles = {m.label: m.value for m in at.metric}
    # Open: fake (reopened), missed, conduct and D2's complaint = 4 (as of today, all past their March deadline).
    assert tiles["未结案件"] == "4" and tiles["逾期案件"] == "4"
    assert (tiles["按期关闭率"], tiles["重新打开比例"], tiles["关闭用时中位数（天）"]) == ("66.7 %", "25.0 %", "2.0")
    # Another analyst assigns the case after this page read it.
    version = wh.query("SELECT version FROM cases WHERE case_id = ?", [case_id])[0][0]
    cases.edit(wh.path, rules, case_id, version, "王芳", {"owner": "王芳"}, now=dt.datetime(2026, 3, 5, 14, 30))
    next(box for box in at.text_input if box.label == "负责人").set_value("李雷")
    next(button for button in at.button if button.label == "保存").click().run()
    assert [e.value for e in at.error] == ["已被 王芳 于 2026-03-05 14:30:00 修改，请重新加载。"]
    assert wh.query("SELECT owner FROM cases WHERE case_id = ?", [case_id]) == [("王芳",)]


def _rules_file(folder: Path) -> Path:
    path = folder / "cases_rules.toml"
    path.write_text(
        '[cases]\nkinds = ["complaint", "fake_record", "dissatisfied", "missed_request", '
        '"conduct_issue"]   # as the fixture\n',
        encoding="utf-8",
    )
    return path
