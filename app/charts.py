"""Chart builders: a DataFrame the named queries returned in, a plotly Figure out.

No Streamlit here, so each builder is tested as a plain function. Builders only draw what they
are given (rates come computed from the metric views); labels come from app.i18n.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from app import format as fmt
from app import vega
from app.i18n import STRINGS, code, t
from etl.metrics.award import failing_dealers
from etl.metrics.definitions import RATE_BY_NAME
from etl.metrics.operations import CONDUCT_CODES
from etl.metrics.queries import DEDUCTION_COLUMNS, deductions_total

GOOD, BAD, NEUTRAL, LINE, LIMIT = "#2e7d32", "#c62828", "#9e9e9e", "#1565c0", "#ef6c00"
STATUS_COLORS = {"on_time": GOOD, "late": LIMIT, "missing": BAD, "not_due": NEUTRAL, "no_contract": "#cfd8dc"}
SERIES_COLORS = ("#1565c0", "#ef6c00", "#6a1b9a")
MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}


def _axis_format(rate: str, values) -> dict:
    """Percent axes for fractions (a decimal when every value is below 10 %), a ‰ suffix for per-1,000 rates."""
    if RATE_BY_NAME[rate].scale == 1000:
        return {"ticksuffix": " ‰"}
    top = pd.to_numeric(pd.Series(values), errors="coerce").max()
    return {"tickformat": ".1%" if pd.isna(top) or top < 0.1 else ".0%"}


def _limits(limits: pd.DataFrame | None) -> dict[str, tuple]:
    if limits is None or limits.empty:
        return {}
    return {row.rate: (row.limit, row.upper) for row in limits.itertuples() if not fmt.is_empty(row.limit)}


def rate_trends(monthly: pd.DataFrame, rates: tuple[str, ...], lang: str, limits: pd.DataFrame | None = None) -> list:
    """Small multiples: a chart per rate over the months, the rules' threshold dashed (ui.small_multiples lays
    them out, three to a row). The y axis spans the rate's values from zero, as the tiles' trends should read; a
    threshold far above them is clipped rather than flattening the line."""
    thresholds = _limits(limits)
    shown = vega.months(monthly["month"]) if "month" in monthly else pd.Series(dtype="datetime64[ns]")
    axis = vega.month_axis(shown)
    panels = []
    for rate in rates:
        scale = RATE_BY_NAME[rate].scale
        written = monthly[rate] if rate in monthly else pd.Series(np.nan, index=monthly.index)
        values = pd.to_numeric(written, errors="coerce")
        points = pd.DataFrame(
            {"month": shown.to_numpy(), "value": values.to_numpy(), "text": [fmt.rate(v, scale) for v in values]}
        )
        top = values.max()
        domain = [0, top * 1.1] if pd.notna(top) and top > 0 else [0, 1 if scale == 1000 else 0.01]
        y = alt.Y("value:Q", axis=vega.rate_axis(rate, values), scale=alt.Scale(domain=domain, nice=True))
        line = (
            alt.Chart(points)
            .mark_line(point=True, color=vega.LINE)
            .encode(
                x=alt.X("month:T", axis=axis),
                y=y,
                tooltip=[alt.Tooltip("month:T", format=vega.MONTH_FORMAT, title=""), alt.Tooltip("text:N", title="")],
            )
        )
        bounds = [float(b) for b in thresholds.get(rate, ()) if not fmt.is_empty(b)]
        layers = [line]
        if bounds:
            rules = alt.Chart(pd.DataFrame({"value": bounds})).mark_rule(
                color=vega.LIMIT, strokeDash=vega.DASHED, clip=True
            )
            layers.append(rules.encode(y=alt.Y("value:Q")))
        title = alt.Title(vega.label(t(f"rate.{rate}", lang)), fontSize=15, anchor="middle")
        panels.append(alt.layer(*layers, title=title).properties(height=TREND_HEIGHT))
    return panels


TREND_HEIGHT = 180  # a panel's plot; its title and upright month labels come on top of it


def control_breaches(
    breaches: pd.DataFrame, controls: tuple[str, ...], lang: str, limits: pd.DataFrame | None = None, top: int = 15
) -> alt.LayerChart:
    """Grouped bars: the worst breaching dealers' three control rates against the control limit."""
    breaches = breaches.head(top)
    labels = [f"{d} {n}" for d, n in zip(breaches["dealer_id"], breaches["dealer_name"])]
    names = {rate: t(f"rate.{rate}", lang) for rate in controls}
    bars = pd.DataFrame(
        {
            "dealer": np.repeat(labels, len(controls)),
            "rate": [names[rate] for _ in labels for rate in controls],
            "value": breaches[list(controls)].apply(pd.to_numeric, errors="coerce").to_numpy().ravel(),
        }
    )
    bars["text"] = [fmt.percent(v) for v in bars["value"]]
    encoding = {
        "y": alt.Y("dealer:N", sort=labels, title=None, axis=alt.Axis(labelLimit=240)),
        "yOffset": alt.YOffset("rate:N", sort=list(names.values())),
        "x": alt.X("value:Q", axis=alt.Axis(format=".0%"), title=None, scale=alt.Scale(zero=True)),
        "tooltip": [
            alt.Tooltip("dealer:N", title=""),
            alt.Tooltip("rate:N", title=""),
            alt.Tooltip("text:N", title=""),
        ],
    }
    colour = alt.Color(
        "rate:N", scale=vega.colours(dict(zip(names.values(), SERIES_COLORS))), legend=vega.legend_below()
    )
    layers: list = [
        alt.Chart(bars).mark_bar().encode(color=colour, **encoding),
        alt.Chart(bars).mark_text(align="left", dx=3, fontSize=11).encode(text="text:N", **encoding),
    ]
    bounds = sorted(
        {
            float(limit)
            for limit, _ in (_limits(limits).get(r, (None, None)) for r in controls)
            if not fmt.is_empty(limit)
        }
    )
    if bounds:
        marks = pd.DataFrame({"value": bounds, "text": [t("chart.limit", lang, limit=fmt.limit(b, 1)) for b in bounds]})
        layers.append(alt.Chart(marks).mark_rule(color=vega.BAD, strokeDash=vega.DASHED).encode(x="value:Q"))
        layers.append(
            alt.Chart(marks)
            .mark_text(color=vega.BAD, align="left", baseline="bottom", dx=4, y=-4)
            .encode(x="value:Q", text="text:N")
        )
    return alt.layer(*layers).properties(height=vega.bars_height(len(labels), 3 * 22, least=200, extra=20))


def worst_first(frame: pd.DataFrame, rate: str) -> pd.DataFrame:
    """Dealers ordered from the wrong end of a rate (highest complaints, lowest satisfaction); empty rates left out."""
    ascending = RATE_BY_NAME[rate].good_when != "below"
    return frame.dropna(subset=[rate]).sort_values([rate, "dealer_id"], ascending=[ascending, True])


def by_rate(frame: pd.DataFrame, rate: str) -> pd.DataFrame:
    """Every row, worst end of the rate first (as worst_first), the ones without a rate last."""
    ascending = RATE_BY_NAME[rate].good_when != "below"
    return frame.sort_values([rate, "dealer_id"], ascending=[ascending, True], na_position="last", kind="stable")


# Issue 14: the colour of each attention signal (etl.metrics.quality.ATTENTION_SIGNALS).
SIGNAL_COLORS = {"funnel_outer": BAD, "interval": "#ad1457", "funnel_inner": LIMIT}


def ranking(flagged: pd.DataFrame, rate: str, lang: str, top: int = 20) -> go.Figure:
    """The dealers with a signal on a rate (quality.attention), worst rate first, coloured by their signal."""
    definition = RATE_BY_NAME[rate]
    shown = worst_first(flagged, rate).head(top)
    labels = [f"{d} {n}" for d, n in zip(shown["dealer_id"], shown["dealer_name"])]
    figure = go.Figure()
    for signal, color in SIGNAL_COLORS.items():
        chosen = (shown["signal"] == signal).to_numpy()
        if not chosen.any():
            continue
        name = t(f"attention.signal.{signal}", lang)
        figure.add_trace(
            go.Bar(
                y=[label for label, keep in zip(labels, chosen) if keep],
                x=shown.loc[chosen, rate],
                orientation="h",
                name=name,
                marker_color=color,
                text=[fmt.rate(v, definition.scale) for v in shown.loc[chosen, rate]],
                textposition="outside",
                hovertemplate="%{y}: %{text}<extra>" + name + "</extra>",
            )
        )
    figure.update_layout(
        title=t("chart.ranking_title", lang, rate=t(f"rate.{rate}", lang), top=len(shown)),
        height=max(260, 26 * len(shown) + 120),
        margin=MARGIN,
        barmode="overlay",
        legend={"orientation": "h", "y": -0.08 if len(shown) > 8 else -0.2},
        xaxis={**_axis_format(rate, shown[rate]), "rangemode": "tozero"},
        yaxis={"autorange": "reversed", "categoryorder": "array", "categoryarray": labels},
    )
    return figure


def report_timeliness(timeliness: pd.DataFrame, lang: str) -> go.Figure:
    """Days between each month's first report and its deadline (below 0: early), coloured by status.

    Months without a report (missing, not due, not under contract) show as a cross on the deadline line.
    """
    figure = go.Figure()
    months = pd.to_datetime(timeliness["month"])
    for status, color in STATUS_COLORS.items():
        chosen = timeliness["status"] == status
        if not chosen.any():
            continue
        label, days = code(status, lang), timeliness.loc[chosen, "days_late"]
        if days.notna().any():
            figure.add_trace(
                go.Bar(
                    x=months[chosen],
                    y=days,
                    name=label,
                    marker_color=color,
                    hovertemplate="%{x|%Y-%m}: %{y} " + t("chart.days", lang) + "<extra>" + label + "</extra>",
                )
            )
        else:
            figure.add_trace(
                go.Scatter(
                    x=months[chosen],
                    y=[0] * int(chosen.sum()),
                    mode="markers",
                    name=label,
                    marker={"color": color, "size": 14, "symbol": "x"},
                    hovertemplate="%{x|%Y-%m}<extra>" + label + "</extra>",
                )
            )
    figure.add_hline(y=0, line_color=NEUTRAL, line_width=1)
    figure.update_layout(
        height=300,
        margin=MARGIN,
        barmode="overlay",
        showlegend=True,
        yaxis={"title": t("chart.days_vs_deadline", lang), "zeroline": True},
        xaxis={"tickformat": "%Y-%m", "dtick": "M1"},
        legend={"orientation": "h", "y": 1.12},
    )
    return figure


def award_failures(award: pd.DataFrame, criteria: tuple[str, ...], lang: str) -> go.Figure:
    """How many dealers fail each award criterion (etl.metrics.award.failing_dealers)."""
    failing = list(failing_dealers(award, criteria).values())
    labels = [t(f"award.criterion.{c}", lang) for c in criteria]
    figure = go.Figure(
        go.Bar(
            y=labels,
            x=failing,
            orientation="h",
            marker_color=BAD,
            text=failing,
            textposition="outside",
            hovertemplate="%{y}: %{x}<extra></extra>",
        )
    )
    figure.update_layout(
        title=t("chart.award_failures", lang, dealers=len(award)),
        height=300,
        margin=MARGIN,
        xaxis={"title": t("chart.dealers", lang), "rangemode": "tozero"},
        yaxis={"autorange": "reversed"},
    )
    return figure


DEDUCTIONS = tuple(zip(DEDUCTION_COLUMNS, (LIMIT, BAD, "#6a1b9a")))


def deductions(dealers: pd.DataFrame, lang: str, top: int = 25) -> go.Figure:
    """The dealers with any deduction, largest first, each bar split by kind of deduction."""
    total = deductions_total(dealers)
    shown = dealers.assign(_total=total)[total > 0].sort_values(["_total", "dealer_id"], ascending=[False, True])
    shown = shown.head(top)
    labels = [f"{d} {n}" for d, n in zip(shown["dealer_id"], shown["dealer_name"])]
    figure = go.Figure()
    for column, color in DEDUCTIONS:
        figure.add_trace(
            go.Bar(
                y=labels,
                x=shown[column],
                orientation="h",
                name=t(f"col.{column}", lang),
                marker_color=color,
                text=[fmt.money(v) if v else "" for v in shown[column]],
                hovertemplate="%{y}: %{text}<extra>" + t(f"col.{column}", lang) + "</extra>",
            )
        )
    figure.update_layout(
        title=t("chart.deductions", lang, dealers=int((total > 0).sum())),
        barmode="stack",
        height=max(260, 34 * len(shown) + 120),
        margin=MARGIN,
        legend={"orientation": "h", "y": -0.15},
        xaxis={"title": t("chart.yuan", lang), "tickprefix": "¥", "separatethousands": True},
        yaxis={"autorange": "reversed"},
    )
    return figure


# --- operations pages (issue 5) ----------------------------------------------------------------

# One colour per answer (issue 14): "no" is neither good nor bad by itself (no complaint is good news), so it is
# not drawn in a warning colour; 1-5 run from red to green.
ANSWER_COLORS = {
    "yes": "#1565c0",
    "no": "#7e57c2",
    "blank": "#cfd8dc",
    "1": "#c62828",
    "2": "#ef6c00",
    "3": "#fbc02d",
    "4": "#66bb6a",
    "5": "#2e7d32",
}


def answers_in_words(answers: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The answer distribution with questions and yes / no / blank in the page's language (1-5 stay numbers)."""
    words = answers.copy()
    words["answer_code"] = words["answer"]
    words["question"] = [t(f"question.{q}", lang) for q in answers["question"]]
    words["answer"] = [t(f"answer.{a}", lang) if f"answer.{a}" in STRINGS else a for a in answers["answer"]]
    return words


def answer_distribution(answers: pd.DataFrame, lang: str) -> go.Figure:
    """One stacked bar per question of the callback form: the share of each answer."""
    words = answers_in_words(answers, lang)
    figure = go.Figure()
    order = [c for c in ANSWER_COLORS if c in set(words["answer_code"])]
    questions = list(dict.fromkeys(words["question"]))
    for answer in order:
        part = words[words["answer_code"] == answer]
        figure.add_trace(
            go.Bar(
                y=part["question"],
                x=part["share"],
                orientation="h",
                name=part["answer"].iloc[0],
                marker_color=ANSWER_COLORS[answer],
                customdata=part["callbacks"],
                text=[fmt.percent(v, 0) if v >= 0.04 else "" for v in part["share"]],
                textposition="inside",
                hovertemplate="%{y} · " + part["answer"].iloc[0] + ": %{x:.1%} (%{customdata:,})<extra></extra>",
            )
        )
    figure.update_layout(
        barmode="stack",
        height=max(220, 45 * len(questions) + 90),
        margin=MARGIN,
        xaxis={"tickformat": ".0%", "range": [0, 1]},
        yaxis={"categoryorder": "array", "categoryarray": questions[::-1]},
        legend={"orientation": "h", "y": -0.15, "traceorder": "normal"},
    )
    return figure


def conduct_in_words(issue: str, lang: str) -> str:
    """A conduct issue as written at the callback, in the page's language when it is a known one."""
    known = CONDUCT_CODES.get(str(issue).strip())
    return t(f"conduct.{known}", lang) if known else str(issue)


def conduct_issues(issues: pd.DataFrame, lang: str, top: int = 20) -> go.Figure:
    """Stacked bars: callbacks reporting each conduct issue, for the dealers with the most."""
    totals = issues.groupby(["dealer_id", "dealer_name"], as_index=False)["callbacks"].sum()
    totals = totals.sort_values(["callbacks", "dealer_id"], ascending=[False, True]).head(top)
    labels = {d: f"{d} {n}" for d, n in zip(totals["dealer_id"], totals["dealer_name"])}
    shown = issues[issues["dealer_id"].isin(labels)]
    figure = go.Figure()
    for n, (written, part) in enumerate(shown.groupby("conduct_issue", sort=True)):
        issue = conduct_in_words(written, lang)
        figure.add_trace(
            go.Bar(
                y=part["dealer_id"].map(labels),
                x=part["callbacks"],
                orientation="h",
                name=issue,
                marker_color=(SERIES_COLORS + ("#2e7d32", "#c62828", "#00838f", "#8d6e63"))[n % 7],
                hovertemplate="%{y} · " + issue + ": %{x}<extra></extra>",
            )
        )
    figure.update_layout(
        barmode="stack",
        height=max(240, 28 * len(labels) + 100),
        margin=MARGIN,
        xaxis={"title": t("chart.callbacks", lang)},
        yaxis={"categoryorder": "array", "categoryarray": list(labels.values())[::-1]},
    )
    return figure


def report_status_by_month(status: pd.DataFrame, lang: str) -> go.Figure:
    """Stacked bars per month: reports on time, late and missing (dealer-months under contract, deadline passed)."""
    counts = status.groupby(["month", "status"]).size().unstack(fill_value=0) if len(status) else pd.DataFrame()
    figure = go.Figure()
    months = pd.to_datetime(pd.Series(counts.index))
    for state in ("on_time", "late", "missing"):
        if state in counts:
            figure.add_trace(
                go.Bar(
                    x=months,
                    y=counts[state].values,
                    name=code(state, lang),
                    marker_color=STATUS_COLORS[state],
                    hovertemplate="%{x|%Y-%m}: %{y}<extra>" + code(state, lang) + "</extra>",
                )
            )
    figure.update_layout(
        barmode="stack",
        height=260,
        margin=MARGIN,
        xaxis={"tickformat": "%Y-%m"},
        legend={"orientation": "h", "y": -0.2},
    )
    return figure


QUICK_KINDS = ("bar", "line", "scatter")


def quick_chart(frame: pd.DataFrame, x: str, y: str, kind: str) -> go.Figure:
    """An ad-hoc result as bars, a line or points (at most 5,000 rows).

    Bars sum y over rows sharing an x value, so a repeated category is one bar, not a stack
    of slivers; the axis title says it is a sum.
    """
    frame = frame.head(5000)
    if kind == "bar":
        y_title = y
        if frame[x].duplicated().any():
            frame = frame.groupby(x, sort=False, dropna=False)[y].sum(min_count=1).reset_index()
            y_title = f"Σ {y}"
        trace = go.Bar(x=frame[x], y=frame[y], marker_color=LINE)
        figure = go.Figure(trace)
        figure.update_layout(height=360, margin=MARGIN, xaxis={"title": x}, yaxis={"title": y_title})
        return figure
    else:
        trace = go.Scatter(
            x=frame[x], y=frame[y], mode="lines+markers" if kind == "line" else "markers", line={"color": LINE}
        )
    figure = go.Figure(trace)
    figure.update_layout(height=360, margin=MARGIN, xaxis={"title": x}, yaxis={"title": y})
    return figure
