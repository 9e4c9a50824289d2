"""Random people: picks from a list, Chinese names, mobile numbers, street and village addresses."""

from __future__ import annotations

import numpy as np

from sampledata.reference import COMMUNITIES, GIVEN_CHARS, MOBILE_PREFIXES, STREETS, SURNAMES, TOWNS, VILLAGES
from sampledata.spelling import cat


def pick(rng: np.random.Generator, options, n: int) -> np.ndarray:
    return np.asarray(options)[rng.integers(0, len(options), n)]


def person_names(rng: np.random.Generator, n: int, customers: bool = False) -> np.ndarray:
    """Chinese names: a surname and one or two given characters; customers now and then as 王先生 / 李女士."""
    surname = pick(rng, SURNAMES, n)
    second = np.where(rng.random(n) < 0.6, pick(rng, GIVEN_CHARS, n), "")
    names = cat(surname, pick(rng, GIVEN_CHARS, n), second)
    polite = rng.random(n) if customers else np.ones(n)
    return np.where(polite < 0.04, cat(surname, "先生"), np.where(polite < 0.07, cat(surname, "女士"), names))


def phones(rng: np.random.Generator, n: int) -> np.ndarray:
    """11-digit mainland mobile numbers as text."""
    prefix = np.asarray(MOBILE_PREFIXES, dtype=np.int64)[rng.integers(0, len(MOBILE_PREFIXES), n)]
    return (prefix * 10**8 + rng.integers(0, 10**8, n)).astype(str)


def addresses(rng: np.random.Generator, city: np.ndarray, place: np.ndarray, urban: np.ndarray) -> np.ndarray:
    """Street addresses in town, village addresses in a county."""
    n = len(city)
    town = cat(
        city,
        place,
        pick(rng, STREETS, n),
        rng.integers(1, 400, n),
        "号",
        pick(rng, COMMUNITIES, n),
        rng.integers(1, 30, n),
        "幢",
        rng.integers(1, 25, n) * 100 + rng.integers(1, 5, n),
        "室",
    )
    county = cat(
        place,
        pick(rng, TOWNS, n),
        "镇",
        pick(rng, VILLAGES, n),
        "村",
        rng.integers(1, 12, n),
        "组",
        rng.integers(1, 80, n),
        "号",
    )
    return np.where(urban, town, county)
