"""Hotline tickets of the demo: answered and unanswered repair requests, complaints, inquiries."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sampledata.draws import phones
from sampledata.reference import DAY
from sampledata.span import Span
from sampledata.spelling import cat, month_codes
from sampledata.submissions import is_delivered


def ticketed_records(rng: np.random.Generator, records: pd.DataFrame) -> np.ndarray:
    """Records that answer a hotline repair request (about one install/repair in ten)."""
    eligible = records["service_type"].isin(["install", "repair"]).to_numpy()
    return eligible & (rng.random(len(records)) < 0.1)


def draw_hotline(
    rng: np.random.Generator,
    dealers: pd.DataFrame,
    span: Span,
    records: pd.DataFrame,
    reports: pd.DataFrame,
    callbacks: pd.DataFrame,
    ticketed: np.ndarray,
    frame: pd.DataFrame,
) -> pd.DataFrame:
    """All hotline tickets, numbered by month; sets hq_ticket_id on the answering records."""
    parts = [
        _answered_requests(rng, records, ticketed),
        _unanswered_requests(rng, dealers, span, records, ticketed, frame),
        _record_complaints(rng, dealers, records, reports),
        _loose_tickets(rng, dealers, span, frame, records),
        _callback_complaints(rng, dealers, records, callbacks),
    ]
    tickets = pd.concat(parts, ignore_index=True)
    tickets = tickets[(tickets["received_at"] >= span.start) & (tickets["received_at"] < span.end)]
    tickets = tickets.iloc[np.lexsort((np.arange(len(tickets)), tickets["received_at"].to_numpy()))]
    tickets = tickets.reset_index(drop=True)
    month_key = tickets["received_at"].to_numpy().astype("datetime64[M]")
    seq = tickets.groupby(month_key).cumcount().to_numpy() + 1
    tickets["ticket_id"] = cat("RX", month_codes(month_key)[1], np.char.zfill(seq.astype(str), 5))
    answered = tickets["record"].to_numpy() >= 0
    request = tickets["ticket_type"].to_numpy() == "repair_request"
    hq = records["hq_ticket_id"].to_numpy().copy()
    hq[tickets["record"].to_numpy()[answered & request]] = tickets["ticket_id"].to_numpy()[answered & request]
    records["hq_ticket_id"] = hq
    return tickets


def _ticket_frame(received, dealer, ticket_type, phone, record_no="", verified=-1, record=-1) -> pd.DataFrame:
    n = len(received)
    return pd.DataFrame(
        {
            "received_at": np.asarray(received).astype("datetime64[m]"),
            "dealer": np.asarray(dealer, dtype=int),
            "ticket_type": np.broadcast_to(np.asarray(ticket_type), n).astype(str),
            "customer_phone": np.broadcast_to(np.asarray(phone), n).astype(str),
            "record_no": np.broadcast_to(np.asarray(record_no), n).astype(str),
            "verified": np.broadcast_to(np.asarray(verified), n).astype(int),
            "record": np.broadcast_to(np.asarray(record), n).astype(int),
        }
    )


def _answered_requests(rng: np.random.Generator, records: pd.DataFrame, ticketed: np.ndarray) -> pd.DataFrame:
    """Repair requests that a record answers: received minutes before the request was logged."""
    rows = np.nonzero(ticketed)[0]
    received = records["requested_at"].to_numpy()[rows] - rng.integers(0, 16, len(rows)).astype("timedelta64[m]")
    return _ticket_frame(
        received,
        records["dealer"].to_numpy()[rows],
        "repair_request",
        records["customer_phone"].to_numpy()[rows],
        record=rows,
    )


def _random_times(rng: np.random.Generator, frame: pd.DataFrame, rows: np.ndarray, span: Span) -> np.ndarray:
    """Random daytime minutes within the contract days of the given month-frame rows."""
    first = frame["first_day"].to_numpy()[rows]
    days = first + (rng.random(len(rows)) * (frame["end_day"].to_numpy()[rows] - first)).astype(int)
    start = span.months.astype("datetime64[m]")[frame["month"].to_numpy()[rows]]
    return start + (days * DAY + rng.integers(8 * 60, 21 * 60, len(rows))).astype("timedelta64[m]")


def _unanswered_requests(rng, dealers, span, records, ticketed, frame) -> pd.DataFrame:
    """Repair requests nobody answered, more of them at poor dealers."""
    answered = np.bincount(records["frame_row"].to_numpy()[ticketed], minlength=len(frame))
    share = dealers["unanswered"].to_numpy()[frame["dealer"].to_numpy()]
    counts = rng.poisson(answered * share / (1 - share))
    rows = np.repeat(np.arange(len(frame)), counts)
    return _ticket_frame(
        _random_times(rng, frame, rows, span),
        frame["dealer"].to_numpy()[rows],
        "repair_request",
        phones(rng, len(rows)),
    )


def _verified(rng: np.random.Generator, chance: np.ndarray) -> np.ndarray:
    """1/0 with the given chance of 1; a few left blank (-1) while HQ still checks."""
    result = (rng.random(len(chance)) < chance).astype(int)
    return np.where(rng.random(len(chance)) < 0.05, -1, result)


def _record_complaints(rng, dealers, records, reports) -> pd.DataFrame:
    """Complaint tickets about a delivered record, days after the visit."""
    delivered = is_delivered(records, reports)
    per_service = dealers["complaints_per_service"].to_numpy()[records["dealer"].to_numpy()]
    chance = per_service * np.where(records["crisis"].to_numpy(), 4, 1)
    rows = np.nonzero(delivered & (rng.random(len(records)) < chance))[0]
    received = records["requested_at"].to_numpy()[rows] + rng.integers(DAY, 12 * DAY, len(rows)).astype(
        "timedelta64[m]"
    )
    dealer = records["dealer"].to_numpy()[rows]
    return _ticket_frame(
        received,
        dealer,
        "complaint",
        records["customer_phone"].to_numpy()[rows],
        records["record_no"].to_numpy()[rows],
        _verified(rng, dealers["verified"].to_numpy()[dealer]),
        record=rows,
    )


def _loose_tickets(rng, dealers, span, frame, records) -> pd.DataFrame:
    """Complaints without a record number, and inquiries."""
    dealer = frame["dealer"].to_numpy()
    crisis_rows = np.isin(np.arange(len(frame)), records.loc[records["crisis"], "frame_row"].unique())
    services = np.bincount(records["frame_row"].to_numpy(), minlength=len(frame))
    rate = dealers["hotline_complaints"].to_numpy()[dealer] + np.where(crisis_rows, 3, 0)
    complaints = rng.poisson(np.where(frame["active"], rate, 0))
    inquiries = rng.poisson(np.where(frame["active"], 0.3 + 0.03 * services, 0))
    rows_c = np.repeat(np.arange(len(frame)), complaints)
    rows_i = np.repeat(np.arange(len(frame)), inquiries)
    verified = _verified(rng, dealers["verified"].to_numpy()[dealer[rows_c]])
    complaint_tickets = _ticket_frame(
        _random_times(rng, frame, rows_c, span),
        dealer[rows_c],
        "complaint",
        phones(rng, len(rows_c)),
        verified=verified,
    )
    inquiry_tickets = _ticket_frame(
        _random_times(rng, frame, rows_i, span), dealer[rows_i], "inquiry", phones(rng, len(rows_i))
    )
    return pd.concat([complaint_tickets, inquiry_tickets], ignore_index=True)


def _callback_complaints(rng, dealers, records, callbacks) -> pd.DataFrame:
    """Some customers who complained in an HQ callback also call the hotline (one complaint, twice)."""
    complained = callbacks[callbacks["complaint"] == 1]
    chosen = complained[rng.random(len(complained)) < 0.35]
    record = chosen["record"].to_numpy()
    shift = rng.integers(-4 * DAY, 6 * DAY, len(chosen)).astype("timedelta64[m]")
    earliest = records["requested_at"].to_numpy()[record] + np.timedelta64(DAY, "m")
    received = np.maximum(chosen["called_at"].to_numpy().astype("datetime64[m]") + shift, earliest)
    dealer = records["dealer"].to_numpy()[record]
    return _ticket_frame(
        received,
        dealer,
        "complaint",
        records["customer_phone"].to_numpy()[record],
        records["record_no"].to_numpy()[record],
        _verified(rng, np.full(len(record), 0.85)),
        record=record,
    )
