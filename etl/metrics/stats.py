"""Quality-control statistics on counts: funnel limits, overdispersion, p and Laney p' charts, run rules.

Issue 6: tell real differences from small-number noise. Everything here is vectorised numpy on
numerators and denominators that the named queries (etl/metrics/quality.py) take from the metric
views; no rate is defined here. scipy.special rather than scipy.stats: the same functions without
half a second of import time, which the 2 s budget of a report command cannot spare.
Formulas and sources: docs/statistics.md.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

# Unbiasing constant d2 of a moving range of two points, 2/sqrt(pi) rounded as Laney (2002) and Minitab use it:
# sigma = mean |MR| / 1.128.
D2 = 1.128
# Floating-point slack when a binomial CDF is compared with a probability (ties such as F = 1/2).
TIE = 1e-12


def binomial_quantile(q, n, p) -> np.ndarray:
    """Smallest r with P(Binomial(n, p) <= r) >= q, elementwise (what scipy.stats.binom.ppf returns).

    Starts from the continuous inverse of the CDF (bdtrik) and steps to the integer quantile on exact
    binomial CDF values; a CDF within TIE of q counts as reaching it (bdtr gives 0.4999999999999999
    for P(Binomial(7, 0.5) <= 3), which is 1/2).
    """
    q, n, p = (np.asarray(a, dtype=float) for a in np.broadcast_arrays(q, n, p))
    whole, inside = n.astype(np.int64), (p > 0) & (p < 1)
    with np.errstate(all="ignore"):
        start = np.nan_to_num(special.bdtrik(q, n, p), nan=0.0, posinf=0.0, neginf=0.0)
    r = np.where(p >= 1, n, np.where(inside, np.clip(np.ceil(start), 0, n), 0)).astype(np.int64)
    for _ in range(200):
        down = inside & (r > 0) & (_cdf(r - 1, whole, p) >= q - TIE)
        up = inside & (r < whole) & (_cdf(r, whole, p) < q - TIE)
        if not (down.any() or up.any()):
            break
        r = r - down + up
    return r.astype(float)


def _cdf(k, n, p) -> np.ndarray:
    """P(Binomial(n, p) <= k) on integer arrays; 0 below k = 0."""
    return np.where(k >= 0, special.bdtr(np.maximum(k, 0), n, p), 0.0)


def funnel_limit(q, n, target) -> np.ndarray:
    """Exact binomial limit for probability q at denominator n, interpolated (Spiegelhalter 2005, A.1.1).

    r_q = the q-quantile of Binomial(n, target); alpha = (F(r_q) - q) / (F(r_q) - F(r_q - 1));
    limit = (r_q - alpha) / n, kept within 0..1. A target of exactly 0 or 1 has no spread: limit = target.
    """
    q, n, target = (np.asarray(a, dtype=float) for a in np.broadcast_arrays(q, n, target))
    r = binomial_quantile(q, n, target).astype(np.int64)
    whole = n.astype(np.int64)
    at_r, below_r = _cdf(r, whole, target), _cdf(r - 1, whole, target)
    with np.errstate(all="ignore"):
        alpha = np.clip((at_r - q) / (at_r - below_r), 0.0, 1.0)
        limit = np.clip((r - alpha) / n, 0.0, 1.0)
    return np.where((target <= 0) | (target >= 1), target, limit)


def funnel_limits(n, target: float, levels: tuple[float, ...], phi: float = 1.0) -> list[tuple[np.ndarray, np.ndarray]]:
    """(lower, upper) per central coverage level (0.95, 0.998), at each denominator n.

    phi > 1 widens each limit's distance from the target by sqrt(phi) (multiplicative overdispersion).
    """
    n = np.asarray(n, dtype=float)
    widen = np.sqrt(phi) if phi and phi > 1 else 1.0
    found = []
    for level in levels:
        lower = funnel_limit((1 - level) / 2, n, target)
        upper = funnel_limit(1 - (1 - level) / 2, n, target)
        found.append(
            (np.clip(target - widen * (target - lower), 0, 1), np.clip(target + widen * (upper - target), 0, 1))
        )
    return found


def z_scores(x, n, target) -> np.ndarray:
    """(x/n - target) / sqrt(target (1 - target) / n): how many binomial SDs each rate sits from the target."""
    x, n, target = (np.asarray(a, dtype=float) for a in np.broadcast_arrays(x, n, target))
    with np.errstate(all="ignore"):
        return (x / n - target) / np.sqrt(target * (1 - target) / n)


def winsorised_phi(z, share: float) -> float:
    """Overdispersion factor: mean square of the z-scores after pulling the lowest and highest `share`
    in to the share's percentiles (Spiegelhalter 2005, 10 %; percentiles by linear interpolation)."""
    z = np.asarray(z, dtype=float)
    z = z[np.isfinite(z)]
    if not len(z):
        return float("nan")
    low, high = np.quantile(z, [share, 1 - share])
    return float(np.mean(np.clip(z, low, high) ** 2))


def is_overdispersed(phi: float, count: int, level: float) -> bool:
    """The chi-square test of Spiegelhalter 2005: count * phi beyond the (1 - level) quantile of chi2(count - 1)."""
    if count < 2 or not np.isfinite(phi):
        return False
    return bool(count * phi > special.chdtri(count - 1, level))


def control_chart(
    frame: pd.DataFrame,
    keys: list[str],
    *,
    sigma: float = 3.0,
    run_length: int = 8,
    method: str = "auto",
    test_level: float = 0.05,
    min_expected: float = 0.0,
) -> pd.DataFrame:
    """p or Laney p' chart for every group of `frame`, each from its own baseline.

    frame: one row per group and period in time order, columns `keys`, `x` (numerator), `n`
    (denominator, > 0: leave out periods without one) and `baseline` (True for the rows the centre line and
    sigma_z come from).
    Adds rate, centre, sigma_z, chart ('p' or 'laney'), lcl, ucl, judged, beyond and run ('above'/'below'/None).
    judged: the point's expected count of events and of non-events at the centre (n p, n (1 - p)) are both
    at least min_expected; below that the 3-sigma limits misstate the binomial tail (with a centre of 0 any
    single event would be "beyond"), so the point is drawn but not called beyond its limits.
    method: 'p', 'laney', or 'auto' = Laney where the baseline is overdispersed (sigma_z > 1 and the
    chi-square test on its z-scores significant at test_level).
    """
    f = frame.reset_index(drop=True).copy()
    sums = (
        f[f["baseline"]]
        .groupby(keys, sort=False, dropna=False)[["x", "n"]]
        .sum()
        .rename(columns={"x": "base_x", "n": "base_n"})
    )
    f = f.merge(sums, left_on=keys, right_index=True, how="left")
    x, n = f["x"].to_numpy(float), f["n"].to_numpy(float)
    big_x, big_n = f["base_x"].to_numpy(float), f["base_n"].to_numpy(float)
    with np.errstate(all="ignore"):
        centre = big_x / big_n
        sd = np.sqrt(centre * (1 - centre) / n)
        z = (x / n - centre) / sd
    f["rate"], f["centre"] = x / n, centre

    # Laney: sigma_z = mean moving range of the baseline z-scores / d2; chi-square of the same z-scores.
    b = f.loc[f["baseline"], keys].assign(z=z[f["baseline"].to_numpy()])
    b["mr"] = b.groupby(keys, sort=False, dropna=False)["z"].diff().abs()
    b["z2"], b["k"] = b["z"] ** 2, np.isfinite(b["z"]).astype(int)
    per_group = b.groupby(keys, sort=False, dropna=False).agg(mr=("mr", "mean"), chi=("z2", "sum"), k=("k", "sum"))
    per_row = f[keys].merge(per_group, left_on=keys, right_index=True, how="left")
    sigma_z = per_row["mr"].to_numpy(float) / D2
    k = per_row["k"].fillna(0).to_numpy(float)
    chi = per_row["chi"].to_numpy(float)
    usable = (k >= 2) & np.isfinite(sigma_z)
    if method == "laney":
        laney = usable
    elif method == "auto":
        with np.errstate(all="ignore"):
            significant = chi > special.chdtri(np.maximum(k - 1, 1), test_level)
        laney = usable & (sigma_z > 1) & significant
    elif method == "p":
        laney = np.zeros(len(f), dtype=bool)
    else:
        raise ValueError(f"unknown control chart method {method!r}: p, laney or auto")
    factor = np.where(laney, sigma_z, 1.0)
    f["sigma_z"], f["chart"] = sigma_z, np.where(laney, "laney", "p")
    f["lcl"] = np.clip(centre - sigma * sd * factor, 0, 1)
    f["ucl"] = np.clip(centre + sigma * sd * factor, 0, 1)
    rate = f["rate"].to_numpy(float)
    with np.errstate(all="ignore"):
        judged = np.isfinite(centre) & (n * centre >= min_expected) & (n * (1 - centre) >= min_expected)
    f["judged"] = judged
    nothing = np.full(len(f), None, dtype=object)
    beyond = np.where(judged & (rate > f["ucl"]), "above", np.where(judged & (rate < f["lcl"]), "below", nothing))
    f["beyond"] = pd.Series(beyond, index=f.index, dtype=object)

    # Side of the centre compared exactly on counts: x * N vs X * n (a rate equal to the centre breaks a run).
    side = np.sign(np.where(np.isfinite(big_n), x * np.nan_to_num(big_n) - np.nan_to_num(big_x) * n, 0))
    f["run"] = pd.Series(
        run_flags(f.groupby(keys, sort=False, dropna=False).ngroup(), side, run_length), index=f.index, dtype=object
    )
    return f


def run_flags(group, side, run_length: int) -> np.ndarray:
    """'above' / 'below' on each point that is the run_length-th or later of consecutive points of one
    group on the same side of the centre (side: +1 above, -1 below, 0 on the line); None elsewhere.

    Rows are in time order within each group; a point on the centre line ends a run (as qcc counts).
    """
    group, side = pd.Series(np.asarray(group)), pd.Series(np.asarray(side, dtype=float))
    run_id = (group.ne(group.shift()) | side.ne(side.shift())).cumsum()
    position = side.groupby(run_id).cumcount() + 1
    flagged = (side != 0) & (position >= run_length)
    return np.where(flagged, np.where(side > 0, "above", "below"), np.full(len(side), None, dtype=object))
