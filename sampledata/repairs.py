"""Repair records of the demo: volumes per dealer-month, times, products, fees, record numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sampledata.draws import addresses, person_names, phones, pick
from sampledata.reference import DAY, PRODUCTS, SEASON
from sampledata.repeats import add_repeat_repairs
from sampledata.span import Span
from sampledata.spelling import cat, month_codes

TARGET_RECORDS = 150_000


def month_frame(dealers: pd.DataFrame, span: Span) -> pd.DataFrame:
    """One row per dealer and span month: days under contract and the expected volume."""
    n_dealers, n_months = len(dealers), len(span.months)
    month_start = span.months.astype("datetime64[D]")
    month_days = ((span.months + 1).astype("datetime64[D]") - month_start).astype(int)
    joined = dealers["joined_on"].to_numpy().astype("datetime64[D]")
    left = dealers["left_on"].to_numpy().astype("datetime64[D]")
    first = np.clip((joined[:, None] - month_start[None, :]).astype(int), 0, month_days[None, :])
    left_days = np.where(
        np.isnat(left)[:, None],
        month_days[None, :],
        (np.where(np.isnat(left), month_start[0], left)[:, None] - month_start[None, :]).astype(int) + 1,
    )
    last = np.clip(left_days, 0, month_days[None, :])
    calendar_month = span.months.astype(int) % 12
    frame = pd.DataFrame(
        {
            "dealer": np.repeat(np.arange(n_dealers), n_months),
            "month": np.tile(np.arange(n_months), n_dealers),
            "first_day": first.ravel(),
            "end_day": last.ravel(),
            "month_days": np.tile(month_days, n_dealers),
            "season": np.tile(SEASON[calendar_month], n_dealers),
        }
    )
    frame["active"] = frame["end_day"] > frame["first_day"]
    frame["share"] = (frame["end_day"] - frame["first_day"]).clip(lower=0) / frame["month_days"]
    return frame


def scale_sizes(dealers: pd.DataFrame, frame: pd.DataFrame) -> None:
    """Scale the drawn dealer sizes so that the whole set has about TARGET_RECORDS records."""
    dealer = frame["dealer"].to_numpy()
    scaled = dealers["scaled"].to_numpy()
    expected = dealers["size"].to_numpy()[dealer] * frame["season"].to_numpy() * frame["share"].to_numpy()
    fixed = expected[~scaled[dealer]].sum()
    factor = (TARGET_RECORDS - fixed) / expected[scaled[dealer]].sum()
    dealers["size"] = np.where(scaled, dealers["size"] * factor, dealers["size"])


def record_counts(rng: np.random.Generator, dealers: pd.DataFrame, frame: pd.DataFrame) -> np.ndarray:
    """Records per dealer-month: Poisson around size x season x share of the month under contract."""
    size = dealers["size"].to_numpy()[frame["dealer"].to_numpy()]
    counts = rng.poisson(size * frame["season"].to_numpy() * frame["share"].to_numpy())
    return np.where(frame["active"], np.maximum(counts, 1), 0)


def crisis_months(rng: np.random.Generator, dealers: pd.DataFrame, n_months: int) -> np.ndarray:
    """(dealer, month) flags: three bad months for each poor dealer."""
    crisis = np.zeros((len(dealers), n_months), dtype=bool)
    for index in np.nonzero(dealers["role"].to_numpy() == "poor")[0]:
        crisis[index, rng.choice(np.arange(1, n_months - 1), 3, replace=False)] = True
    return crisis


def _requested_times(
    rng: np.random.Generator, frame: pd.DataFrame, counts: np.ndarray, span: Span
) -> tuple[np.ndarray, np.ndarray]:
    """Row of the month frame and requested_at (minutes) of every record."""
    rows = np.repeat(np.arange(len(frame)), counts)
    first = frame["first_day"].to_numpy()[rows]
    days = first + (rng.random(len(rows)) * (frame["end_day"].to_numpy()[rows] - first)).astype(int)
    hour_weights = np.array([1, 4, 8, 9, 8, 5, 6, 8, 8, 7, 6, 5, 4, 3, 2], dtype=float)
    hours = 7 + rng.choice(len(hour_weights), len(rows), p=hour_weights / hour_weights.sum())
    month_start = span.months.astype("datetime64[m]")[frame["month"].to_numpy()[rows]]
    requested = month_start + (days * DAY + hours * 60 + rng.integers(0, 60, len(rows))).astype("timedelta64[m]")
    return rows, requested


def _products(rng: np.random.Generator, n: int, summer: np.ndarray) -> dict[str, np.ndarray]:
    """Product family, model, warranty years and fault lists per record."""
    shares = np.array([p[1] for p in PRODUCTS])
    family = rng.choice(len(PRODUCTS), n, p=shares / shares.sum())
    family = np.where(summer & (rng.random(n) < 0.3), 0, family)
    model = np.empty(n, dtype=object)
    warranty = np.zeros(n)
    for index, (_, _, years, models, _, _) in enumerate(PRODUCTS):
        mine = family == index
        model[mine] = pick(rng, models, int(mine.sum()))
        warranty[mine] = years
    return {"family": family, "product_model": model.astype(str), "warranty": warranty}


def _faults(rng: np.random.Generator, family: np.ndarray, service: np.ndarray) -> np.ndarray:
    """Fault category by product family and service type."""
    n = len(family)
    fault = np.where(rng.random(n) < 0.1, "移机安装", "新机安装").astype(object)
    for index, (_, _, _, _, repairs, jobs) in enumerate(PRODUCTS):
        for kind, options in (("repair", repairs), ("maintenance", jobs)):
            mine = (family == index) & (service == kind)
            fault[mine] = pick(rng, options, int(mine.sum()))
    return fault.astype(str)


def _visit_times(
    rng: np.random.Generator, requested: np.ndarray, median_hours: np.ndarray, spread: np.ndarray, status: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """arrived_at and completed_at: a log-normal wait, a short job; blanks for open records."""
    n = len(requested)
    wait = np.maximum(20, median_hours * 60 * np.exp(spread * rng.standard_normal(n))).astype(int)
    job = np.maximum(15, 70 * np.exp(0.5 * rng.standard_normal(n))).astype(int)
    arrived = _working_hours(rng, requested + wait.astype("timedelta64[m]"))
    completed = arrived + job.astype("timedelta64[m]")
    is_open = status == "open"
    not_arrived = is_open & (rng.random(n) < 0.7)
    arrived = np.where(not_arrived, np.datetime64("NaT", "m"), arrived)
    completed = np.where(is_open, np.datetime64("NaT", "m"), completed)
    return arrived, completed


def _working_hours(rng: np.random.Generator, arrived: np.ndarray) -> np.ndarray:
    """Visits between 8:00 and 20:30: a night-time arrival moves to the (next) morning."""
    day = arrived.astype("datetime64[D]")
    minute = (arrived - day).astype("timedelta64[m]").astype(np.int64)
    early, late = minute < 8 * 60, minute > 20 * 60 + 30
    morning = np.where(late, day + 1, day).astype("datetime64[m]") + (
        8 * 60 + rng.integers(0, 90, len(arrived))
    ).astype("timedelta64[m]")
    return np.where(early | late, morning, arrived)


def _as_of_span_end(
    span: Span, status: np.ndarray, arrived: np.ndarray, completed: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The data set stands as of the first day after its last month (never after the day it is made): a visit
    that would come later has not happened, so its record is still open. No draw: the same seed and
    span give the same records."""
    stands = span.end.astype("datetime64[m]")
    unfinished = ~np.isnat(completed) & (completed >= stands)
    status = np.where(unfinished, "open", status)
    completed = np.where(unfinished, np.datetime64("NaT", "m"), completed)
    arrived = np.where(~np.isnat(arrived) & (arrived >= stands), np.datetime64("NaT", "m"), arrived)
    return status, arrived, completed


def _fees(rng: np.random.Generator, service: np.ndarray, status: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """labor_fee and parts_fee in yuan by service type."""
    n = len(service)
    labor = np.select(
        [service == "install", service == "repair"],
        [
            np.where(rng.random(n) < 0.8, 0, pick(rng, (50, 80, 100, 150), n)),
            pick(rng, (50, 60, 80, 100, 120, 150, 200), n),
        ],
        pick(rng, (80, 100, 120, 150, 180), n),
    ).astype(float)
    repair_parts = np.round(np.exp(np.log(150) + 0.8 * rng.standard_normal(n)) / 5) * 5
    parts = np.select(
        [service == "install", service == "repair"],
        [
            np.where(rng.random(n) < 0.85, 0, pick(rng, (30, 45, 60, 120), n)),
            np.where(rng.random(n) < 0.45, 0, repair_parts),
        ],
        np.where(rng.random(n) < 0.85, 0, pick(rng, (20, 35, 68.5), n)),
    ).astype(float)
    labor = np.where(status == "returned_to_factory", 50.0, labor)
    parts = np.where(status == "returned_to_factory", 0.0, parts)
    blank = status == "open"
    return np.where(blank, 0.0, labor), np.where(blank, 0.0, parts)


def _serials(rng: np.random.Generator, n: int) -> np.ndarray:
    """Unique 'SN' + 8 digits: an affine bijection of the record number."""
    multiplier = int(rng.integers(10**6, 10**7)) * 10 + 3
    offset = int(rng.integers(0, 10**8))
    numbers = (np.arange(n, dtype=np.int64) * multiplier + offset) % 10**8
    return cat("SN", np.char.zfill(numbers.astype(str), 8))


def draw_repairs(
    rng: np.random.Generator,
    dealers: pd.DataFrame,
    span: Span,
    frame: pd.DataFrame,
    counts: np.ndarray,
    crisis: np.ndarray,
) -> pd.DataFrame:
    """Every repair record of the span, typed, before any dealer-month is held back."""
    rows, requested = _requested_times(rng, frame, counts, span)
    dealer = frame["dealer"].to_numpy()[rows]
    month = frame["month"].to_numpy()[rows]
    order = np.lexsort((requested, dealer))
    rows, requested, dealer, month = rows[order], requested[order], dealer[order], month[order]
    n = len(rows)
    d = dealers.iloc[dealer]
    urban = d["area_type"].to_numpy() == "urban"
    calendar_month = span.months.astype(int)[month] % 12 + 1
    service = rng.choice(["install", "repair", "maintenance"], n, p=[0.3, 0.55, 0.15])
    is_crisis = crisis[dealer, month]
    status = np.where(
        rng.random(n) < d["open_rate"].to_numpy() * np.where(is_crisis, 3, 1),
        "open",
        np.where((service == "repair") & (rng.random(n) < 0.02), "returned_to_factory", "completed"),
    )
    products = _products(rng, n, np.isin(calendar_month, (6, 7, 8)))
    median = d["arrival_hours"].to_numpy() * np.where(urban, 1, 2) * np.where(is_crisis, 1.6, 1)
    arrived, completed = _visit_times(rng, requested, median, d["arrival_spread"].to_numpy(), status)
    status, arrived, completed = _as_of_span_end(span, status, arrived, completed)
    age_days = np.where(service == "install", rng.integers(0, 10, n), rng.gamma(1.6, 500, n).astype(int) + 20)
    purchase = requested.astype("datetime64[D]") - age_days.astype("timedelta64[D]")
    in_warranty = np.where(age_days <= products["warranty"] * 365, 1, 0)
    purchase = np.where(rng.random(n) < 0.05, np.datetime64("NaT", "D"), purchase)
    labor, parts = _fees(rng, service, status)
    callback_share = np.clip(d["dealer_callback"].to_numpy() + 0.05 * rng.standard_normal(n), 0, 1)
    records = pd.DataFrame(
        {
            "dealer": dealer,
            "month": month,
            "frame_row": rows,
            "dealer_id": d["dealer_id"].to_numpy(),
            "customer_name": person_names(rng, n, customers=True),
            "customer_phone": phones(rng, n),
            "address": addresses(rng, d["city"].to_numpy(), d["place"].to_numpy(), urban),
            "product_model": products["product_model"],
            "family": products["family"],
            "serial_no": np.where(rng.random(n) < 0.02, "", _serials(rng, n)),
            "purchase_date": purchase,
            "service_type": service,
            "fault_category": _faults(rng, products["family"], service),
            "requested_at": requested,
            "arrived_at": arrived,
            "completed_at": completed,
            "status": status,
            "in_warranty": np.where(np.isnat(purchase) & (rng.random(n) < 0.5), -1, in_warranty),
            "labor_fee": labor,
            "parts_fee": parts,
            "technician": _technicians(rng, dealers, dealer),
            "customer_signed": np.where(status == "open", 0, (rng.random(n) < d["signed"].to_numpy()).astype(int)),
            "dealer_callback": (rng.random(n) < callback_share).astype(int),
            "hq_ticket_id": "",
            "urban": urban,
            "crisis": is_crisis,
        }
    )
    add_repeat_repairs(rng, records, dealers)
    records["seq"] = records.groupby("frame_row").cumcount() + 1
    records["record_no"] = _record_numbers(records, dealers, span)
    return records


def _technicians(rng: np.random.Generator, dealers: pd.DataFrame, dealer: np.ndarray) -> np.ndarray:
    """A technician from the dealer's own roster (at least one name, even with 0 on file)."""
    roster_size = np.maximum(dealers["technicians"].to_numpy(), 1)
    offsets = np.concatenate([[0], np.cumsum(roster_size)[:-1]])
    roster = person_names(rng, int(roster_size.sum()))
    chosen = (rng.random(len(dealer)) * roster_size[dealer]).astype(int)
    return roster[offsets[dealer] + chosen]


def _record_numbers(records: pd.DataFrame, dealers: pd.DataFrame, span: Span) -> np.ndarray:
    """Dealer-style record numbers: WX2503001, JX110-202503-0001 or 2025030001."""
    yyyymm, yymm = month_codes(span.months[records["month"].to_numpy()])
    seq = records["seq"].to_numpy().astype(str)
    style = dealers["record_style"].to_numpy()[records["dealer"].to_numpy()]
    wx = cat("WX", yymm, np.char.zfill(seq, 3))
    by_dealer = cat(records["dealer_id"].to_numpy().astype(str), "-", yyyymm, "-", np.char.zfill(seq, 4))
    numeric = cat(yyyymm, np.char.zfill(seq, 4))
    return np.select([style == "dealer", style == "numeric"], [by_dealer, numeric], wx)
