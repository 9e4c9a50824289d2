"""Chart builders: a DataFrame the named queries returned in, an Altair (Vega-Lite) chart out.

No Streamlit here, so each builder is tested as a plain function. Builders only draw what they
are given (rates come computed from the metric views); labels come from app.i18n.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import altair as alt
import numpy as np
import pandas as pd

from app import format as fmt
from app import vega
from app.i18n import STRINGS, code, t
from app.vega import BAD, GOOD, LIMIT, LINE, NEUTRAL, SERIES_COLORS
from etl.metrics.award import failing_dealers
from etl.metrics.definitions import RATE_BY_NAME
from etl.metrics.operations import CONDUCT_CODES
from etl.metrics.queries import DEDUCTION_COLUMNS, deductions_total

STATUS_COLORS = {"on_time": GOOD, "late": LIMIT, "missing": BAD, "not_due": NEUTRAL, "no_contract": "#cfd8dc"}


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
        points["tip"] = shown.dt.strftime("%Y-%m").fillna("").to_numpy() + ": " + points["text"]
        top = values.max()
        domain = [0, top * 1.1] if pd.notna(top) and top > 0 else [0, 1 if scale == 1000 else 0.01]
        y = alt.Y("value:Q", axis=vega.rate_axis(rate, values), scale=alt.Scale(domain=domain, nice=True))
        line = (
            alt.Chart(points)
            .mark_line(point=True, color=vega.LINE)
            .encode(
                x=alt.X("month:T", axis=axis),
                y=y,
                tooltip=alt.Tooltip("tip:N"),
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
    bars["tip"] = bars["dealer"] + " · " + bars["rate"] + ": " + bars["text"]
    encoding = {
        "y": alt.Y("dealer:N", sort=labels, title=None, axis=alt.Axis(labelLimit=240)),
        "yOffset": alt.YOffset("rate:N", sort=list(names.values())),
        "x": alt.X("value:Q", axis=alt.Axis(format=".0%"), title=None, scale=alt.Scale(zero=True)),
        "tooltip": alt.Tooltip("tip:N"),
    }
    colour = alt.Color(
        "rate:N", scale=vega.colours(dict(zip(names.values(), SERIES_COLORS))), legend=vega.legend_below()
    )
    layers: list[alt.Chart] = [
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
    return alt.LayerChart(layer=layers).properties(height=vega.bars_height(len(labels), 3 * 22, least=200, extra=20))


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


def _dealers(frame: pd.DataFrame) -> list[str]:
    """Each row's dealer as a chart labels it: its id and name."""
    return [f"{d} {n}" for d, n in zip(frame["dealer_id"], frame["dealer_name"])]


def _dealer_axis(order: list[str]) -> alt.Y:
    """Dealers down the side in the order given (worst or largest first at the top), names long enough to read."""
    return alt.Y("dealer:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))


def _room_for_labels(values: pd.Series, share: float = 0.15) -> alt.Scale:
    """A scale from zero with room beyond the longest bar for the value printed next to it."""
    top = pd.to_numeric(values, errors="coerce").max()
    return alt.Scale(domain=[0, float(top) * (1 + share)]) if pd.notna(top) and top > 0 else alt.Scale(zero=True)


def _stacked(frame: pd.DataFrame, by: str, value: str) -> pd.DataFrame:
    """Where each part of a stacked bar starts and ends (`start`, `end`, `middle`), the rows of a bar stacked in
    the order given (the first at the left or bottom)."""
    amounts = pd.to_numeric(frame[value], errors="coerce").fillna(0)
    end = amounts.groupby(frame[by], sort=False).cumsum()
    start = end.groupby(frame[by], sort=False).shift(fill_value=0)  # where the one before ended
    return frame.assign(start=start, end=end, middle=(start + end) / 2)


def _month_spans(months: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A month's bar: centred on the month's first day, where its tick is, 24 days wide."""
    first = vega.months(months)
    return first - pd.Timedelta(days=12), first + pd.Timedelta(days=12)


def ranking(flagged: pd.DataFrame, rate: str, lang: str, top: int = 20) -> alt.LayerChart:
    """The dealers with a signal on a rate (quality.attention), worst rate first, coloured by their signal."""
    definition = RATE_BY_NAME[rate]
    shown = worst_first(flagged, rate).head(top)
    labels = _dealers(shown)
    signals = {t(f"attention.signal.{s}", lang): c for s, c in SIGNAL_COLORS.items() if (shown["signal"] == s).any()}
    data = pd.DataFrame(
        {
            "dealer": labels,
            "signal": [t(f"attention.signal.{s}", lang) for s in shown["signal"]],
            "value": shown[rate].astype(float).to_numpy(),
            "text": [fmt.rate(v, definition.scale) for v in shown[rate]],
        }
    )
    name = t(f"rate.{rate}", lang)
    base = alt.Chart(data).encode(
        y=_dealer_axis(labels),
        x=alt.X("value:Q", axis=vega.rate_axis(rate, shown[rate]), scale=_room_for_labels(shown[rate])),
        tooltip=[
            alt.Tooltip("dealer:N", title=t("col.dealer_name", lang)),
            alt.Tooltip("text:N", title=name),
            alt.Tooltip("signal:N", title=t("chart.signal", lang)),
        ],
    )
    bars = base.mark_bar().encode(color=alt.Color("signal:N", scale=vega.colours(signals), legend=vega.legend_below()))
    values = base.mark_text(align="left", baseline="middle", dx=4).encode(text="text:N")
    return (bars + values).properties(
        title=t("chart.ranking_title", lang, rate=name, top=len(shown)),
        height=vega.bars_height(len(shown), 26, extra=130),
    )


def _status_colour(statuses, lang: str) -> alt.Color:
    """A report status's colour (STATUS_COLORS), named in the page's language, legend below."""
    return alt.Color(
        "status:N",
        scale=vega.colours({code(s, lang): STATUS_COLORS[s] for s in statuses}),
        legend=vega.legend_below(),
    )


def report_timeliness(timeliness: pd.DataFrame, lang: str) -> alt.LayerChart:
    """Days between each month's first report and its deadline (below 0: early), coloured by status.

    Months without a report (missing, not due, not under contract) show as a cross on the deadline line.
    """
    statuses = [s for s in STATUS_COLORS if (timeliness["status"] == s).any()]
    with_days = {s for s in statuses if timeliness.loc[timeliness["status"] == s, "days_late"].notna().any()}
    left, right = _month_spans(timeliness["month"])
    data = pd.DataFrame(
        {
            "month": vega.months(timeliness["month"]),
            "left": left,
            "right": right,
            "status": [code(s, lang) for s in timeliness["status"]],
            "drawn": ["bar" if s in with_days else "cross" for s in timeliness["status"]],
            "days": pd.to_numeric(timeliness["days_late"], errors="coerce").to_numpy(),
            "month_text": [fmt.month(m) for m in timeliness["month"]],
        }
    ).dropna(subset=["month"])
    colour = _status_colour(statuses, lang)
    tooltip = [
        alt.Tooltip("month_text:N", title=t("col.month", lang)),
        alt.Tooltip("status:N", title=t("col.status", lang)),
        alt.Tooltip("days:Q", title=t("col.days_late", lang)),
    ]
    base = alt.Chart(data)
    bars = (
        base.transform_filter(alt.datum.drawn == "bar")
        .mark_bar()
        .encode(
            x=alt.X("left:T", axis=vega.month_axis(timeliness["month"]), scale=alt.Scale(padding=12)),
            x2="right:T",
            y=alt.Y("days:Q", title=t("chart.days_vs_deadline", lang)),
            y2=alt.datum(0),
            color=colour,
            tooltip=tooltip,
        )
    )
    crosses = (
        base.transform_filter(alt.datum.drawn == "cross")
        .mark_point(shape="M-1,-1L1,1M-1,1L1,-1", size=160, strokeWidth=2.5, filled=False)
        .encode(x="month:T", y=alt.datum(0), color=colour, tooltip=tooltip[:2])
    )
    deadline = base.mark_rule(color=NEUTRAL, strokeWidth=1).encode(y=alt.datum(0))
    return (deadline + bars + crosses).properties(height=300)


def award_failures(award: pd.DataFrame, criteria: tuple[str, ...], lang: str) -> alt.LayerChart:
    """How many dealers fail each award criterion (etl.metrics.award.failing_dealers)."""
    failing = [int(n) for n in failing_dealers(award, criteria).values()]
    labels = [t(f"award.criterion.{c}", lang) for c in criteria]
    data = pd.DataFrame({"criterion": labels, "dealers": failing, "text": [fmt.count(n) for n in failing]})
    base = alt.Chart(data).encode(
        y=alt.Y("criterion:N", sort=labels, title=None, axis=alt.Axis(labelLimit=320)),
        x=alt.X(
            "dealers:Q",
            title=t("chart.dealers", lang),
            scale=_room_for_labels(data["dealers"]),
            axis=alt.Axis(format="d", tickMinStep=1),
        ),
        tooltip=[
            alt.Tooltip("criterion:N", title=t("chart.criterion", lang)),
            alt.Tooltip("text:N", title=t("chart.dealers", lang)),
        ],
    )
    bars = base.mark_bar(color=BAD)
    values = base.mark_text(align="left", baseline="middle", dx=4).encode(text="text:N")
    return (bars + values).properties(title=t("chart.award_failures", lang, dealers=len(award)), height=300)


DEDUCTIONS = tuple(zip(DEDUCTION_COLUMNS, (LIMIT, BAD, "#6a1b9a")))
MONEY_AXIS = "'¥' + format(datum.value, ',')"


def deductions(dealers: pd.DataFrame, lang: str, top: int = 25) -> alt.LayerChart:
    """The dealers with any deduction, largest first, each bar split by kind of deduction."""
    total = deductions_total(dealers)
    shown = dealers.assign(_total=total)[total > 0].sort_values(["_total", "dealer_id"], ascending=[False, True])
    shown = shown.head(top)
    labels = _dealers(shown)
    kinds = {t(f"col.{column}", lang): color for column, color in DEDUCTIONS}
    data = _stacked(
        pd.DataFrame(
            [
                (label, t(f"col.{column}", lang), float(amount or 0), fmt.money(amount) if amount else "")
                for column, _ in DEDUCTIONS
                for label, amount in zip(labels, shown[column])
            ],
            columns=["dealer", "kind", "yuan", "text"],
        ),
        "dealer",
        "yuan",
    )
    largest = float(shown["_total"].max()) if len(shown) else 0.0
    # a part's amount is printed inside it when it is wide enough for it (an eighth of the largest total)
    data["inside"] = [text if yuan >= largest / 8 else "" for text, yuan in zip(data["text"], data["yuan"])]
    base = alt.Chart(data).encode(
        y=_dealer_axis(labels),
        tooltip=[
            alt.Tooltip("dealer:N", title=t("col.dealer_name", lang)),
            alt.Tooltip("kind:N", title=t("chart.deduction", lang)),
            alt.Tooltip("text:N", title=t("chart.yuan", lang)),
        ],
    )
    bars = base.mark_bar().encode(
        x=alt.X("start:Q", title=t("chart.yuan", lang), axis=alt.Axis(labelExpr=MONEY_AXIS)),
        x2="end:Q",
        color=alt.Color("kind:N", scale=vega.colours(kinds), legend=vega.legend_below()),
    )
    amounts = base.mark_text(baseline="middle", color="white").encode(x="middle:Q", text="inside:N")
    return (bars + amounts).properties(
        title=t("chart.deductions", lang, dealers=int((total > 0).sum())),
        height=vega.bars_height(len(shown), 34, extra=150),
    )


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
LIGHT_ANSWERS = ("blank", "3", "4")  # their share printed in dark ink, the others' in white


def answers_in_words(answers: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The answer distribution with questions and yes / no / blank in the page's language (1-5 stay numbers)."""
    words = answers.copy()
    words["answer_code"] = words["answer"]
    words["question"] = [t(f"question.{q}", lang) for q in answers["question"]]
    words["answer"] = [t(f"answer.{a}", lang) if f"answer.{a}" in STRINGS else a for a in answers["answer"]]
    return words


def answer_distribution(answers: pd.DataFrame, lang: str) -> alt.LayerChart:
    """One stacked bar per question of the callback form: the share of each answer."""
    words = answers_in_words(answers, lang)
    order = [c for c in ANSWER_COLORS if c in set(words["answer_code"])]
    questions = list(dict.fromkeys(words["question"]))
    words = words[words["answer_code"].isin(order)]
    words = words.assign(_order=words["answer_code"].map(order.index)).sort_values("_order", kind="stable")
    colours = {word: ANSWER_COLORS[c] for c, word in zip(words["answer_code"], words["answer"])}
    data = _stacked(
        pd.DataFrame(
            {
                "question": words["question"].to_numpy(),
                "answer": words["answer"].to_numpy(),
                "share": words["share"].astype(float).to_numpy(),
                "callbacks": words["callbacks"].to_numpy(),
                "text": [fmt.percent(v) for v in words["share"]],
                "callbacks_text": [fmt.count(n) for n in words["callbacks"]],
                "inside": [fmt.percent(v, 0) if v >= 0.04 else "" for v in words["share"]],
                "ink": ["#31333f" if c in LIGHT_ANSWERS else "white" for c in words["answer_code"]],
            }
        ),
        "question",
        "share",
    )
    base = alt.Chart(data).encode(
        y=alt.Y("question:N", sort=questions, title=None, axis=alt.Axis(labelLimit=320)),
        tooltip=[
            alt.Tooltip("question:N", title=t("col.question", lang)),
            alt.Tooltip("answer:N", title=t("col.answer", lang)),
            alt.Tooltip("text:N", title=t("col.share", lang)),
            alt.Tooltip("callbacks_text:N", title=t("chart.callbacks", lang)),
        ],
    )
    bars = base.mark_bar().encode(
        x=alt.X("start:Q", title=None, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format=".0%")),
        x2="end:Q",
        color=alt.Color("answer:N", scale=vega.colours(colours), legend=vega.legend_below()),
    )
    shares = base.mark_text(baseline="middle").encode(
        x="middle:Q", text="inside:N", color=alt.Color("ink:N", scale=None)
    )
    return (bars + shares).properties(height=vega.bars_height(len(questions), 45, extra=110))


def conduct_in_words(issue: str, lang: str) -> str:
    """A conduct issue as written at the callback, in the page's language when it is a known one."""
    known = CONDUCT_CODES.get(str(issue).strip())
    return t(f"conduct.{known}", lang) if known else str(issue)


CONDUCT_COLORS = SERIES_COLORS + ("#2e7d32", "#c62828", "#00838f", "#8d6e63")


def conduct_issues(issues: pd.DataFrame, lang: str, top: int = 20) -> alt.Chart:
    """Stacked bars: callbacks reporting each conduct issue, for the dealers with the most."""
    totals = issues.groupby(["dealer_id", "dealer_name"], as_index=False)["callbacks"].sum()
    totals = totals.sort_values(["callbacks", "dealer_id"], ascending=[False, True]).head(top)
    labels = dict(zip(totals["dealer_id"], _dealers(totals)))
    shown = issues[issues["dealer_id"].isin(labels)]
    written = sorted(set(shown["conduct_issue"]))
    colours: dict[str, str] = {}
    for n, issue in enumerate(written):
        colours.setdefault(conduct_in_words(issue, lang), CONDUCT_COLORS[n % len(CONDUCT_COLORS)])
    shown = shown.assign(_order=shown["conduct_issue"].map(written.index)).sort_values("_order", kind="stable")
    data = _stacked(
        pd.DataFrame(
            {
                "dealer": shown["dealer_id"].map(labels).to_numpy(),
                "issue": [conduct_in_words(i, lang) for i in shown["conduct_issue"]],
                "callbacks": shown["callbacks"].to_numpy(),
                "text": [fmt.count(n) for n in shown["callbacks"]],
            }
        ),
        "dealer",
        "callbacks",
    )
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=_dealer_axis(list(labels.values())),
            x=alt.X("start:Q", title=t("chart.callbacks", lang), axis=alt.Axis(tickMinStep=1, labelFlush=True)),
            x2="end:Q",
            # the Callbacks page draws it in a narrow column: the issues' names one below the other
            color=alt.Color(
                "issue:N", scale=vega.colours(colours), legend=alt.Legend(orient="bottom", columns=1, title=None)
            ),
            tooltip=[
                alt.Tooltip("dealer:N", title=t("col.dealer_name", lang)),
                alt.Tooltip("issue:N", title=t("col.conduct_issue", lang)),
                alt.Tooltip("text:N", title=t("chart.callbacks", lang)),
            ],
        )
        .properties(height=vega.bars_height(len(labels), 28, least=240, extra=110 + 20 * len(colours)))
    )


def report_status_by_month(status: pd.DataFrame, lang: str) -> alt.Chart:
    """Stacked bars per month: reports on time, late and missing (dealer-months under contract, deadline passed)."""
    counts = status.groupby(["month", "status"]).size().unstack(fill_value=0) if len(status) else pd.DataFrame()
    states = [s for s in ("on_time", "late", "missing") if s in counts]
    long = pd.DataFrame(
        [
            {"month": month, "status": code(state, lang), "reports": int(counts.loc[month, state])}
            for state in states
            for month in counts.index
            if counts.loc[month, state]
        ],
        columns=["month", "status", "reports"],
    )
    left, right = _month_spans(long["month"])
    data = _stacked(long, "month", "reports").assign(
        month=vega.months(long["month"]),
        left=left,
        right=right,
        month_text=[fmt.month(m) for m in long["month"]],
        text=[fmt.count(n) for n in long["reports"]],
    )
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("left:T", axis=vega.month_axis(counts.index), scale=alt.Scale(padding=8)),
            x2="right:T",
            y=alt.Y("start:Q", title=t("chart.reports", lang), axis=alt.Axis(tickMinStep=1)),
            y2="end:Q",
            color=_status_colour(states, lang),
            tooltip=[
                alt.Tooltip("month_text:N", title=t("col.month", lang)),
                alt.Tooltip("status:N", title=t("col.status", lang)),
                alt.Tooltip("text:N", title=t("chart.reports", lang)),
            ],
        )
        .properties(height=260)
    )


QUICK_KINDS = ("bar", "line", "scatter")


def _plain(values: pd.Series) -> pd.Series:
    """A result column as Vega-Lite reads it: numbers, booleans and times as they are, anything else as text."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(values) or pd.api.types.is_numeric_dtype(values):
        return values
    present = values.dropna()
    if len(present) and all(isinstance(v, dt.date) for v in present):  # a DATE column comes as date objects
        return pd.to_datetime(values)
    return values.map(lambda v: None if fmt.is_empty(v) else str(v)).astype(object)


def _as_categories(values: pd.Series) -> pd.Series:
    """Bars' x values as the categories they are; times as dates (with the time of day when there is one)."""
    if not pd.api.types.is_datetime64_any_dtype(values):
        return values
    with_time = (values.dropna() != values.dropna().dt.normalize()).any()
    return values.dt.strftime("%Y-%m-%d %H:%M:%S" if with_time else "%Y-%m-%d").astype(object)


def _kind_of(values: pd.Series) -> Literal["temporal", "quantitative", "nominal"]:
    if pd.api.types.is_datetime64_any_dtype(values):
        return "temporal"
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return "quantitative"
    return "nominal"


def quick_chart(frame: pd.DataFrame, x: str, y: str, kind: str) -> alt.Chart:
    """An ad-hoc result as bars, a line or points (at most 5,000 rows).

    Bars sum y over rows sharing an x value, so a repeated category is one bar, not a stack
    of slivers; the axis title says it is a sum. The two columns are named "x" and "y" in the chart's data (a
    query's column may be called anything: Vega-Lite reads "." and "[" in a field name as a path); their own
    names are the axes' titles.
    """
    frame = frame.head(5000)
    data = pd.DataFrame({"x": _plain(frame[x].reset_index(drop=True)), "y": _plain(frame[y].reset_index(drop=True))})
    y_title = y
    if kind == "bar":
        if data["x"].duplicated().any():
            data = data.groupby("x", sort=False, dropna=False)["y"].sum(min_count=1).reset_index()
            y_title = f"Σ {y}"
        data["x"] = _as_categories(data["x"])
    x_type, y_type = ("ordinal" if kind == "bar" else _kind_of(data["x"])), _kind_of(data["y"])
    if kind == "bar":
        chart = alt.Chart(data).mark_bar(color=LINE)
    elif kind == "line":
        chart = alt.Chart(data).mark_line(color=LINE, point=True)
    else:
        chart = alt.Chart(data).mark_point(color=LINE, filled=True)
    x_field = alt.X("x", type=x_type, sort=None, title=x)
    x_tip = alt.Tooltip("x", type=x_type, title=x)
    if x_type == "temporal":  # times as numbers (Vega-Lite's own labels name the months in English)
        x_field = alt.X("x", type=x_type, sort=None, title=x, axis=alt.Axis(format="%Y-%m-%d", labelAngle=-45))
        x_tip = alt.Tooltip("x", type=x_type, title=x, format="%Y-%m-%d %H:%M")
    return chart.encode(
        x=x_field,
        y=alt.Y("y", type=y_type, title=y_title),
        tooltip=[x_tip, alt.Tooltip("y", type=y_type, title=y_title)],
    ).properties(height=360)
