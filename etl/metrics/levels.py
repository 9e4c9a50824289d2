"""Coverage levels as people write them (95 %, 99.8 %): numbers with their unit, no words."""

from __future__ import annotations

from statistics import NormalDist


def level_text(probability: float) -> str:
    """A coverage level: 0.95 -> 95 %, 0.998 -> 99.8 %."""
    return f"{round(float(probability), 6) * 100:.4f}".rstrip("0").rstrip(".") + " %"


def interval_level(z: float) -> str:
    """The two-sided coverage of an interval at normal quantile z: 95 % for 1.96."""
    return level_text(round(2 * NormalDist().cdf(float(z)) - 1, 4))
