"""Named queries for issue 6's quality-control statistics: funnel plots, control charts, the watchlist.

Like queries.py, each function takes an open connection (etl.db.reader) and returns DataFrames or
plain chart data, never a figure. Counts come from the metric views through queries.rollup (rates
and their Wilson intervals are defined there); etl/metrics/stats.py turns them into limits and
signals; every setting is read from the connection's rules, so a what-if reaches these too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import quote

import numpy as np
import pandas as pd

from etl.metrics import named, queries, stats
from etl.metrics.definitions import CONTROL_RATES, RATE_BY_NAME, Rate, rule_variable
from etl.metrics.levels import interval_level, level_text
from etl.metrics.scope import Scope, add_months, where
from etl.metrics.thresholds import thresholds

# Rates a funnel or control chart may show: the rates of the monthly report (spec 5), in its order.
STAT_RATES = tuple(name for name in queries.MONTHLY_COLUMNS if name in RATE_BY_NAME)
# The Dealers page's funnels (issue 6): complaint rate per service, misses, dissatisfaction, fakes.
FUNNEL_RATES = ("complaint_rate", "miss_rate", "dissatisfaction_rate", "fake_rate")
FUNNEL_COLUMNS = [
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
WATCHLIST_COLUMNS = ["dealer_id", "dealer_name", "month", "reason", "metric", "value", "detail", "link"]
WATCHLIST_REASONS = ("funnel", "control_chart", "control_breach", "report_missing", "fake_record")
# The dashboard's drill-down of one dealer for one month: the Dealers page reads ?dealer= and ?from=&to=.
DEALER_LINK = "/dealers?dealer={dealer}&from={month}&to={month}"
# What the statistics read by default: the view itself (a page may pass its stored rows of fewer months).
SOURCE = queries.METRIC_VIEW
# Names of the inner and outer limit columns (issue 6's report columns; the levels are rules settings).
LIMIT_COLUMNS = (("lower_95", "upper_95"), ("lower_998", "upper_998"))
SETTINGS = (
    "statistics.funnel_inner",
    "statistics.funnel_outer",
    "statistics.winsorise",
    "statistics.dispersion_test_level",
    "statistics.baseline_months",
    "statistics.control_sigma",
    "statistics.run_length",
    "statistics.laney_when_overdispersed",
    "statistics.min_expected_count",
    "statistics.interval_z",
    "statistics.min_sample",
    "watchlist.funnel_months",
    "watchlist.funnel_overdispersion",
)


def min_sample(config: dict[str, float]) -> float:
    """The denominator a flag needs (statistics.min_sample: answered callbacks, services ...); none in a
    hand-made config without it."""
    return config.get("statistics.min_sample", 0.0)


def settings(con) -> dict[str, float]:
    """The statistics settings of this connection's rules (what-if included), as floats."""
    return {key: float(named.value(con, "rule_value", {"name": rule_variable(key)})) for key in SETTINGS}


def rate_of(metric: str) -> Rate:
    """The rate a funnel or chart is asked for, refused with the list of known ones."""
    if metric not in STAT_RATES:
        raise ValueError(f"unknown metric {metric!r}; one of: {', '.join(STAT_RATES)}")
    return RATE_BY_NAME[metric]


def dealer_link(dealer_id: str, month: dt.date) -> str:
    """The dashboard path of one dealer's drill-down for one month."""
    return DEALER_LINK.format(dealer=quote(str(dealer_id), safe=""), month=f"{month:%Y-%m}")


# --- funnel plots ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Funnel:
    """One funnel plot: a point per dealer, the limit lines to draw, and the overdispersion verdict.

    points: dealer_id, dealer_name, region, numerator, denominator, rate, target, lower_95, upper_95,
    lower_998, upper_998, position ('high' / 'low' / 'within' the outer limits; 'within' too below
    statistics.min_sample in the denominator: too few to flag), z.
    lines: denominator and the target and four limits along a grid of denominators (for the curves).
    Rates, the target and limits are on the rate's scale (per 1,000 for complaints per 1,000 units).
    """

    metric: str
    points: pd.DataFrame
    lines: pd.DataFrame
    target: float | None
    phi: float | None
    overdispersed: bool
    widened: bool
    levels: tuple[float, float]

    @property
    def outliers(self) -> pd.DataFrame:
        """Dealers beyond the outer (99.8 %) limits: the ones the page names."""
        return self.points[self.points["position"] != "within"]


def funnel_from_counts(frame: pd.DataFrame, rate: Rate, config: dict[str, float], overdispersion: bool) -> Funnel:
    """The funnel of the rows of `frame` (one per dealer: its numerator and denominator columns)."""
    levels = (config["statistics.funnel_inner"], config["statistics.funnel_outer"])
    frame = frame[frame[rate.denominator] > 0].reset_index(drop=True)
    x = frame[rate.numerator].to_numpy(float)
    n = frame[rate.denominator].to_numpy(float)
    target = float(x.sum() / n.sum()) if len(frame) else None
    points = pd.DataFrame(
        {
            "dealer_id": frame["dealer_id"],
            "dealer_name": frame.get("dealer_name"),
            "region": frame.get("region"),
            "numerator": frame[rate.numerator].astype("int64"),
            "denominator": frame[rate.denominator].astype("int64"),
            "rate": frame[rate.name],
        }
    )
    if target is None:
        limit_names = [name for pair in LIMIT_COLUMNS for name in pair]
        empty = points.assign(
            **{c: pd.Series(dtype=float) for c in ["target", *limit_names, "z"]}, position=pd.Series(dtype=str)
        )
        return Funnel(
            rate.name,
            empty,
            pd.DataFrame(columns=["denominator", "target", *limit_names]),
            None,
            None,
            False,
            False,
            levels,
        )
    z = stats.z_scores(x, n, target)
    phi = stats.winsorised_phi(z, config["statistics.winsorise"])
    over = stats.is_overdispersed(phi, len(frame), config["statistics.dispersion_test_level"])
    widened = bool(overdispersion and over)
    limits = stats.funnel_limits(n, target, levels, phi if widened else 1.0)
    scale = rate.scale
    points["target"] = target * scale
    for (low_name, high_name), (low, high) in zip(LIMIT_COLUMNS, limits):
        points[low_name], points[high_name] = low * scale, high * scale
    outer_low, outer_high = limits[-1]
    share = x / n
    enough = n >= min_sample(config)
    points["position"] = np.where(
        enough & (share > outer_high), "high", np.where(enough & (share < outer_low), "low", "within")
    )
    points["z"] = z
    grid = np.unique(np.round(np.geomspace(1, max(n.max() * 1.1, 10), 240)))
    lines = pd.DataFrame({"denominator": grid.astype("int64"), "target": target * scale})
    for (low_name, high_name), (low, high) in zip(
        LIMIT_COLUMNS, stats.funnel_limits(grid, target, levels, phi if widened else 1.0)
    ):
        lines[low_name], lines[high_name] = low * scale, high * scale
    return Funnel(rate.name, points, lines, target * scale, phi if np.isfinite(phi) else None, over, widened, levels)


def funnels(
    con,
    metrics: tuple[str, ...] = FUNNEL_RATES,
    months: tuple[dt.date, dt.date] | None = None,
    dealers: dict[str, list[str]] | None = None,
    overdispersion: bool = False,
    source: str = SOURCE,
) -> dict[str, Funnel]:
    """Issue 6 funnel plots (Spiegelhalter 2005) of several rates over the months from one roll-up: per
    rate, one point per dealer with a denominator; target = pooled rate of those dealers; exact binomial
    limits, widened by phi when `overdispersion` is asked and the chi-square test finds it. source:
    queries.STORED_ROWS reads a page's stored rows (overview.use_metric_rows) when they cover the months."""
    rates = [rate_of(metric) for metric in metrics]
    counts = queries.rollup(con, ["dealer_id", "dealer_name", "region"], months, dealers, source=source)
    config = settings(con)
    return {rate.name: funnel_from_counts(counts, rate, config, overdispersion) for rate in rates}


# Issue 14: what puts a dealer among those needing attention on a rate, strongest first.
ATTENTION_SIGNALS = ("funnel_outer", "interval", "funnel_inner")


def attention(
    ranking: pd.DataFrame, metric: str, funnel_plot: Funnel | None, limit, config: dict[str, float]
) -> pd.DataFrame:
    """Issue 14: the dealers of `ranking` (overview.dealer_ranking) with a signal on one rate, worst rate
    first, with `signal` (ATTENTION_SIGNALS): beyond the funnel's outer limit on the bad side, else the
    Wilson interval wholly beyond the rate's threshold (`limit`: thresholds.Threshold, None without one),
    else beyond the funnel's inner limit. Only dealers with at least statistics.min_sample in the rate's
    denominator; none without a signal, however high or low their rate."""
    rate = RATE_BY_NAME[metric]
    frame = ranking[ranking[rate.denominator].fillna(0) >= min_sample(config)].dropna(subset=[metric])
    signal = pd.Series(None, index=frame.index, dtype=object)
    if funnel_plot is not None and len(funnel_plot.points):
        points = funnel_plot.points.set_index("dealer_id")
        value = frame["dealer_id"].map(points["rate"])
        for name, (low, high) in (("funnel_inner", LIMIT_COLUMNS[0]), ("funnel_outer", LIMIT_COLUMNS[1])):
            bound = frame["dealer_id"].map(points[high if rate.good_when == "below" else low])
            beyond = value > bound if rate.good_when == "below" else value < bound
            signal = signal.mask(beyond.fillna(False).astype(bool), name)
    if limit is not None and len(frame):
        beyond = limit.beyond(frame[f"{metric}_low"], frame[f"{metric}_high"]).to_numpy()
        signal = signal.mask(pd.Series(beyond, index=frame.index) & (signal != "funnel_outer"), "interval")
    flagged = frame.assign(signal=signal)[signal.notna()]
    worst_first = [rate.good_when != "below", True]
    return flagged.sort_values([metric, "dealer_id"], ascending=worst_first).reset_index(drop=True)


def funnel(
    con,
    metric: str,
    months: tuple[dt.date, dt.date] | None = None,
    dealers: dict[str, list[str]] | None = None,
    overdispersion: bool = False,
) -> Funnel:
    """The funnel plot of one rate (see funnels)."""
    return funnels(con, (metric,), months, dealers, overdispersion)[metric]


def funnel_report(
    con, metric: str, months: tuple[dt.date, dt.date] | None = None, overdispersion: bool = False
) -> pd.DataFrame:
    """`report funnel`: one row per dealer, FUNNEL_COLUMNS, ordered by dealer."""
    points = funnel(con, metric, months, overdispersion=overdispersion).points
    return points.sort_values("dealer_id")[FUNNEL_COLUMNS].reset_index(drop=True)


# --- control charts ----------------------------------------------------------------------------


def chart_method(con, method: str | None, config: dict[str, float] | None = None) -> str:
    """'p', 'laney' or 'auto'; None = the rules' default (auto when laney_when_overdispersed, else p)."""
    if method is not None:
        return method
    config = config or settings(con)
    return "auto" if config["statistics.laney_when_overdispersed"] else "p"


def charts_from_counts(
    frame: pd.DataFrame, rates: list[Rate], by: str, first: dt.date, config: dict[str, float], method: str
) -> pd.DataFrame:
    """Control charts of `frame` (one row per group `by` and month, ordered so) for each rate at once,
    months before `first` as baseline. Columns: metric, by, month, phase, numerator, denominator, rate,
    centre, lcl, ucl (on the rate's scale), sigma_z, chart, judged (enough expected events to call a point
    beyond its limits), beyond, run ('above'/'below'/None), signal and worse (a signal on the bad side)."""
    months = pd.to_datetime(frame["month"]).dt.date.to_numpy()
    parts = []
    for rate in rates:
        has = (frame[rate.denominator] > 0).to_numpy()
        parts.append(
            pd.DataFrame(
                {
                    "metric": rate.name,
                    by: frame[by].to_numpy()[has],
                    "month": months[has],
                    "x": frame[rate.numerator].to_numpy("int64")[has],
                    "n": frame[rate.denominator].to_numpy("int64")[has],
                    "baseline": months[has] < first,
                }
            )
        )
    out = stats.control_chart(
        pd.concat(parts, ignore_index=True),
        ["metric", by],
        sigma=config["statistics.control_sigma"],
        run_length=int(config["statistics.run_length"]),
        method=method,
        test_level=config["statistics.dispersion_test_level"],
        min_expected=config["statistics.min_expected_count"],
    )
    scale = out["metric"].map({rate.name: rate.scale for rate in rates}).to_numpy(float)
    for column in ("rate", "centre", "lcl", "ucl"):
        out[column] = out[column] * scale
    bad = out["metric"].map({rate.name: "above" if rate.good_when == "below" else "below" for rate in rates})
    out["phase"] = np.where(out["baseline"], "baseline", "period")
    out["signal"] = out["beyond"].notna() | out["run"].notna()
    out["worse"] = out["beyond"].eq(bad).fillna(False) | out["run"].eq(bad).fillna(False)
    out = out.rename(columns={"x": "numerator", "n": "denominator"})
    return out[
        [
            "metric",
            by,
            "month",
            "phase",
            "numerator",
            "denominator",
            "rate",
            "centre",
            "lcl",
            "ucl",
            "sigma_z",
            "chart",
            "judged",
            "beyond",
            "run",
            "signal",
            "worse",
        ]
    ]


def control_charts(
    con,
    metric: str | list[str],
    months: tuple[dt.date, dt.date],
    by: str = "dealer_id",
    keys: list[str] | None = None,
    dealers: dict[str, list[str]] | None = None,
    method: str | None = None,
    source: str = SOURCE,
) -> pd.DataFrame:
    """Issue 6 p chart (or Laney p') of monthly rates for every dealer (by='dealer_id') or region
    (by='region'): centre from the baseline months (statistics.baseline_months before months[0]), limits
    +/- control_sigma from each month's own denominator. metric: one rate or a list (one chart each,
    told apart by the `metric` column). Rows for baseline and chosen months alike (`phase`); months
    without a denominator have no point. keys: only these dealers / regions. method: 'p', 'laney',
    'auto' or None for the rules' default. source: as for funnels (rows covering the baseline months)."""
    if by not in ("dealer_id", "region", "province"):
        raise ValueError(f"control charts are per dealer_id, region or province, not {by}")
    rates = [rate_of(name) for name in ([metric] if isinstance(metric, str) else metric)]
    config = settings(con)
    first, last = months
    filters = dict(dealers or {})
    if keys:
        filters[by] = list(keys)
    counts = queries.rollup(
        con,
        [by, "month"],
        (add_months(first, -int(config["statistics.baseline_months"])), last),
        filters,
        source=source,
    )
    return charts_from_counts(counts, rates, by, first, config, chart_method(con, method, config))


# --- watchlist ---------------------------------------------------------------------------------


def watchlist(con, month: dt.date, as_of: dt.date, source: str = SOURCE, scope: Scope | None = None) -> pd.DataFrame:
    """Issue 6: what needs attention in `month`, one line per dealer and reason (WATCHLIST_COLUMNS, plus
    the figures behind each line): beyond the funnel's outer limit on the bad side; a signal on the bad
    side of a p chart; a control (三个控制) breached with the whole interval beyond it; the month's report
    missing or late at its deadline (once as_of has reached the deadline); a fake record found. Each line
    links to the dealer's drill-down (DEALER_LINK); `detail` stays empty for etl.wording.watchlist_in_words.
    source: as for funnels (rows covering the 13 months). scope: only the lines of its dealers (the
    funnels stay national), with each dealer's region, province and area type."""
    month = dt.date(month.year, month.month, 1)
    config = settings(con)
    funnel_first = add_months(month, 1 - int(config["watchlist.funnel_months"]))
    chart_first = add_months(month, -int(config["statistics.baseline_months"]))
    counts = queries.rollup(con, ["dealer_id", "month"], (chart_first, month), source=source)
    counts["month"] = pd.to_datetime(counts["month"]).dt.date
    window = (
        counts[counts["month"] == month]
        if funnel_first == month
        # else sum the window in SQL
        else queries.rollup(con, ["dealer_id"], (funnel_first, month), source=source)
    )
    lines: list[dict] = []
    lines += _funnel_lines(window, config)
    lines += _chart_lines(counts, month, config, chart_method(con, None, config))
    lines += _breach_lines(con, counts[counts["month"] == month], config)
    lines += _report_lines(con, month, as_of)
    lines += _fake_lines(con, month)
    names = {row[0]: row[1] for row in named.rows(con, "dealer_roster")}
    for line in lines:
        line.update(
            dealer_name=names.get(line["dealer_id"]), month=f"{month:%Y-%m}", link=dealer_link(line["dealer_id"], month)
        )
    frame = pd.DataFrame(lines, columns=list(dict.fromkeys(WATCHLIST_COLUMNS + [k for line in lines for k in line])))
    if not len(frame):
        return frame
    frame["value"] = pd.Series([line["value"] for line in lines], dtype=object)  # counts stay whole numbers
    order = {reason: i for i, reason in enumerate(WATCHLIST_REASONS)}
    frame["_order"] = frame["reason"].map(order)
    frame = frame.sort_values(["dealer_id", "_order", "metric"], na_position="first", kind="stable")
    frame = frame.drop(columns="_order").reset_index(drop=True)
    if scope is not None:
        kept = named.run(con, "dealers_in_scope", scope=where(scope.dealers_only(), dealers="d"))["dealer_id"]
        places = named.run(con, "dealer_roster")[["dealer_id", "region", "province", "area_type"]]
        frame = frame.merge(places, on="dealer_id", how="left")
        frame = frame[frame["dealer_id"].isin(kept)].reset_index(drop=True)
    return frame


def watchlist_summary(lines: pd.DataFrame) -> dict[str, int]:
    """The watchlist's figures: lines, and dealers with any."""
    return {"lines": len(lines), "dealers": int(lines["dealer_id"].nunique()) if len(lines) else 0}


def _funnel_lines(window: pd.DataFrame, config: dict[str, float]) -> list[dict]:
    level = level_text(config["statistics.funnel_outer"])
    lines = []
    for name in FUNNEL_RATES:
        rate = RATE_BY_NAME[name]
        result = funnel_from_counts(window, rate, config, bool(config["watchlist.funnel_overdispersion"]))
        bad = "high" if rate.good_when == "below" else "low"
        for row in result.points[result.points["position"] == bad].to_dict("records"):
            lines.append(
                {
                    "dealer_id": row["dealer_id"],
                    "reason": "funnel",
                    "metric": name,
                    "value": row["rate"],
                    "numerator": row["numerator"],
                    "denominator": row["denominator"],
                    "side": bad,
                    "limit": row["upper_998" if bad == "high" else "lower_998"],
                    "target": row["target"],
                    "level": level,
                }
            )
    return lines


def _chart_lines(counts: pd.DataFrame, month: dt.date, config: dict[str, float], method: str) -> list[dict]:
    charts = charts_from_counts(counts, [RATE_BY_NAME[name] for name in STAT_RATES], "dealer_id", month, config, method)
    lines = []
    flagged = (charts["month"] == month) & charts["worse"] & (charts["denominator"] >= min_sample(config))
    for row in charts[flagged].to_dict("records"):
        beyond = row["beyond"] if isinstance(row["beyond"], str) else None
        side = beyond or row["run"]
        lines.append(
            {
                "dealer_id": row["dealer_id"],
                "reason": "control_chart",
                "metric": row["metric"],
                "value": row["rate"],
                "numerator": row["numerator"],
                "denominator": row["denominator"],
                "signal": "beyond" if beyond else "run",
                "side": side,
                "centre": row["centre"],
                "limit": row["ucl"] if side == "above" else row["lcl"],
                "chart": row["chart"],
                "run_length": int(config["statistics.run_length"]),
            }
        )
    return lines


def _breach_lines(con, month_counts: pd.DataFrame, config: dict[str, float]) -> list[dict]:
    lines = []
    level = interval_level(config["statistics.interval_z"])
    limits = thresholds(con)
    for name in CONTROL_RATES:
        rate, limit = RATE_BY_NAME[name], limits[name]
        threshold = float(limit.limit)
        enough = (month_counts[rate.denominator] >= min_sample(config)).to_numpy()
        breached = month_counts[
            limit.beyond(month_counts[f"{name}_low"], month_counts[f"{name}_high"]).to_numpy() & enough
        ]
        for row in breached.to_dict("records"):
            lines.append(
                {
                    "dealer_id": row["dealer_id"],
                    "reason": "control_breach",
                    "metric": name,
                    "value": row[name],
                    "numerator": int(row[rate.numerator]),
                    "denominator": int(row[rate.denominator]),
                    "low": row[f"{name}_low"],
                    "high": row[f"{name}_high"],
                    "threshold": threshold * rate.scale,
                    "level": level,
                }
            )
    return lines


def _report_lines(con, month: dt.date, as_of: dt.date) -> list[dict]:
    rows = named.rows(con, "report_missing_lines", {"month": month, "as_of": as_of})
    return [
        {
            "dealer_id": dealer_id,
            "reason": "report_missing",
            "metric": "report_on_time",
            "value": None,
            "due_on": f"{due:%Y-%m-%d}",
            "submitted_on": f"{submitted:%Y-%m-%d}" if submitted else None,
        }
        for dealer_id, due, submitted in rows
    ]


def _fake_lines(con, month: dt.date) -> list[dict]:
    rows = named.rows(con, "fake_lines", {"month": month})
    return [
        {
            "dealer_id": dealer_id,
            "reason": "fake_record",
            "metric": "fake_records",
            "value": count,
            "count": count,
            "records": records,
        }
        for dealer_id, count, records in rows
    ]
