"""Issue 6.2: funnel limits (Spiegelhalter 2005, A.1.1) against scipy's exact binomial, phi by hand, the CLI."""

import csv
import datetime as dt
import math

import numpy as np
import pytest
from scipy.stats import binom, chi2

from etl import cli
from etl.db import reader
from etl.metrics import quality, stats
from etl.rules import RulesError, load_rules
from metric_data import callback, load_all, repair

# Issue 14's minimum sample off: these hand-made dealers have 10-20 records each (conftest's any_sample).
pytestmark = pytest.mark.usefixtures("any_sample")


CASES = [(p0, n) for p0 in (0.001, 0.0062, 0.03, 0.14, 0.5, 0.93) for n in (1, 7, 30, 352, 1319, 20000)]


def _interpolated(q, n, p0):
    """Spiegelhalter's appendix A.1.1 written out with scipy: r = quantile, alpha interpolates within it."""
    r = binom.ppf(q, n, p0)
    at, below = binom.cdf(r, n, p0), binom.cdf(r - 1, n, p0)
    return min(max((r - (at - q) / (at - below)) / n, 0.0), 1.0)


def test_integer_quantiles_equal_scipy_binom_ppf():
    q = np.array([0.001, 0.025, 0.5, 0.975, 0.999])
    for p0, n in CASES + [(0.3, 0), (1e-9, 10**6)]:
        assert (stats.binomial_quantile(q, n, p0) == binom.ppf(q, n, p0)).all(), (p0, n)


def test_funnel_limits_equal_the_interpolated_exact_binomial_quantiles():
    for p0, n in CASES:
        for q in (0.001, 0.025, 0.975, 0.999):
            assert stats.funnel_limit(q, n, p0) == pytest.approx(_interpolated(q, n, p0), abs=1e-12), (p0, n, q)
    # Vectorised over denominators, as the funnel's lines are drawn.
    ns = np.array([5, 50, 500])
    assert stats.funnel_limit(0.999, ns, 0.1) == pytest.approx([_interpolated(0.999, n, 0.1) for n in ns])


def test_one_limit_worked_by_hand():
    """n = 20, p0 = 0.1, upper 97.5 %: F(4) = 0.95683 < 0.975 <= F(5) = 0.98875, so r = 5,
    alpha = (F(5) - 0.975) / (F(5) - F(4)) = 0.01375 / 0.03192 = 0.4306, limit = (5 - alpha) / 20 = 0.2285."""

    def cdf(k):
        return sum(math.comb(20, i) * 0.1**i * 0.9 ** (20 - i) for i in range(k + 1))

    assert cdf(4) < 0.975 <= cdf(5)
    alpha = (cdf(5) - 0.975) / (cdf(5) - cdf(4))
    assert alpha == pytest.approx(0.4306, abs=1e-4)
    assert stats.funnel_limit(0.975, 20, 0.1) == pytest.approx((5 - alpha) / 20, abs=1e-12)
    assert stats.funnel_limit(0.975, 20, 0.1) == pytest.approx(0.2285, abs=1e-4)


def test_phi_winsorised_by_hand_and_the_chi_square_test():
    """z = -2, -1, 0, 1, 3; the 10th and 90th percentiles (linear) are -1.6 and 2.2, so the
    Winsorised squares are 2.56, 1, 0, 1, 4.84: phi = 9.4 / 5 = 1.88. 5 x 1.88 = 9.4 is just
    under chi2(4)'s 95 % point 9.488: not overdispersed; 3.0 instead of 2.2 would have been."""
    z = [-2.0, -1.0, 0.0, 1.0, 3.0]
    assert stats.winsorised_phi(z, 0.10) == pytest.approx(1.88, abs=1e-12)
    assert chi2.ppf(0.95, 4) == pytest.approx(9.4877, abs=1e-4)
    assert stats.is_overdispersed(1.88, 5, 0.05) is False
    assert stats.is_overdispersed(1.90, 5, 0.05) is True
    assert stats.winsorised_phi(z, 0.0) == pytest.approx((4 + 1 + 0 + 1 + 9) / 5)


def test_widening_scales_each_limits_distance_from_the_target_by_root_phi():
    ((lower, upper),) = stats.funnel_limits([100], 0.2, (0.95,), phi=4.0)
    plain_lower, plain_upper = _interpolated(0.025, 100, 0.2), _interpolated(0.975, 100, 0.2)
    assert upper[0] == pytest.approx(0.2 + 2 * (plain_upper - 0.2))
    assert lower[0] == pytest.approx(max(0.2 - 2 * (0.2 - plain_lower), 0))
    ((same_lower, same_upper),) = stats.funnel_limits([100], 0.2, (0.95,), phi=0.5)  # phi < 1 never narrows
    assert (same_lower[0], same_upper[0]) == pytest.approx((plain_lower, plain_upper))


def _complaint_data(wh):
    """Complaint rate per service in March 2025: D1 0 of 20, D2 1 of 20, D3 6 of 10 (target 7 / 50)."""
    repairs, callbacks = [], []
    for dealer, services, complaints in (("D1", 20, 0), ("D2", 20, 1), ("D3", 10, 6)):
        for i in range(services):
            repairs.append(repair(f"{dealer}-{i}", dealer))
            if i < complaints:
                callbacks.append(callback(f"C{dealer}-{i}", f"{dealer}-{i}", dealer, "2025-03-20 10:00", complaint="Y"))
    load_all(wh, repairs=repairs, callbacks=callbacks)


def test_cli_funnel_report_columns_limits_and_positions(wh, tmp_path):
    _complaint_data(wh)
    out = tmp_path / "funnel.csv"
    assert (
        cli.main(
            [
                "report",
                "funnel",
                "--metric",
                "complaint_rate",
                "--from",
                "2025-03",
                "--to",
                "2025-03",
                "--db",
                str(wh.path),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "dealer_id",
        "numerator",
        "denominator",
        "rate",
        "target",
        "lower_95",
        "upper_95",
        "lower_998",
        "upper_998",
        "position",
    ]
    assert [(r["dealer_id"], r["numerator"], r["denominator"]) for r in rows] == [
        ("D1", "0", "20"),
        ("D2", "1", "20"),
        ("D3", "6", "10"),
    ]
    target = 7 / 50
    for row in rows:
        n = int(row["denominator"])
        assert float(row["target"]) == pytest.approx(target)
        for column, q in (("lower_95", 0.025), ("upper_95", 0.975), ("lower_998", 0.001), ("upper_998", 0.999)):
            assert float(row[column]) == pytest.approx(_interpolated(q, n, target), abs=1e-12), (row, column)
        rate = int(row["numerator"]) / n
        expected = (
            "high"
            if rate > _interpolated(0.999, n, target)
            else "low"
            if rate < _interpolated(0.001, n, target)
            else "within"
        )
        assert row["position"] == expected
    assert [r["position"] for r in rows] == ["within", "within", "high"]


def test_cli_funnel_overdispersion_widens_only_when_the_test_finds_it(wh, tmp_path):
    _complaint_data(wh)
    plain, wide = tmp_path / "plain.csv", tmp_path / "wide.csv"
    base = ["report", "funnel", "--metric", "complaint_rate", "--year", "2025", "--db", str(wh.path)]
    assert cli.main(base + ["--out", str(plain)]) == 0
    assert cli.main(base + ["--overdispersion", "--out", str(wide)]) == 0
    plain_rows = list(csv.DictReader(plain.open(encoding="utf-8")))
    wide_rows = list(csv.DictReader(wide.open(encoding="utf-8")))
    # z-scores of 0/20, 1/20, 6/10 around 0.14; three dealers: Winsorising at 10 % pulls the ends in.
    x, n = np.array([0, 1, 6]), np.array([20, 20, 10])
    z = (x / n - 0.14) / np.sqrt(0.14 * 0.86 / n)
    low, high = np.quantile(z, [0.1, 0.9])
    phi = float(np.mean(np.clip(z, low, high) ** 2))
    assert 3 * phi > chi2.ppf(0.95, 2)  # overdispersed: the limits widen by sqrt(phi)
    for before, after in zip(plain_rows, wide_rows):
        upper = float(before["upper_998"])
        assert float(after["upper_998"]) == pytest.approx(min(0.14 + math.sqrt(phi) * (upper - 0.14), 1.0))


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--metric", "complaints"], "needs --metric, one of: complaints_per_1000_sales, complaint_rate"),
        (["--metric", "miss_rate", "--from", "2025-03"], "needs both --from and --to"),
        (["--metric", "miss_rate", "--year", "2025", "--from", "2025-01", "--to", "2025-02"], "not both"),
        (["--metric", "miss_rate", "--from", "2025-05", "--to", "2025-02"], "--from is after --to"),
        (["--metric", "miss_rate", "--month", "2025-05"], "--month applies to report watchlist / pack only"),
    ],
)
def test_a_wrong_funnel_command_line_exits_2(tmp_path, capsys, argv, words):
    code = cli.main(["report", "funnel", *argv, "--db", str(tmp_path / "w.duckdb"), "--out", str(tmp_path / "f.csv")])
    assert code == 2
    assert words in capsys.readouterr().err


def test_funnels_share_one_roll_up_and_follow_a_dealer_filter(wh):
    _complaint_data(wh)
    months = (dt.date(2025, 3, 1), dt.date(2025, 3, 1))
    with reader(wh.path, wh.rules) as con:
        four = quality.funnels(con, months=months)
        two = quality.funnel(con, "complaint_rate", months, dealers={"dealer_id": ["D1", "D2"]})
        report = quality.funnel_report(con, "complaint_rate", months)
    assert set(four) == set(quality.FUNNEL_RATES)
    complaint = four["complaint_rate"]
    assert complaint.target == pytest.approx(0.14) and complaint.outliers["dealer_id"].tolist() == ["D3"]
    assert complaint.points[quality.FUNNEL_COLUMNS].equals(report)
    assert (complaint.lines["denominator"].min(), complaint.lines["denominator"].max()) == (1, 22)
    assert two.target == pytest.approx(1 / 40) and two.points["dealer_id"].tolist() == ["D1", "D2"]
    assert four["dissatisfaction_rate"].points.empty is False and four["fake_rate"].target == 0


@pytest.mark.parametrize(
    "body, words",
    [
        ("[statistics]\nfunnel_outer = 1.0\n", '"statistics.funnel_outer" is a probability'),
        ("[statistics]\nwinsorise = 0.5\n", '"statistics.winsorise" is a share of each end'),
        ("[statistics]\nfunnel_inner = 0.999\n", '"statistics.funnel_inner" must be below "statistics.funnel_outer"'),
        ("[statistics]\nrun_length = 0\n", '"statistics.run_length" must be above 0'),
        ('[award]\nrequire_interval = "yes"\n', '"award.require_interval" must be bool'),
    ],
)
def test_statistics_settings_are_checked_like_every_rule(tmp_path, body, words):
    path = tmp_path / "rules.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    assert words in str(caught.value)
