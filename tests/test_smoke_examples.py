"""The spec's two example files load as a person would expect."""

from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent / "fixtures" / "examples"  # copies of shared/spec/examples


def test_example_files_load_with_a_roster(wh):
    wh.dealers(["JX101", "杭州西湖家电服务部"])
    results = wh.load(*sorted(EXAMPLES.iterdir()))
    assert [(r.kind, r.rows_read, r.rows_loaded, r.rows_rejected) for r in results] == [
        ("repairs", 3, 3, 0),
        ("callbacks", 3, 3, 0),
    ]
    assert wh.query(
        "SELECT record_no, report_month::VARCHAR, submitted_on::VARCHAR, service_type, status, "
        "labor_fee::DOUBLE FROM repairs ORDER BY record_no"
    ) == [
        ("WX2503001", "2025-03-01", "2025-04-09", "repair", "completed", 80.0),
        ("WX2503002", "2025-03-01", "2025-04-09", "install", "completed", 0.0),
        ("WX2503003", "2025-03-01", "2025-04-09", "repair", "open", 0.0),
    ]
    assert wh.query("SELECT callback_id, reached, satisfaction, complaint FROM callbacks ORDER BY 1") == [
        ("HF250401", True, 5, False),
        ("HF250402", False, None, None),
        ("HF250403", True, 2, True),
    ]
