"""What every chart builder shares: Vega-Lite (Altair) axes, colour scales and sizes.

Issue 14 (first paint <= 2 s): the charts are Vega-Lite, drawn by Streamlit's 0.8 MB vega-embed bundle; Plotly's
4.7 MB bundle alone took about 2 s to compile in a fresh browser on this 2-core machine. A builder returns an Altair
chart; a test reads it back as its Vega-Lite spec (`spec(chart)`), without Streamlit or a browser.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Mapping
from typing import Any

import altair as alt
import pandas as pd
import pyarrow as pa

from etl.metrics.definitions import RATE_BY_NAME

GOOD, BAD, NEUTRAL, LINE, LIMIT, INNER = "#2e7d32", "#c62828", "#9e9e9e", "#1565c0", "#ef6c00", "#ffb74d"
SERIES_COLORS = ("#1565c0", "#ef6c00", "#6a1b9a")
MONTH_FORMAT = "%Y-%m"
DASHED = [5, 4]
DOTTED = [2, 3]


def months(values: Iterable) -> pd.Series:
    """Months as timestamps (Vega-Lite reads them as dates; `datetime.date` objects would not serialise)."""
    return pd.to_datetime(pd.Series(list(values), dtype=object))


def month_axis(shown: Iterable, title: str | None = None) -> alt.Axis:
    """A tick per month of a short span (issue 14: one month showed its label several times), every third month
    of a longer one."""
    distinct = months(shown).dropna().drop_duplicates().sort_values()
    if 0 < len(distinct) <= 13:
        values = [alt.DateTime(year=m.year, month=m.month, date=1) for m in distinct]
        return alt.Axis(format=MONTH_FORMAT, values=values, title=title, labelAngle=-45, grid=False)
    return alt.Axis(
        format=MONTH_FORMAT, tickCount={"interval": "month", "step": 3}, title=title, labelAngle=-45, grid=False
    )


def rate_axis(rate: str, values: Iterable = (), title: str | None = None) -> alt.Axis:
    """Percent axes for fractions (a decimal when every value is below 10 %), a ‰ suffix for per-1,000 rates; the
    zero label level with zero (Streamlit's theme pushes the end labels inside, so zero read as below it)."""
    if RATE_BY_NAME[rate].scale == 1000:
        return alt.Axis(labelExpr="format(datum.value, '.2~f') + ' ‰'", title=title, labelFlush=False)
    top = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").max()
    return alt.Axis(format=".1%" if pd.isna(top) or top < 0.1 else ".0%", title=title, labelFlush=False)


def colours(named: Mapping[str, str]) -> alt.Scale:
    """A colour per category, in the order given (the legend's order)."""
    return alt.Scale(domain=list(named), range=list(named.values()))


def legend_below(title: str | None = None) -> alt.Legend:
    return alt.Legend(orient="bottom", direction="horizontal", title=title, labelLimit=320)


def bars_height(rows: int, per_row: int, least: int = 220, extra: int = 70) -> int:
    """Height of a horizontal bar chart: a band per row and room for its axis and legend."""
    return max(least, per_row * rows + extra)


def label(text: str, most: int = 22) -> str | list[str]:
    """A title longer than `most` characters broken at the space nearest its middle (as lines, Vega-Lite's way)."""
    if len(text) <= most or " " not in text:
        return text
    middle = len(text) // 2
    cut = min((i for i, c in enumerate(text) if c == " "), key=lambda i: abs(i - middle))
    return [text[:cut], text[cut + 1 :]]


def empty(title: str | None = None) -> alt.Chart:
    """A chart with nothing to draw (a builder given no rows), titled as the full one would be."""
    return alt.Chart(pd.DataFrame({"x": []}), title=title or "").mark_point()


def spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The chart's Vega-Lite spec with its data inline under `datasets` (what a test reads)."""
    return chart.to_dict()


def rows(chart: alt.TopLevelMixin) -> list[dict[str, Any]]:
    """Every data row a chart carries, from all its datasets in order (what a test checks the figures in)."""
    return [row for dataset in spec(chart).get("datasets", {}).values() for row in dataset]


def layer_rows(chart: alt.TopLevelMixin, n: int) -> list[dict[str, Any]]:
    """The data rows layer `n` of a layered chart draws (its own data, or the chart's when Altair moved it up)."""
    whole = spec(chart)
    source = whole["layer"][n].get("data") or whole["data"]
    return whole["datasets"][source["name"]]


_CONVERTING = threading.Lock()  # Altair's data transformer and theme are process-wide; pages run in many threads


def _arrow(data: pd.DataFrame, datasets: dict[str, bytes]) -> dict[str, str]:
    """Altair data transformer: a frame as Arrow IPC bytes under the hash of its bytes (as Streamlit stores it)."""
    table = pa.Table.from_pandas(pd.DataFrame(data), preserve_index=False)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    payload = sink.getvalue().to_pybytes()
    name = hashlib.sha256(payload).hexdigest()[:32]
    datasets[name] = payload
    return {"name": name}


alt.data_transformers.register("arrow_datasets", _arrow)


def for_streamlit(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The spec st.vega_lite_chart draws, data as Arrow datasets, built without Altair's JSON-schema validation.

    Issue 14 (first paint): validating each chart against the Vega-Lite schema was a quarter of the Overview's
    script time (about 0.1 s for its eleven charts); the builders are tested (their specs read back in tests), and
    Vega-Lite itself reports a bad spec in the page."""
    datasets: dict[str, bytes] = {}
    with _CONVERTING, alt.theme.enable("none"), alt.data_transformers.enable("arrow_datasets", datasets=datasets):
        whole = chart.to_dict(validate=False)
    whole["datasets"] = {**whole.get("datasets", {}), **datasets}
    return whole
