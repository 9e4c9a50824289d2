"""Figures for issue 6's statistics: a funnel plot and a control chart, drawn from the named queries' data.

Plain functions, no Streamlit: a quality.Funnel or one group's rows of quality.control_charts in, a Vega-Lite
(Altair) chart out (app/vega.py: issue 14's first paint). Nothing is computed here but positions on the page; words
come in as `labels`, so the page passes its own language's (app/stats_text.py; without them, the English catalog's).
"""

from __future__ import annotations

from typing import Literal

import altair as alt
import numpy as np
import pandas as pd

from app import stats_text, vega
from app.vega import BAD, GOOD, INNER, LIMIT, LINE, NEUTRAL
from etl.metrics.definitions import RATE_BY_NAME
from etl.metrics.quality import Funnel

DEFAULT_LANGUAGE = "en"  # of the labels a caller does not pass
FUNNEL_HEIGHT, CONTROL_HEIGHT = 440, 420  # the whole chart: title, axes and legend included
# where a named dealer's name goes: above or below its point (mark properties dy and baseline, as Vega-Lite has no
# channel for a text's offset); which of the two: _label_places
LABEL_PLACES: tuple[tuple[int, Literal["top", "bottom"]], ...] = ((-7, "bottom"), (7, "top"))
SOLID = [1, 0]
LIMIT_LINES = (  # column, word of the labels, colour, dash
    ("lower_95", "inner", INNER, vega.DOTTED),
    ("upper_95", "inner", INNER, vega.DOTTED),
    ("lower_998", "outer", LIMIT, vega.DASHED),
    ("upper_998", "outer", LIMIT, vega.DASHED),
    ("target", "target", NEUTRAL, SOLID),
)


def _rate_text(field: str, metric: str) -> str:
    """A Vega expression writing datum[field] as etl.format.rate does: 12.3 %, 0.82 ‰."""
    if RATE_BY_NAME[metric].scale == 1000:
        return f"format(datum.{field}, ',.2f') + ' ‰'"
    return f"format(datum.{field} * 100, ',.1f') + ' %'"


def _label_places(rates: np.ndarray, denominators: np.ndarray, height: float, width: float) -> np.ndarray:
    """For names of points in order of denominator: 0 (above its point) or 1 (below). A point higher than its two
    neighbours' mean has its name above, a lower one below, so two close names move apart; level with them (or
    alone), above and below in turn. Two neighbours' names still on one side, within a tenth of the plot's `width` (in
    log10 of the denominator) and `height` (in rate) of each other: one moves to the other side."""
    before = np.concatenate([[np.nan], rates[:-1]])
    after = np.concatenate([rates[1:], [np.nan]])
    beside = np.column_stack([before, after])
    counted = (~np.isnan(beside)).sum(axis=1)
    mean = np.divide(np.nansum(beside, axis=1), counted, out=np.full(len(rates), np.nan), where=counted > 0)
    places = np.where(rates > mean, 0, np.where(rates < mean, 1, np.arange(len(rates)) % 2))
    if len(rates) > 1:
        near = (np.abs(np.diff(np.log10(denominators))) < width / 10) & (np.abs(np.diff(rates)) < height / 10)
        second = np.flatnonzero(near & (places[1:] == places[:-1])) + 1
        # of the pair, the lower one's name goes below (both above), the higher one's above (both below)
        lower_second = rates[second] < rates[second - 1]
        moved = np.where((places[second] == 0) == lower_second, second, second - 1)
        places[np.unique(moved)] = 1 - places[np.unique(moved)]
    return places


def _y_axis(axis: alt.Axis, title: str | list[str]) -> alt.Axis:
    """A rate axis titled on two lines when long; its 0 % level with the zero line (Streamlit's theme pushes the
    lowest label up inside the plot, so points at zero read as below it)."""
    axis.title = title
    axis.labelFlush = False
    return axis


def _counts_text() -> str:
    return "format(datum.numerator, ',') + ' / ' + format(datum.denominator, ',')"


def funnel_figure(
    funnel: Funnel, labels: dict | None = None, title: str | None = None, name_by: str = "dealer_name"
) -> alt.TopLevelMixin:
    """Each dealer a point at (denominator, rate); the target line, the inner and outer limits; dealers
    beyond the outer limits on the rate's bad side named on the plot (by `name_by`: dealer_name, or dealer_id where
    many are named). Log denominator axis, as funnels are usually drawn; the axes span the dealers, not the limits at
    n = 1. Vectorised throughout: a national funnel has 3,000 dealers."""
    points = funnel.points
    if points.empty:
        return vega.empty(title)
    words = {**stats_text.funnel_labels(funnel, DEFAULT_LANGUAGE), **(labels or {})}
    ids = points["dealer_id"].astype(str)
    names = points["dealer_name"].fillna(points["dealer_id"]) if "dealer_name" in points else points["dealer_id"]
    names = names.astype(str)
    text = names if name_by == "dealer_name" else points[name_by].astype(str)
    shown = pd.DataFrame(
        {
            "who": np.where(names == ids, ids, ids + " " + names),
            "numerator": points["numerator"].to_numpy(),
            "denominator": points["denominator"].to_numpy(),
            "rate": points["rate"].to_numpy(),
            "position": points["position"].map(words).to_numpy(),
            "text": text.to_numpy(),
            "side": points["position"].to_numpy(),
        }
    )
    lines = funnel.lines[funnel.lines["denominator"] >= points["denominator"].min() / 1.5]
    x_domain = [float(points["denominator"].min()) / 1.5, float(max(lines["denominator"].max(), 10))]
    x = alt.X(
        field="denominator",
        type="quantitative",
        scale=alt.Scale(type="log", domain=x_domain, nice=False),
        title=words["x"],
    )
    # room for every dealer and the outer limit at the median denominator, not at n = 1
    middle = points.loc[(points["denominator"] - points["denominator"].median()).abs().idxmin()]
    top = max(points["rate"].max(), middle["upper_998"]) * 1.15
    y_scale = alt.Scale(domain=[0, float(top)], nice=False) if top > 0 else alt.Scale(zero=True)
    axis = _y_axis(vega.rate_axis(funnel.metric, [top]), vega.label(words["y"]))  # two lines when long
    y = alt.Y(field="rate", type="quantitative", scale=y_scale, axis=axis)
    present = [words[p] for p in ("within", "high", "low") if (points["position"] == p).any()]
    named_colours = dict(zip([words["within"], words["high"], words["low"]], (LINE, BAD, GOOD)))
    legend = {word: named_colours[word] for word in present}
    legend |= {words["target"]: NEUTRAL, words["inner"]: INNER, words["outer"]: LIMIT}
    colour = vega.colours(legend)
    key = vega.legend_below()
    key.columns = 3  # six entries: two rows in half the page
    # the five curves in one layer, told apart by `edge` (two limits a colour and a dash each)
    curves = lines.melt("denominator", [column for column, *_ in LIMIT_LINES], var_name="edge", value_name="value")
    curves["series"] = curves["edge"].map({column: words[word] for column, word, *_ in LIMIT_LINES})
    dashes = {words[word]: dash for _, word, _, dash in LIMIT_LINES}
    layers: list[alt.Chart] = [
        alt.Chart(curves)
        .mark_line(strokeWidth=1, clip=True)
        .encode(
            x=x,
            y=alt.Y(field="value", type="quantitative", scale=y_scale, axis=axis),
            color=alt.Color(field="series", type="nominal", scale=colour, legend=key),
            strokeDash=alt.StrokeDash(
                field="series",
                type="nominal",
                scale=alt.Scale(domain=list(dashes), range=list(dashes.values())),
                legend=None,
            ),
            detail=alt.Detail(field="edge", type="nominal"),
        )
    ]
    layers.append(
        alt.Chart(shown.drop(columns=["text", "side"]))
        .mark_circle(size=50, opacity=0.85)
        .transform_calculate(tip=f"datum.who + ' · ' + {_counts_text()} + ' · ' + {_rate_text('rate', funnel.metric)}")
        .encode(
            x=x,
            y=y,
            color=alt.Color(field="position", type="nominal", scale=colour, legend=key),
            tooltip=alt.Tooltip(field="tip", type="nominal"),
        )
    )
    # issue 14: only the bad side is named (the good side's points sit on the axis, where names piled up), and
    # neighbours' names go opposite ways, above and below their points
    bad = shown[shown["side"] == stats_text.bad_side(funnel)].sort_values("denominator", kind="stable")
    if len(bad):
        named = pd.DataFrame(
            {
                "denominator": bad["denominator"].to_numpy(),
                "rate": bad["rate"].to_numpy(),
                "text": bad["text"].to_numpy(),
                "place": _label_places(
                    bad["rate"].to_numpy(float),
                    bad["denominator"].to_numpy(float),
                    float(top),
                    float(np.log10(x_domain[1] / x_domain[0])),
                ),
            }
        )
        text_layer = alt.Chart(named).encode(x=x, y=y, text=alt.Text(field="text", type="nominal"))
        for place, (dy, baseline) in enumerate(LABEL_PLACES):
            if (named["place"] == place).any():
                layers.append(
                    text_layer.transform_filter(f"datum.place == {place}").mark_text(
                        fontSize=10, clip=True, dy=dy, baseline=baseline
                    )
                )
    return alt.layer(*layers, title=title or "").properties(height=FUNNEL_HEIGHT)


def control_chart_figure(
    chart: pd.DataFrame, labels: dict | None = None, title: str | None = None
) -> alt.TopLevelMixin:
    """One group's p (or Laney p') chart: the monthly rate, the centre line, the limits stepping with each
    month's denominator, signals circled, the baseline months shaded."""
    if chart.empty:
        return vega.empty(title)
    metric = chart["metric"].iloc[0]
    words = {**stats_text.chart_labels(DEFAULT_LANGUAGE, metric), **(labels or {})}
    months = vega.months(chart["month"])
    rows = pd.DataFrame(
        {
            "month": months.to_numpy(),
            "rate": chart["rate"].to_numpy(float),
            "centre": chart["centre"].to_numpy(float),
            "ucl": chart["ucl"].to_numpy(float),
            "lcl": chart["lcl"].to_numpy(float),
            "numerator": chart["numerator"].to_numpy(),
            "denominator": chart["denominator"].to_numpy(),
        }
    )
    flagged = chart["signal"].fillna(False).astype(bool).to_numpy()
    month_axis = vega.month_axis(months, words["x"])
    x = alt.X(field="month", type="temporal", axis=month_axis)
    y = alt.Y(
        field="value",
        type="quantitative",
        scale=alt.Scale(zero=True),
        axis=_y_axis(vega.rate_axis(metric, rows["rate"]), vega.label(words["y"])),
    )
    drawn = {"rate": LINE, "centre": NEUTRAL, "limits": LIMIT} | ({"signal": BAD} if flagged.any() else {})
    colour = alt.Color(
        field="series",
        type="nominal",
        scale=vega.colours({words[k]: c for k, c in drawn.items()}),
        legend=vega.legend_below(),
    )
    layers: list[alt.Chart] = []
    baseline = months[(chart["phase"] == "baseline").to_numpy()]
    if len(baseline):
        shade = pd.DataFrame({"start": [baseline.min()], "end": [baseline.max()], "word": [words["baseline"]]})
        layers.append(
            alt.Chart(shade)
            .mark_rect(color=NEUTRAL, opacity=0.12)
            .encode(x=alt.X(field="start", type="temporal", axis=month_axis), x2=alt.X2(field="end"))
        )
        layers.append(
            alt.Chart(shade)
            .mark_text(align="left", baseline="top", dx=4, dy=4, fontSize=11, color="#616161")
            .encode(
                x=alt.X(field="start", type="temporal", axis=month_axis),
                y=alt.value(0),
                text=alt.Text(field="word", type="nominal"),
            )
        )
    limits = rows.melt("month", ["ucl", "lcl"], var_name="edge").assign(series=words["limits"])
    layers.append(
        alt.Chart(limits)
        .mark_line(interpolate="step", strokeDash=vega.DASHED, strokeWidth=1)
        .encode(x=x, y=y, color=colour, detail=alt.Detail(field="edge", type="nominal"))
    )
    centre = rows[["month", "centre"]].rename(columns={"centre": "value"}).assign(series=words["centre"])
    layers.append(alt.Chart(centre).mark_line(strokeWidth=1).encode(x=x, y=y, color=colour))
    rate = rows.drop(columns=["centre", "ucl", "lcl"]).rename(columns={"rate": "value"}).assign(series=words["rate"])
    tip = f"timeFormat(datum.month, '{vega.MONTH_FORMAT}') + ': ' + {_rate_text('value', metric)} + ' · ' + "
    layers.append(
        alt.Chart(rate)
        .mark_line(point=True)
        .transform_calculate(tip=tip + _counts_text())
        .encode(x=x, y=y, color=colour, tooltip=alt.Tooltip(field="tip", type="nominal"))
    )
    if flagged.any():
        signals = rate[flagged].drop(columns=["numerator", "denominator"]).assign(series=words["signal"])
        layers.append(
            alt.Chart(signals)
            .mark_point(shape="circle", filled=False, size=170, strokeWidth=2)
            .encode(x=x, y=y, color=colour)
        )
    return alt.layer(*layers, title=title or "").properties(height=CONTROL_HEIGHT)
