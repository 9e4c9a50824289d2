"""Chart builders: a DataFrame the named queries returned in, a plotly Figure out.

No Streamlit here, so each builder is tested as a plain function. Builders only draw what they
are given (rates come computed from the metric views); labels come from app.i18n.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from app import format as fmt
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


def _month_ticks(months: pd.Series) -> dict:
    """A tick per month of a short span (issue 14: one month showed its label several times), every third
    month of a longer one; nothing to set without months."""
    shown = pd.Series(months).dropna().drop_duplicates().sort_values()
    if shown.empty:
        return {}
    if len(shown) <= 13:
        return {"tickmode": "array", "tickvals": list(shown), "ticktext": [f"{m:%Y-%m}" for m in shown]}
    return {"dtick": "M3"}


def rate_trends(
    monthly: pd.DataFrame, rates: tuple[str, ...], lang: str, limits: pd.DataFrame | None = None, columns: int = 3
) -> go.Figure:
    """Small multiples: one line per rate over the months, the rules' threshold dashed.

    Issue 14 (first paint): the grid, titles, axes and threshold lines are written as one layout, as make_subplots,
    update_yaxes(row, col) and add_hline(row, col) would write them; those calls cost a second a chart."""
    rows = math.ceil(len(rates) / columns)
    # at 800 px a panel is about 200 px wide: a long title takes two lines and the months stand upright, so the rows
    # are spaced for both (they overlapped the next row's title)
    v_space = min(0.3, 120 / (ROW_HEIGHT * rows)) if rows > 1 else 0.1
    h_space = 0.06
    width, height = (1 - h_space * (columns - 1)) / columns, (1 - v_space * (rows - 1)) / rows
    thresholds = _limits(limits)
    months = pd.to_datetime(monthly["month"]) if "month" in monthly else pd.Series(dtype="datetime64[ns]")
    ticks = _month_ticks(months)
    traces: list[go.Scatter] = []
    shapes: list[dict] = []
    titles: list[dict] = []
    layout: dict[str, object] = {}
    for n, rate in enumerate(rates):
        row, col = n // columns, n % columns
        x, y = ("x", "y") if n == 0 else (f"x{n + 1}", f"y{n + 1}")
        left, top = col * (width + h_space), 1 - row * (height + v_space)
        scale = RATE_BY_NAME[rate].scale
        values = monthly[rate] if rate in monthly else pd.Series(dtype=float)
        traces.append(
            go.Scatter(
                x=months,
                y=values,
                xaxis=x,
                yaxis=y,
                mode="lines+markers",
                name=t(f"rate.{rate}", lang),
                line={"color": LINE},
                text=[fmt.rate(v, scale) for v in values],
                hovertemplate="%{x|%Y-%m}: %{text}<extra></extra>",
                showlegend=False,
            )
        )
        for bound in thresholds.get(rate, ()):
            if not fmt.is_empty(bound):
                line = {"dash": "dash", "color": LIMIT, "width": 1}
                shapes.append(
                    {"type": "line", "xref": f"{x} domain", "x0": 0, "x1": 1, "yref": y, "y0": bound, "y1": bound}
                    | {"line": line}
                )
        y_axis = {"domain": [max(0.0, top - height), top], "anchor": x, "rangemode": "tozero"}
        y_axis |= _axis_format(rate, values)
        if not (pd.to_numeric(values, errors="coerce") > 0).any():  # all zero or empty: a small range, not -1..1
            y_axis["range"] = [0, 1 if scale == 1000 else 0.01]
        layout[y.replace("y", "yaxis", 1)] = y_axis
        layout[x.replace("x", "xaxis", 1)] = {
            "domain": [left, left + width],
            "anchor": y,
            "tickformat": "%Y-%m",
        } | ticks
        titles.append(
            {
                "text": _two_lines(t(f"rate.{rate}", lang)),
                "x": left + width / 2,
                "y": top,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 16},
            }
        )
    layout |= {"annotations": titles, "shapes": shapes, "height": ROW_HEIGHT * rows + 50, "margin": MARGIN | {"t": 50}}
    return go.Figure(data=traces, layout=layout)


ROW_HEIGHT = 260  # a row of small multiples: the panel, its upright month labels and the next title


def _two_lines(title: str, most: int = 22) -> str:
    """A title longer than `most` characters broken at the space nearest its middle (plotly does not wrap)."""
    if len(title) <= most or " " not in title:
        return title
    middle = len(title) // 2
    cut = min((i for i, c in enumerate(title) if c == " "), key=lambda i: abs(i - middle))
    return title[:cut] + "<br>" + title[cut + 1 :]


def control_breaches(
    breaches: pd.DataFrame, controls: tuple[str, ...], lang: str, limits: pd.DataFrame | None = None, top: int = 15
) -> go.Figure:
    """Grouped bars: the worst breaching dealers' three control rates against the control limit."""
    breaches = breaches.head(top)
    figure = go.Figure()
    labels = [f"{d} {n}" for d, n in zip(breaches["dealer_id"], breaches["dealer_name"])]
    for rate, color in zip(controls, SERIES_COLORS):
        figure.add_trace(
            go.Bar(
                y=labels,
                x=breaches[rate],
                orientation="h",
                name=t(f"rate.{rate}", lang),
                marker_color=color,
                text=[fmt.percent(v) for v in breaches[rate]],
                textposition="outside",
                hovertemplate="%{y}: %{text}<extra>" + t(f"rate.{rate}", lang) + "</extra>",
            )
        )
    for bound in sorted(
        {
            float(limit)
            for limit, _ in (_limits(limits).get(r, (None, None)) for r in controls)
            if not fmt.is_empty(limit)
        }
    ):
        figure.add_vline(
            x=bound, line_dash="dash", line_color=BAD, annotation_text=t("chart.limit", lang, limit=fmt.limit(bound, 1))
        )
    figure.update_layout(
        barmode="group",
        height=max(260, 70 * len(labels) + 80),
        margin=MARGIN,
        xaxis={"tickformat": ".0%", "rangemode": "tozero"},
        yaxis={"autorange": "reversed"},
        legend={"orientation": "h", "y": 1.08},
    )
    return figure


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
