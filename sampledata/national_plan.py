"""The national set's dealer-level plan, drawn with numpy (small: a few numbers per dealer and month):
the roster and each dealer's behaviour, each dealer-month's records, report, callback share, hotline
counts and sales, and the notices. See `sampledata.national`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sampledata.reference import COUNTY_BRANDS, LOCATIONS, NAME_SUFFIXES, short_name
from sampledata.repairs import month_frame
from sampledata.roles import EXCELLENT, ORDINARY, POOR, Profile
from sampledata.span import Span

RECORDS_PER_DEALER_MONTH = 196
MAX_RECORDS_PER_DEALER_MONTH = 99_999  # record numbers and keys have five digits for it
TIERS: tuple[tuple[str, float, Profile], ...] = (
    ("excellent", 0.2, EXCELLENT),
    ("ordinary", 0.7, ORDINARY),
    ("poor", 0.1, POOR),
)
TIERS_BY_NAME = {name: profile for name, _, profile in TIERS}
MISSING = {"excellent": 0.002, "ordinary": 0.01, "poor": 0.04}  # chance a dealer-month has no report
FAKE_DEALERS = 1 / 3  # share of poor dealers (the first and every third) whose callbacks find fake records ...
FAKE_RATE = (0.03, 0.08)  # ... in this share of their reached callbacks
CROSSING = 0.04  # share of contracts that begin, and of those that end, inside the span
CALLBACK_SHARE = (0.10, 0.20)
ANSWERED_SHARE = 0.03  # installs and repairs that answer a hotline repair request
INQUIRIES = (0.3, 0.018)  # inquiry tickets a dealer-month: a constant plus a share of services


def national_dealers(rng: np.random.Generator, span: Span, n: int) -> pd.DataFrame:
    """The roster and each dealer's behaviour: tier, size, shares, contract dates."""
    index = np.arange(n)
    place = np.asarray(LOCATIONS, dtype=object)[(index // 2) % len(LOCATIONS)]
    urban = index % 2 == 0
    tier_names = np.array([t[0] for t in TIERS])
    tier = tier_names[rng.choice(len(TIERS), n, p=[t[1] for t in TIERS])]
    profiles = [dict(TIERS_BY_NAME[t].__dict__) for t in tier]

    def column(name: str) -> np.ndarray:
        return np.array([p[name] for p in profiles], dtype=float)

    def drawn(name: str, log: bool = False) -> np.ndarray:
        bounds = np.array([p[name] for p in profiles], dtype=float)
        low, high = (np.log(bounds[:, 0]), np.log(bounds[:, 1])) if log else (bounds[:, 0], bounds[:, 1])
        value = low + rng.random(n) * (high - low)
        return np.exp(value) if log else value

    frame = pd.DataFrame(
        {
            "dealer": index,
            "dealer_id": np.char.add("JX", (10001 + index).astype(str)),
            "region": [p[0] for p in place],
            "province": [p[1] for p in place],
            "city": [p[2] for p in place],
            "place": np.where(urban, [p[3] for p in place], [p[4] for p in place]),
            "area_type": np.where(urban, "urban", "county"),
            "urban": urban,
            "tier": tier,
        }
    )
    suffix = [NAME_SUFFIXES[(i if i % 2 == 0 else i + 3) % len(NAME_SUFFIXES)] for i in index]
    brand = [COUNTY_BRANDS[(i // 2) % len(COUNTY_BRANDS)] for i in index]
    frame["dealer_name"] = [
        f"{short_name(city)}{short_name(where)}{suffix[i]}" if urban[i] else f"{short_name(where)}{brand[i]}{suffix[i]}"
        for i, city, where in zip(index, frame["city"], frame["place"])
    ]
    rounds = index // (2 * len(LOCATIONS))  # the same city again: a number in the name tells them apart
    frame["dealer_name"] = np.where(
        rounds > 0, frame["dealer_name"] + np.char.add("第", (rounds + 1).astype(str)) + "分部", frame["dealer_name"]
    )
    frame["size"] = drawn("size", log=True)
    for name in ("units_per_repair", "satisfied", "dealer_callback"):
        frame[name] = drawn(name)
    for name in (
        "top_share",
        "dissatisfied_share",
        "callback_complaint",
        "unresolved",
        "open_rate",
        "arrival_hours",
        "arrival_spread",
        "signed",
        "conduct",
        "hotline_complaints",
        "complaints_per_service",
        "verified",
        "unanswered",
        "late",
        "repeat",
    ):
        frame[name] = column(name)
    frame["on_time_low"] = [p["on_time_days"][0] for p in profiles]
    frame["on_time_high"] = [p["on_time_days"][1] for p in profiles]
    low, high = np.array([p["technicians"] for p in profiles]).T
    frame["technicians"] = rng.integers(low, high + 1)
    gaps = rng.random(n)
    frame["has_service_center"] = ~((tier != "excellent") & (gaps < 0.03))
    frame.loc[(tier == "poor") & (gaps > 0.97), "technicians"] = 0
    poor_rank = np.cumsum(tier == "poor") - 1
    every = round(1 / FAKE_DEALERS)
    frame["fake"] = np.where((tier == "poor") & (poor_rank % every == 0), rng.uniform(*FAKE_RATE, n), 0.0)
    frame["missing"] = [MISSING[t] for t in tier]
    frame["unit_price"] = rng.uniform(2200, 4200, n).round(-1)
    _contracts(rng, frame, span)
    # Scale the sizes: about RECORDS_PER_DEALER_MONTH records per dealer-month under contract.
    plan = month_frame(frame, span)
    expected = frame["size"].to_numpy()[plan["dealer"].to_numpy()] * plan["season"].to_numpy()
    frame["size"] *= RECORDS_PER_DEALER_MONTH * plan["share"].sum() / (expected * plan["share"].to_numpy()).sum()
    return frame


def _contracts(rng: np.random.Generator, frame: pd.DataFrame, span: Span) -> None:
    """Most dealers joined years ago; a few join or leave inside the span (never both)."""
    n = len(frame)
    days = int((span.end - span.start).astype(int))
    earliest = min(np.datetime64("2009-03-01"), span.start - 3650)
    joined = earliest + rng.integers(0, int((span.start - 400 - earliest).astype(int)), n)
    change = rng.random(n)
    inside = span.start + rng.integers(1, max(days - 1, 2), n)
    frame["joined_on"] = np.where(change < CROSSING, inside, joined).astype("datetime64[D]")
    frame["left_on"] = np.where(change > 1 - CROSSING, inside, np.datetime64("NaT")).astype("datetime64[D]")


def month_plan(rng: np.random.Generator, roster: pd.DataFrame, span: Span) -> pd.DataFrame:
    """One row per dealer-month: records, report, callback share, hotline counts, sales."""
    plan = month_frame(roster, span)
    n_dealers, n_months = len(roster), len(span.months)
    dealer = plan["dealer"].to_numpy()
    d = roster.iloc[dealer]
    expected = d["size"].to_numpy() * plan["season"].to_numpy() * plan["share"].to_numpy()
    records = np.where(plan["active"], np.maximum(rng.poisson(expected), 1), 0)
    plan["records"] = np.minimum(records, MAX_RECORDS_PER_DEALER_MONTH)
    crisis = np.zeros((n_dealers, n_months), dtype=bool)
    for index in np.nonzero(roster["tier"].to_numpy() == "poor")[0]:
        crisis[index, rng.choice(n_months, min(3, n_months), replace=False)] = True
    plan["crisis"] = crisis.ravel()
    late = rng.random(len(plan)) < d["late"].to_numpy()
    day = np.where(
        late,
        rng.integers(16, 29, len(plan)),
        rng.integers(d["on_time_low"].to_numpy(), d["on_time_high"].to_numpy() + 1),
    )
    next_month = (span.months[plan["month"].to_numpy()] + 1).astype("datetime64[D]")
    plan["submitted_on"] = np.minimum(next_month + (day - 1).astype("timedelta64[D]"), span.end)
    plan["delivered"] = (plan["records"] > 0) & (rng.random(len(plan)) >= d["missing"].to_numpy())
    plan["callback_share"] = rng.uniform(*CALLBACK_SHARE, len(plan))
    share = d["unanswered"].to_numpy()
    answered = plan["records"].to_numpy() * 0.85 * ANSWERED_SHARE
    active = plan["active"].to_numpy()
    plan["unanswered"] = np.where(active, rng.poisson(answered * share / (1 - share)), 0)
    plan["loose_complaints"] = np.where(
        active, rng.poisson(d["hotline_complaints"].to_numpy() + np.where(plan["crisis"], 3, 0)), 0
    )
    plan["inquiries"] = np.where(active, rng.poisson(INQUIRIES[0] + INQUIRIES[1] * plan["records"].to_numpy()), 0)
    units = np.maximum(
        1, np.round(expected * d["units_per_repair"].to_numpy() * np.exp(0.15 * rng.standard_normal(len(plan))))
    ).astype(int)
    plan["units_sold"] = np.where(active, units, 0)
    plan["sales_amount"] = np.round(units * d["unit_price"].to_numpy() * rng.uniform(0.95, 1.05, len(plan)), 2)
    plan["month_start"] = span.months.astype("datetime64[D]")[plan["month"].to_numpy()]
    # The town dealer of the same city (dealer - 1 of an odd dealer), for repeats at another dealer.
    town = np.maximum(np.arange(len(plan)) - n_months, 0)
    county = dealer % 2 == 1
    plan["pair_records"] = np.where(county, plan["records"].to_numpy()[town], 0)
    plan["pair_first_day"] = plan["first_day"].to_numpy()[town]
    plan["pair_end_day"] = plan["end_day"].to_numpy()[town]
    plan["pair_place"] = roster["place"].to_numpy()[np.maximum(dealer - 1, 0)]
    plan["pair_repeat_rate"] = roster["repeat"].to_numpy()[np.maximum(dealer - 1, 0)]
    return plan


def national_notices(rng: np.random.Generator, roster: pd.DataFrame, span: Span) -> pd.DataFrame:
    """Media and regulator notices: a poor dealer one year in five, anybody else one in 500."""
    years = np.unique(span.months.astype("datetime64[Y]"))
    sources = (
        "{province}12315平台",
        "{city}电视台《民生直通车》",
        "{city}市场监督管理局",
        "{province}消费者权益保护委员会",
    )
    texts = (
        "多名用户反映维修后乱收费，平台通报",
        "维修人员虚报配件更换被媒体曝光",
        "以旧配件冒充新配件，被市场监管部门通报",
        "用户投诉多次上门未修好，消委会通报",
    )
    chance = np.where(roster["tier"].to_numpy() == "poor", 0.2, 0.002)
    rows: list[dict[str, str]] = []
    for year in years:
        first = max(year.astype("datetime64[D]"), span.start)
        last = min((year + 1).astype("datetime64[D]"), span.end)
        for index in np.nonzero(rng.random(len(roster)) < chance)[0]:
            dealer = roster.iloc[index]
            day = first + int(rng.integers(0, int((last - first).astype(int))))
            which = int(rng.integers(0, len(sources)))
            rows.append(
                {
                    "notice_id": f"TB{str(day)[:4]}{len(rows) + 1:05d}",
                    "dealer_id": dealer["dealer_id"],
                    "notice_date": str(day),
                    "source": sources[which].format(province=dealer["province"], city=short_name(dealer["city"])),
                    "description": f"{dealer['dealer_name']}{texts[which]}",
                }
            )
    return pd.DataFrame(rows, columns=["notice_id", "dealer_id", "notice_date", "source", "description"])
