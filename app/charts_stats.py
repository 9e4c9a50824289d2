"""Figures for issue 6's statistics: a funnel plot and a control chart, drawn from the named queries' data.

Plain functions, no Streamlit: a quality.Funnel or one group's rows of quality.control_charts in, a
plotly Figure out. Nothing is computed here but positions on the page; words come in as `labels`, so
the page passes its own language's (app/stats_text.py; without them, the English catalog's).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from app import stats_text
from etl.metrics.definitions import RATE_BY_NAME
from etl.metrics.quality import Funnel

GOOD, BAD, NEUTRAL, LINE, LIMIT, INNER = "#2e7d32", "#c62828", "#9e9e9e", "#1565c0", "#ef6c00", "#ffb74d"
DEFAULT_LANGUAGE = "en"  # of the labels a caller does not pass
MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}


def _axis(metric: str) -> dict:
    return {"ticksuffix": " ‰"} if RATE_BY_NAME[metric].scale == 1000 else {"tickformat": ".1%"}


LABEL_PLACES = ("top center", "bottom center", "middle right", "middle left")


def funnel_figure(
    funnel: Funnel, labels: dict | None = None, title: str | None = None, name_by: str = "dealer_name"
) -> go.Figure:
    """Each dealer a point at (denominator, rate); the target line, the inner and outer limits; dealers
    beyond the outer limits named on the plot (by `name_by`: dealer_name, or dealer_id where many are named).
    Log denominator axis, as funnels are usually drawn; the axes span the dealers, not the limits at n = 1."""
    words = {**stats_text.funnel_labels(funnel, DEFAULT_LANGUAGE), **(labels or {})}
    figure = go.Figure()
    lines = funnel.lines
    if len(funnel.points):
        lines = lines[lines["denominator"] >= funnel.points["denominator"].min() / 1.5]
    for low, high, name, colour, dash in (
        ("lower_95", "upper_95", words["inner"], INNER, "dot"),
        ("lower_998", "upper_998", words["outer"], LIMIT, "dash"),
    ):
        for column, show in ((low, True), (high, False)):
            figure.add_trace(
                go.Scatter(
                    x=lines["denominator"],
                    y=lines[column],
                    mode="lines",
                    name=name,
                    legendgroup=name,
                    showlegend=show,
                    hoverinfo="skip",
                    line={"color": colour, "dash": dash, "width": 1},
                )
            )
    figure.add_trace(
        go.Scatter(
            x=lines["denominator"],
            y=lines["target"],
            mode="lines",
            name=words["target"],
            line={"color": NEUTRAL, "width": 1},
            hoverinfo="skip",
        )
    )
    points = funnel.points
    # issue 14: only the bad side is named (the good side's points sit on the axis, where names piled up), and
    # neighbours' names alternate above, below and beside their points
    bad = "high" if RATE_BY_NAME[funnel.metric].good_when == "below" else "low"
    for position, colour in (("within", LINE), ("high", BAD), ("low", GOOD)):
        shown = points[points["position"] == position].sort_values("denominator")
        if shown.empty:
            continue
        names = shown["dealer_name"].fillna(shown["dealer_id"]) if "dealer_name" in shown else shown["dealer_id"]
        text = names if name_by == "dealer_name" else shown[name_by]
        named = position == bad
        figure.add_trace(
            go.Scatter(
                x=shown["denominator"],
                y=shown["rate"],
                mode="markers+text" if named else "markers",
                name=words[position],
                marker={"color": colour, "size": 8},
                text=text if named else None,
                textfont={"size": 10},
                # only named points need a place for their name; arrays, not lists of tuples: plotly checks a list
                # item by item (0.2 s per funnel of 3,000 dealers)
                textposition=[LABEL_PLACES[n % len(LABEL_PLACES)] for n in range(len(shown))] if named else None,
                customdata=np.column_stack(
                    [
                        shown["dealer_id"].to_numpy(object),
                        names.to_numpy(object),
                        shown["numerator"],
                        shown["denominator"],
                    ]
                ),
                hovertemplate="%{customdata[0]} %{customdata[1]}<br>%{customdata[2]} / %{customdata[3]}"
                "<br>%{y}<extra></extra>",
            )
        )
    figure.update_xaxes(type="log", title=words["x"])
    top = None
    if len(points):  # room for every dealer and the outer limit at the median denominator, not at n = 1
        middle = points.loc[(points["denominator"] - points["denominator"].median()).abs().idxmin()]
        top = max(points["rate"].max(), middle["upper_998"]) * 1.15 or None
    figure.update_yaxes(title=words["y"], range=[0, top] if top else None, rangemode="tozero", **_axis(funnel.metric))
    figure.update_layout(title=title, margin=MARGIN, legend={"orientation": "h", "y": -0.28})
    return figure


def control_chart_figure(chart: pd.DataFrame, labels: dict | None = None, title: str | None = None) -> go.Figure:
    """One group's p (or Laney p') chart: the monthly rate, the centre line, the limits stepping with each
    month's denominator, signals marked, the baseline months shaded."""
    figure = go.Figure()
    if chart.empty:
        return figure.update_layout(title=title, margin=MARGIN)
    metric = chart["metric"].iloc[0]
    words = {**stats_text.chart_labels(DEFAULT_LANGUAGE, metric), **(labels or {})}
    months = pd.to_datetime(chart["month"])
    baseline = months[chart["phase"] == "baseline"]
    if len(baseline):
        figure.add_vrect(
            x0=baseline.min(),
            x1=baseline.max(),
            fillcolor=NEUTRAL,
            opacity=0.12,
            line_width=0,
            annotation_text=words["baseline"],
            annotation_position="top left",
        )
    for column, show in (("ucl", True), ("lcl", False)):
        figure.add_trace(
            go.Scatter(
                x=months,
                y=chart[column],
                mode="lines",
                line={"color": LIMIT, "dash": "dash", "shape": "hvh", "width": 1},
                name=words["limits"],
                legendgroup="limits",
                showlegend=show,
                hoverinfo="skip",
            )
        )
    figure.add_trace(
        go.Scatter(
            x=months,
            y=chart["centre"],
            mode="lines",
            line={"color": NEUTRAL, "width": 1},
            name=words["centre"],
            hoverinfo="skip",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=months,
            y=chart["rate"],
            mode="lines+markers",
            name=words["rate"],
            line={"color": LINE},
            customdata=list(zip(chart["numerator"], chart["denominator"])),
            hovertemplate="%{x|%Y-%m}: %{y}<br>%{customdata[0]} / %{customdata[1]}<extra></extra>",
        )
    )
    flagged = chart[chart["signal"]]
    if len(flagged):
        figure.add_trace(
            go.Scatter(
                x=pd.to_datetime(flagged["month"]),
                y=flagged["rate"],
                mode="markers",
                name=words["signal"],
                marker={"color": BAD, "size": 11, "symbol": "circle-open", "line": {"width": 2}},
                hoverinfo="skip",
            )
        )
    figure.update_xaxes(tickformat="%Y-%m", title=words["x"])
    figure.update_yaxes(title=words["y"], rangemode="tozero", **_axis(metric))
    figure.update_layout(title=title, margin=MARGIN, legend={"orientation": "h", "y": -0.25})
    return figure
