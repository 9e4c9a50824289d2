"""The months of a data set (the demo's 24, the national set's M) and the demo's award year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

SPAN_MONTHS = 24


@dataclass(frozen=True)
class Span:
    """The months of a data set and, for the demo, the award year inside them."""

    months: np.ndarray  # datetime64[M]

    @property
    def start(self) -> np.datetime64:
        return self.months[0].astype("datetime64[D]")

    @property
    def end(self) -> np.datetime64:
        """First day after the last month."""
        return (self.months[-1] + 1).astype("datetime64[D]")

    @property
    def award_year(self) -> int:
        last = self.months[-1].astype(object)
        return last.year if last.month == 12 else last.year - 1

    def index(self, when: tuple[str, int]) -> int | None:
        """Span index of ('award', month) or ('span', index); None when outside the span."""
        place, number = when
        if place == "span":
            return number if 0 <= number < len(self.months) else None
        wanted = np.datetime64(f"{self.award_year}-{number:02d}", "M")
        found = np.nonzero(self.months == wanted)[0]
        return int(found[0]) if len(found) else None

    def date(self, when: tuple[str, int, int]) -> np.datetime64:
        """A day given as ('award', month, day) or ('span', month index, day), clipped to the month."""
        place, number, day = when
        month = (
            np.datetime64(f"{self.award_year}-{number:02d}", "M")
            if place == "award"
            else self.months[min(number, len(self.months) - 1)]
        )
        last_day = int(((month + 1).astype("datetime64[D]") - month.astype("datetime64[D]")).astype(int))
        return month.astype("datetime64[D]") + min(day, last_day) - 1


def default_end_month() -> str:
    """The month before the current one."""
    first = dt.date.today().replace(day=1)
    return (first - dt.timedelta(days=1)).strftime("%Y-%m")


def demo_span(end_month: str) -> Span:
    last = np.datetime64(end_month, "M")
    return Span(months=np.arange(last - (SPAN_MONTHS - 1), last + 1))
