"""Issue 16 point 6 / issue 15: every saved case edit is in the audit trail with its author, the case,
what was done and each field's old and new value; a refused edit leaves no line. The Audit page's data
lists them, in both languages."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest

from etl import audit, cases
from etl.cases import CaseError
from etl.db import writer
from etl.load import load_paths
from etl.metrics.scope import Scope
from etl.rules import load_rules
from test_marts import TODAY, _write

CLOCK = dt.datetime(2026, 11, 23, 10, 0)


@pytest.fixture
def two_cases(tmp_path, empty_warehouse_file, monkeypatch):
    """Three missed requests: JX1's March report leaves R3 open, the hotline's T1 and T2 at JX2 are answered
    by no record (only this kind opens cases here: no watchlist pass)."""
    monkeypatch.delenv("SERVICE_QC_AUDIT", raising=False)
    rules = load_rules()
    rules = type(rules)({**rules.values, "cases.kinds": ("missed_request",)}, rules.source)
    database = tmp_path / "w.duckdb"
    shutil.copyfile(empty_warehouse_file, database)
    for name in ["dealers_a.csv", "hotline_2025-03.csv", "repairs_2025-03_JX1.csv"]:
        load_paths([_write(tmp_path, name)], database, rules, today=TODAY, now=CLOCK)
    with writer(database, rules) as con:
        found = dict(con.execute("SELECT event_key, case_id FROM cases").fetchall())
    # R3 open at JX1; the hotline's T1 and T2 at JX2, answered by no record.
    assert sorted(found) == [
        "missed_request|JX1|2025-03|repair_record R3",
        "missed_request|JX2|2025-03|hotline_ticket T1",
        "missed_request|JX2|2025-03|hotline_ticket T2",
    ]
    return database, rules, found


def _lines(trail):
    found = audit.events(trail, kinds=["case_edit"])
    return [(row["user_name"], json.loads(row["detail"])) for row in found.iloc[::-1].to_dict("records")]


def test_each_saved_edit_is_audited_with_its_author_and_values(two_cases, tmp_path):
    database, rules, ids = two_cases
    trail = tmp_path / "audit.sqlite"  # beside the warehouse
    r3 = ids["missed_request|JX1|2025-03|repair_record R3"]
    t1, t2 = ids["missed_request|JX2|2025-03|hotline_ticket T1"], ids["missed_request|JX2|2025-03|hotline_ticket T2"]
    cause = rules["cases.root_causes"][0]

    # Bulk assign: T1 from the version shown (1), T2 from a stale one (refused: no line).
    refused = cases.assign(database, rules, {t1: 1, t2: 0}, "wang", "li")
    assert list(refused) == [t2] and refused[t2].code == "stale"
    version = cases.edit(database, rules, r3, 1, "li", {"status": "in_progress", "owner": "li"})
    version = cases.edit(database, rules, r3, version, "li", {"root_cause_text": "备件缺货"})
    version = cases.edit(
        database, rules, r3, version, "zhao", {"status": "resolved", "root_cause": cause, "action": "补件上门"}
    )
    cases.edit(database, rules, r3, version, "zhao", {"status": "closed"})
    # Refused: resolving without a cause (nothing saved), and a user whose dealers are JX2's only.
    with pytest.raises(CaseError, match="root cause"):
        cases.edit(database, rules, t1, 2, "li", {"status": "resolved"})
    with pytest.raises(CaseError) as outside:
        cases.edit(database, rules, r3, 5, "wu", {"owner": "wu"}, scope=Scope(allowed=("JX2",)))
    assert outside.value.code == "out_of_scope"

    assert _lines(trail) == [
        ("li", {"case_id": t1, "action": "assign", "changes": {"owner": [None, "wang"]}}),
        (
            "li",
            {"case_id": r3, "action": "status", "changes": {"owner": [None, "li"], "status": ["open", "in_progress"]}},
        ),
        ("li", {"case_id": r3, "action": "edit", "changes": {"root_cause_text": [None, "备件缺货"]}}),
        (
            "zhao",
            {
                "case_id": r3,
                "action": "status",
                "changes": {
                    "status": ["in_progress", "resolved"],
                    "root_cause": [None, cause],
                    "action": [None, "补件上门"],
                },
            },
        ),
        ("zhao", {"case_id": r3, "action": "status", "changes": {"status": ["resolved", "closed"]}}),
    ]


def test_the_audit_page_lists_case_edits_in_both_languages(two_cases, tmp_path):
    from app.data import load_audit_events

    database, rules, ids = two_cases
    case_id = ids["missed_request|JX1|2025-03|repair_record R3"]
    cases.edit(database, rules, case_id, 1, "li", {"owner": "wang"})
    today = dt.date.today()
    for lang, word in (("zh", "修改案件"), ("en", "case edited")):
        shown = load_audit_events(tmp_path / "audit.sqlite", today, today, "", (), lang)
        assert shown["event"].tolist() == [word] and shown["user_name"].tolist() == ["li"]
        assert json.loads(shown["detail"][0]) == {
            "case_id": case_id,
            "action": "assign",
            "changes": {"owner": [None, "wang"]},
        }
        # The page's choice of events offers it, and choosing it keeps it.
        assert "case_edit" in audit.EVENTS
        assert len(load_audit_events(tmp_path / "audit.sqlite", today, today, "li", ("case_edit",), lang)) == 1
        assert len(load_audit_events(tmp_path / "audit.sqlite", today, today, "", ("upload",), lang)) == 0
