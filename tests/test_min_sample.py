"""Issue 14: flags need a minimum sample (rules statistics.min_sample, default 30 in the rate's denominator), and
"needing attention" lists only dealers with a signal, whatever their rate."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pandas as pd

from etl.db import reader
from etl.metrics import quality
from etl.metrics.definitions import RATE_BY_NAME
from etl.metrics.thresholds import Threshold
from etl.rules import load_rules
from test_stats_watchlist import MONTH
from test_stats_watchlist import _load as load_june

RATE_SIGNALS = {"funnel", "control_chart", "control_breach"}


def _config(min_sample: float) -> dict[str, float]:
    return {**{key: float(load_rules()[key]) for key in quality.SETTINGS}, "statistics.min_sample": min_sample}


def _wilson(x: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    centre = (x / n + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(x / n * (1 - x / n) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_the_default_minimum_is_30_and_the_watchlist_flags_rates_only_from_it(wh, tmp_path):
    assert load_rules()["statistics.min_sample"] == 30
    load_june(wh)  # June: D1 10 misses of 20 requests, D3 8 complaints of 20 services; others no rate flags

    def reasons(min_sample):
        rules = tmp_path / f"min_{min_sample}.toml"
        rules.write_text(f"[statistics]\nmin_sample = {min_sample}\n", encoding="utf-8")
        with reader(wh.path, load_rules(rules)) as con:
            lines = quality.watchlist(con, MONTH, dt.date(2025, 7, 20))
        return {(row.dealer_id, row.reason) for row in lines.itertuples()}

    at_20, at_21, default = reasons(20), reasons(21), reasons(30)
    assert {
        ("D1", "funnel"),
        ("D1", "control_chart"),
        ("D1", "control_breach"),
        ("D3", "funnel"),
        ("D3", "control_breach"),
    } <= at_20  # 20 in the denominator reaches 20
    assert not {line for line in at_21 if line[1] in RATE_SIGNALS}  # ... not 21: no rate flag at all
    assert not {line for line in default if line[1] in RATE_SIGNALS}
    # what does not rest on a rate stays: a missing or late report, a fake record
    assert {("D2", "report_missing"), ("D4", "report_missing"), ("D5", "fake_record")} <= default


def _complaints():
    """D1 0 of 20 (0.0 %), D2 1 of 20, D3 9 of 10, D5 44 of 200: complaint rate per service, control 10 %."""
    counts = pd.DataFrame(
        {
            "dealer_id": ["D1", "D2", "D3", "D5"],
            "dealer_name": list("abce"),
            "region": ["华东"] * 4,
            "complaints": [0, 1, 9, 44],
            "services": [20, 20, 10, 200],
        }
    )
    counts["complaint_rate"] = counts["complaints"] / counts["services"]
    bounds = [_wilson(x, n) for x, n in zip(counts["complaints"], counts["services"])]
    counts["complaint_rate_low"], counts["complaint_rate_high"] = zip(*bounds)
    return counts


def test_attention_lists_only_signals_worst_first_and_never_a_zero_rate():
    counts, rate = _complaints(), RATE_BY_NAME["complaint_rate"]
    limit = Threshold("complaint_rate", Decimal("0.1"), "below")
    config = _config(0)
    plot = quality.funnel_from_counts(counts, rate, config, overdispersion=False)
    points = plot.points.set_index("dealer_id")
    # target 54 / 250 = 21.6 %: D3's 90 % is above its outer (99.8 %) limit at n = 10; D5's 22 % is inside both of
    # its limits at n = 200, but its Wilson interval lies wholly above the 10 % control; D1 and D2 have no signal
    assert plot.target == 54 / 250
    assert points.loc["D3", "upper_998"] < 0.9 and points.loc["D5", "lower_95"] < 0.22 < points.loc["D5", "upper_95"]
    assert _wilson(44, 200)[0] > 0.1 and _wilson(1, 20)[0] < 0.1 and _wilson(9, 10)[0] > 0.1
    flagged = quality.attention(counts, "complaint_rate", plot, limit, config)
    assert flagged[["dealer_id", "signal"]].values.tolist() == [["D3", "funnel_outer"], ["D5", "interval"]]
    # at the default minimum of 30 services only D5 (200) may be flagged
    flagged = quality.attention(counts, "complaint_rate", plot, limit, _config(30))
    assert flagged["dealer_id"].tolist() == ["D5"]
    # without a funnel or a threshold the other signal still counts; nothing at all: an empty list
    assert quality.attention(counts, "complaint_rate", None, limit, config)["dealer_id"].tolist() == ["D3", "D5"]
    assert quality.attention(counts.iloc[:2], "complaint_rate", None, limit, config).empty


def test_the_funnel_flags_no_dealer_below_the_minimum():
    counts, rate = _complaints(), RATE_BY_NAME["complaint_rate"]
    assert quality.funnel_from_counts(counts, rate, _config(0), False).outliers["dealer_id"].tolist() == ["D3"]
    small = quality.funnel_from_counts(counts, rate, _config(11), False)  # D3 has 10 services
    assert small.outliers.empty and small.points.loc[2, "upper_998"] < 0.9  # the point and limits stay drawn
