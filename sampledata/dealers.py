"""The demo roster: identity, contract dates, network and each dealer's drawn behaviour."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sampledata.draws import person_names, phones
from sampledata.reference import COUNTY_BRANDS, LOCATIONS, NAME_SUFFIXES, short_name
from sampledata.roles import FAKE_RATE, JOINERS, LEAVERS, NETWORK_GAPS, PROFILES, ROLE_IDS
from sampledata.span import Span


def _role(dealer_id: str) -> str:
    return next((role for role, ids in ROLE_IDS.items() if dealer_id in ids), "ordinary")


def _dealer_places() -> pd.DataFrame:
    """Identity of the 128 dealers: id, name, location, area type (not seeded)."""
    rows: list[dict[str, Any]] = []
    for number, (region, province, city, district, county) in enumerate(LOCATIONS):
        for urban in (True, False):
            index = len(rows)
            place = district if urban else county
            suffix = NAME_SUFFIXES[(number * 3 + (0 if urban else 4)) % len(NAME_SUFFIXES)]
            name = (
                f"{short_name(city)}{short_name(place)}{suffix}"
                if urban
                else f"{short_name(place)}{COUNTY_BRANDS[number % len(COUNTY_BRANDS)]}{suffix}"
            )
            if index == 0:
                name = "杭州西湖家电服务部"  # the spec's example dealer
            rows.append(
                {
                    "dealer_id": f"JX{101 + index}",
                    "dealer_name": name,
                    "region": region,
                    "province": province,
                    "city": city,
                    "place": place,
                    "area_type": "urban" if urban else "county",
                }
            )
    return pd.DataFrame(rows)


def _draw(rng: np.random.Generator, bounds: np.ndarray, log: bool = False) -> np.ndarray:
    """One uniform (or log-uniform) draw per row of a (n, 2) array of bounds."""
    low, high = bounds[:, 0].astype(float), bounds[:, 1].astype(float)
    if log:
        return np.exp(np.log(low) + rng.random(len(low)) * (np.log(high) - np.log(low)))
    return low + rng.random(len(low)) * (high - low)


def draw_dealers(rng: np.random.Generator, span: Span) -> pd.DataFrame:
    """The roster with each dealer's contract, network and drawn behaviour."""
    dealers = _dealer_places()
    dealers["role"] = dealers["dealer_id"].map(_role)
    profiles = [PROFILES[r] for r in dealers["role"]]
    n = len(dealers)

    def bounds(field_name):
        return np.array([getattr(p, field_name) for p in profiles], dtype=float)

    dealers["size"] = _draw(rng, bounds("size"), log=True)
    dealers["units_per_repair"] = _draw(rng, bounds("units_per_repair"))
    dealers["satisfied"] = _draw(rng, bounds("satisfied"))
    dealers["dealer_callback"] = _draw(rng, bounds("dealer_callback"))
    dealers["unit_price"] = rng.uniform(2200, 4200, n).round(-1)
    tech = bounds("technicians")
    dealers["technicians"] = rng.integers(tech[:, 0].astype(int), tech[:, 1].astype(int) + 1)
    dealers["has_service_center"] = True
    for dealer_id, (technicians, center) in NETWORK_GAPS.items():
        row = dealers["dealer_id"] == dealer_id
        dealers.loc[row, "technicians"] = technicians
        dealers.loc[row, "has_service_center"] = center
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
        dealers[name] = [getattr(p, name) for p in profiles]
    dealers["on_time_low"] = [p.on_time_days[0] for p in profiles]
    dealers["on_time_high"] = [p.on_time_days[1] for p in profiles]
    dealers["scaled"] = [p.scaled for p in profiles]
    dealers["fake"] = dealers["dealer_id"].map(FAKE_RATE).fillna(0.0)
    _contract_dates(rng, dealers, span)
    dealers["record_style"] = [("dealer" if i % 9 == 4 else "numeric" if i % 9 == 7 else "wx") for i in range(n)]
    dealers["contact"] = person_names(rng, n)
    dealers["contact_phone"] = phones(rng, n).astype(np.int64)
    return dealers


def _contract_dates(rng: np.random.Generator, dealers: pd.DataFrame, span: Span) -> None:
    """joined_on years ago for most; a few join or leave inside the span."""
    earliest, latest = np.datetime64("2009-03-01"), span.start - 400
    offsets = rng.integers(0, int((latest - earliest).astype(int)), len(dealers))
    dealers["joined_on"] = earliest + offsets
    dealers["left_on"] = np.full(len(dealers), np.datetime64("NaT", "D"))
    for dealer_id, when in JOINERS.items():
        dealers.loc[dealers["dealer_id"] == dealer_id, "joined_on"] = span.date(when)
    for dealer_id, when in LEAVERS.items():
        dealers.loc[dealers["dealer_id"] == dealer_id, "left_on"] = span.date(when)
