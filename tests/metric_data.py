"""Small hand-made input files for the metric tests: every row spelled out, defaults explicit."""

from __future__ import annotations

REPAIR_HEADER = [
    "record_no",
    "dealer_id",
    "report_month",
    "submitted_on",
    "hq_ticket_id",
    "serial_no",
    "service_type",
    "requested_at",
    "arrived_at",
    "completed_at",
    "status",
    "labor_fee",
    "parts_fee",
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
SALES_HEADER = ["dealer_id", "month", "units_sold", "sales_amount"]
NOTICE_HEADER = ["notice_id", "dealer_id", "notice_date", "source"]


def repair(
    record_no,
    dealer_id="D1",
    month="2025-03",
    submitted="2025-04-10",
    *,
    ticket="",
    serial="",
    service="repair",
    requested=None,
    arrived="",
    completed="",
    status="completed",
    labor=0,
    parts=0,
    dealer_callback="N",
):
    """One repair record; requested defaults to the 2nd of the report month at 09:00."""
    requested = requested or f"{month}-02 09:00"
    return [
        record_no,
        dealer_id,
        month,
        submitted,
        ticket,
        serial,
        service,
        requested,
        arrived,
        completed,
        status,
        labor,
        parts,
        dealer_callback,
    ]


def callback(
    callback_id,
    record_no,
    dealer_id="D1",
    called="2025-04-15 10:00",
    *,
    reached="Y",
    confirmed="Y",
    resolved="Y",
    satisfaction="5",
    complaint="N",
):
    return [callback_id, record_no, dealer_id, called, reached, confirmed, resolved, satisfaction, complaint]


def ticket(ticket_id, received, dealer_id="D1", kind="complaint", record_no="", verified="Y"):
    return [ticket_id, received, dealer_id, kind, record_no, verified]


def load_all(wh, *, repairs=(), callbacks=(), hotline=(), sales=(), notices=(), roster=None):
    """Write and load one file per kind (roster default: D1, D2 urban, D3 county)."""
    roster = roster or [["D1", "One"], ["D2", "Two"], ["D3", "Three", "county"]]
    wh.dealers(*roster)
    files = []
    if repairs:
        files.append(wh.file("repairs.csv", [REPAIR_HEADER, *repairs]))
    if callbacks:
        files.append(wh.file("callbacks.csv", [CALLBACK_HEADER, *callbacks]))
    if hotline:
        files.append(wh.file("hotline.csv", [HOTLINE_HEADER, *hotline]))
    if sales:
        files.append(wh.file("sales.csv", [SALES_HEADER, *sales]))
    if notices:
        files.append(wh.file("notices.csv", [NOTICE_HEADER, *notices]))
    results = wh.load(*files)
    rejected = [(r.file, r.message) for r in results if r.status != "loaded" or r.rows_rejected]
    assert not rejected, rejected
    return results


def month_row(wh, dealer_id: str, month: str, columns: str):
    """One dealer-month of dealer_month_metrics as a tuple of the named columns."""
    rows = wh.query(
        f"SELECT {columns} FROM dealer_month_metrics WHERE dealer_id = ? AND month = ?", [dealer_id, f"{month}-01"]
    )
    assert len(rows) == 1, rows
    return rows[0]
