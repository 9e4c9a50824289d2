"""Repeat repairs: a serial (and customer) repaired again within 30 days, now and then by the town dealer."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sampledata.reference import DAY

REPEAT_FIELDS = (
    "serial_no",
    "product_model",
    "family",
    "customer_name",
    "customer_phone",
    "address",
    "purchase_date",
    "in_warranty",
)


def add_repeat_repairs(rng: np.random.Generator, records: pd.DataFrame, dealers: pd.DataFrame) -> None:
    """Give some repairs the serial (and customer) of a repair of the last 30 days."""
    repair = np.nonzero((records["service_type"] == "repair").to_numpy() & (records["serial_no"] != "").to_numpy())[0]
    dealer = records["dealer"].to_numpy()[repair]
    when = records["requested_at"].to_numpy()[repair]
    chance = dealers["repeat"].to_numpy()[dealer]
    candidate = rng.random(len(repair)) < chance
    source = np.arange(len(repair)) - rng.integers(1, 16, len(repair))
    safe = np.clip(source, 0, None)
    gap = (when - when[safe]).astype("timedelta64[m]").astype(np.int64)
    ok = candidate & (source >= 0) & (dealer[safe] == dealer) & (gap > 0) & (gap <= 30 * DAY) & ~candidate[safe]
    _copy_fields(records, repair[safe[ok]], repair[ok])
    _cross_dealer_repeats(rng, records, repair, candidate | ok)


def _cross_dealer_repeats(
    rng: np.random.Generator, records: pd.DataFrame, repair: np.ndarray, taken: np.ndarray
) -> None:
    """A few county repairs repeat a repair done by the town dealer of the same city weeks before."""
    dealer = records["dealer"].to_numpy()[repair]
    when = records["requested_at"].to_numpy()[repair]
    targets, sources = [], []
    for county in range(1, dealer.max() + 1, 2):
        mine = np.nonzero((dealer == county) & ~taken & (rng.random(len(repair)) < 0.0015))[0]
        town = np.nonzero((dealer == county - 1) & ~taken)[0]
        if len(mine) == 0 or len(town) == 0:
            continue
        before = np.searchsorted(when[town], when[mine], side="left") - 1
        valid = before >= 0
        gap = (when[mine] - when[town[np.clip(before, 0, None)]]).astype("timedelta64[m]").astype(np.int64)
        valid &= (gap > 0) & (gap <= 30 * DAY)
        targets.append(repair[mine[valid]])
        sources.append(repair[town[before[valid]]])
    if targets:
        _copy_fields(records, np.concatenate(sources), np.concatenate(targets))


def _copy_fields(records: pd.DataFrame, source: np.ndarray, target: np.ndarray) -> None:
    """Copy the product and customer of source records onto target records."""
    for name in REPEAT_FIELDS:
        values = records[name].to_numpy().copy()
        values[target] = values[source]
        records[name] = values
