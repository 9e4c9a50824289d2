"""Issue 6.3: p and Laney p' charts against published and written-out figures, and the run rule."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2

from etl.metrics import stats

# qcc's `orangejuice` (Montgomery, Introduction to Statistical Quality Control, example 7.1): nonconforming
# cans in 30 trial samples of 50. qcc's p chart on samples 1-30: centre 0.2313333, LCL 0.05242755,
# UCL 0.4102391; samples 15 and 23 are beyond the limits.
ORANGE_JUICE = [
    12,
    15,
    8,
    10,
    4,
    7,
    16,
    9,
    14,
    10,
    5,
    6,
    17,
    12,
    22,
    8,
    10,
    5,
    13,
    11,
    20,
    18,
    24,
    15,
    9,
    12,
    7,
    13,
    9,
    6,
]


def _chart(x, n, baseline=None, **options):
    baseline = [True] * len(x) if baseline is None else baseline
    frame = pd.DataFrame({"g": "a", "x": x, "n": n, "baseline": baseline})
    return stats.control_chart(frame, ["g"], **options)


def test_p_chart_matches_qcc_on_the_orange_juice_data():
    chart = _chart(ORANGE_JUICE, [50] * 30, method="p")
    assert chart["centre"].iloc[0] == pytest.approx(0.2313333, abs=5e-8)
    assert chart["lcl"].iloc[0] == pytest.approx(0.05242755, abs=5e-9)
    assert chart["ucl"].iloc[0] == pytest.approx(0.4102391, abs=5e-8)
    assert (chart["chart"] == "p").all()
    assert [i + 1 for i in np.flatnonzero(chart["beyond"].notna())] == [15, 23]
    assert chart.loc[[14, 22], "beyond"].tolist() == ["above", "above"]


def test_p_chart_limits_follow_each_months_own_denominator_and_stay_within_0_and_1():
    chart = _chart([1, 4, 2, 30], [10, 40, 20, 30], baseline=[True, True, True, False], method="p")
    centre = 7 / 70
    for n, lcl, ucl in zip([10, 40, 20, 30], chart["lcl"], chart["ucl"]):
        half = 3 * math.sqrt(centre * (1 - centre) / n)
        assert (lcl, ucl) == (pytest.approx(max(centre - half, 0)), pytest.approx(min(centre + half, 1)))
    assert chart["centre"].tolist() == pytest.approx([0.1] * 4)
    assert chart["beyond"].tolist()[-1] == "above" and chart["lcl"].iloc[0] == 0


def test_laney_with_equal_sizes_is_the_individuals_chart_of_the_proportions():
    """With one subgroup size, sigma_p' = sigma_p x sigma_z = mean moving range of p / 1.128: Laney's
    p' chart is then the XmR chart of the proportions (centre +/- 3 MRbar / 1.128)."""
    chart = _chart(ORANGE_JUICE, [50] * 30, method="laney")
    p = np.array(ORANGE_JUICE) / 50
    mr_bar = np.mean(np.abs(np.diff(p)))
    assert chart["ucl"].iloc[0] == pytest.approx(p.mean() + 3 * mr_bar / 1.128, abs=1e-12)
    assert chart["lcl"].iloc[0] == pytest.approx(max(p.mean() - 3 * mr_bar / 1.128, 0), abs=1e-12)
    assert (chart["chart"] == "laney").all()


def test_laney_with_unequal_sizes_written_out():
    x = [30, 12, 55, 21, 48, 9, 40, 27, 61, 18]
    n = [400, 150, 600, 300, 500, 120, 450, 350, 700, 200]
    baseline = [True] * 8 + [False, False]
    chart = _chart(x, n, baseline=baseline, method="laney")
    p_bar = sum(x[:8]) / sum(n[:8])
    z = [(xi / ni - p_bar) / math.sqrt(p_bar * (1 - p_bar) / ni) for xi, ni in zip(x[:8], n[:8])]
    sigma_z = sum(abs(b - a) for a, b in zip(z, z[1:])) / 7 / 1.128
    for i, ni in enumerate(n):
        sigma = math.sqrt(p_bar * (1 - p_bar) / ni) * sigma_z
        assert chart["ucl"].iloc[i] == pytest.approx(p_bar + 3 * sigma, abs=1e-12)
        assert chart["lcl"].iloc[i] == pytest.approx(max(p_bar - 3 * sigma, 0), abs=1e-12)
    assert chart["sigma_z"].iloc[0] == pytest.approx(sigma_z)


def test_auto_picks_laney_only_when_the_baseline_is_overdispersed():
    chart = _chart(ORANGE_JUICE, [50] * 30, method="auto")
    p_bar = sum(ORANGE_JUICE) / 1500
    z = (np.array(ORANGE_JUICE) / 50 - p_bar) / math.sqrt(p_bar * (1 - p_bar) / 50)
    assert np.mean(np.abs(np.diff(z))) / 1.128 > 1 and (z**2).sum() > chi2.ppf(0.95, 29)
    assert (chart["chart"] == "laney").all()
    # Binomial-looking counts (z spread about 1 or less): the plain p chart.
    calm = _chart([10, 11, 9, 10, 12, 10, 9, 11, 10, 10], [100] * 10, method="auto")
    assert (calm["chart"] == "p").all()


def test_a_run_of_eight_on_one_side_is_flagged_from_its_eighth_point():
    # Centre 0.5 from the baseline; then 8 above, a point on the line, 7 below.
    baseline = [5, 5]
    period = [6] * 8 + [5] + [4] * 7
    chart = _chart(baseline + period, [10] * 18, baseline=[True, True] + [False] * 16, method="p")
    runs = chart["run"].tolist()[2:]
    assert runs == [None] * 7 + ["above"] + [None] * 8
    longer = _chart([5, 5] + [4] * 10, [10] * 12, baseline=[True, True] + [False] * 10, method="p")
    assert longer["run"].tolist() == [None] * 9 + ["below"] * 3
    # Runs are per group: a's last three points above and b's first one above do not make a run of 4.
    frame = pd.DataFrame(
        {
            "g": ["a"] * 4 + ["b"] * 2,
            "x": [4, 6, 6, 6, 6, 4],
            "n": [10] * 6,
            "baseline": [True, True, False, False, True, True],
        }
    )
    assert stats.control_chart(frame, ["g"], method="p", run_length=4)["run"].notna().sum() == 0
    assert stats.control_chart(frame.assign(g="a"), ["g"], method="p", run_length=4)["run"].notna().sum() == 1
    assert stats.run_flags([1, 1, 1, 1], [1, 1, 1, 1], 4).tolist() == [None, None, None, "above"]


def test_too_few_expected_events_are_drawn_but_not_called_beyond():
    # Centre 0 (no event in the baseline): the limits sit on the centre line and one event would be "beyond".
    chart = _chart([0, 0, 0, 1], [20, 20, 20, 20], baseline=[True] * 3 + [False], method="p", min_expected=1)
    assert chart["ucl"].iloc[-1] == 0 and not chart["judged"].iloc[-1] and chart["beyond"].iloc[-1] is None
    plain = _chart([0, 0, 0, 1], [20, 20, 20, 20], baseline=[True] * 3 + [False], method="p", min_expected=0)
    assert plain["beyond"].iloc[-1] == "above"
