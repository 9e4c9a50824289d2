"""Rates judged against the rules' thresholds, the way the award judges them: by the macros of
etl/metrics/definitions.py (meets_threshold, interval_verdict), the one definition of each verdict.

The warehouse calls them inside its queries (the award, rate_<name>_ok). A page holds its counts in
frames (a ranking, an Overview tile), and judges them with the same macros on an in-memory DuckDB
of its own (one per thread), so no verdict is written twice, in SQL and again in Python.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from decimal import Decimal

import duckdb
import pandas as pd

from etl.metrics import named
from etl.metrics.definitions import JUDGEMENT_MACROS, RATE_BY_NAME, RATES, Rate, rule_variable

_local = threading.local()


def _judging():
    """This thread's in-memory DuckDB holding the judgement macros (no data, no file)."""
    con = getattr(_local, "con", None)
    if con is None:
        con = _local.con = duckdb.connect(":memory:")
        for statement in JUDGEMENT_MACROS:
            con.execute(statement)
    return con


def _counts(values) -> pd.array:
    return pd.array([None if v is None or pd.isna(v) else int(v) for v in values], dtype="Int64")


@dataclass(frozen=True)
class Threshold:
    """A rate's limit from the rules (as the views read it) and which side of it is good."""

    rate: str
    limit: Decimal
    good_when: str  # "below" or "at_least"
    upper: Decimal | None = None  # for a range (HQ callback coverage 10-20 %)

    def verdicts(self, numerators, denominators) -> pd.array:
        """meets_threshold on each (numerator, denominator): True / False, empty when the rate is."""
        frame = pd.DataFrame({"position": range(len(numerators)), "x": _counts(numerators), "n": _counts(denominators)})
        if frame.empty:
            return pd.array([], dtype="boolean")
        con = _judging()
        con.register("_judged", frame)
        try:
            found = named.run(
                con,
                "meets_threshold",
                {
                    "scale": RATE_BY_NAME[self.rate].scale,
                    "limit": self.limit,
                    "good_when": self.good_when,
                    "upper": self.upper,
                },
            )
        finally:
            con.unregister("_judged")
        return pd.array(found["ok"], dtype="boolean")

    def passes(self, numerator, denominator) -> bool | None:
        """Exact comparison on the counts, as the award view does; None when the rate is empty."""
        verdict = self.verdicts([numerator], [denominator])[0]
        return None if pd.isna(verdict) else bool(verdict)

    def beyond(self, lows, highs) -> pd.Series:
        """Whether each Wilson interval (low, high, on the rate's scale) lies wholly beyond the limit on
        the bad side (interval_verdict 'bad', as the award's 'not demonstrable' reads the good side)."""
        frame = pd.DataFrame(
            {
                "position": range(len(lows)),
                "low": pd.to_numeric(pd.Series(list(lows)), errors="coerce"),
                "high": pd.to_numeric(pd.Series(list(highs)), errors="coerce"),
            }
        )
        if frame.empty:
            return pd.Series([], dtype=bool)
        con = _judging()
        con.register("_intervals", frame)
        try:
            found = named.run(con, "interval_verdict", {"limit": self.limit, "good_when": self.good_when})
        finally:
            con.unregister("_intervals")
        return found["verdict"].eq("bad").fillna(False).astype(bool)


def rule_value(con, rules_key: str) -> Decimal:
    """A threshold exactly as the views read it (the connection's rules or what-if, else the stored rules)."""
    return Decimal(str(named.value(con, "rule_value", {"name": rule_variable(rules_key)})))


def thresholds(con) -> dict[str, Threshold]:
    """Every rate that has a threshold in the rules, with the values this connection's rules hold."""
    return {
        rate.name: Threshold(
            rate.name,
            rule_value(con, rate.threshold),
            rate.good_when,
            rule_value(con, rate.upper) if rate.upper else None,
        )
        for rate in RATES
        if rate.threshold
    }


def judge(frame: pd.DataFrame, limits: dict[str, Threshold]) -> pd.DataFrame:
    """Add `<rate>_ok` (True / False / empty) for every rate with a threshold, from the frame's counts."""
    judged = frame.copy()
    for name, limit in limits.items():
        rate: Rate = RATE_BY_NAME[name]
        judged[f"{name}_ok"] = limit.verdicts(frame[rate.numerator], frame[rate.denominator])
    return judged
