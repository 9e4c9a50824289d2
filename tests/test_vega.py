"""app/vega.py: what the page sends Streamlit is the chart's own spec with its rows as Arrow, nothing lost."""

import datetime as dt

import pandas as pd
import pyarrow as pa

from app import charts, vega


def test_the_spec_for_streamlit_carries_every_row_as_arrow():
    monthly = pd.DataFrame({"month": [dt.date(2025, 3, 1), dt.date(2025, 4, 1)], "miss_rate": [0.05, 0.125]})
    limits = pd.DataFrame([{"rate": "miss_rate", "limit": 0.1, "upper": None}])
    panel = charts.rate_trends(monthly, ("miss_rate",), "en", limits)[0]
    sent = vega.for_streamlit(panel)
    frames = {name: pa.ipc.open_stream(payload).read_pandas() for name, payload in sent["datasets"].items()}
    line, rule = sent["layer"]
    drawn = frames[(line.get("data") or sent["data"])["name"]]
    assert drawn["value"].tolist() == [0.05, 0.125]
    assert drawn["text"].tolist() == ["5.0 %", "12.5 %"]
    assert drawn["month"].dt.strftime("%Y-%m").tolist() == ["2025-03", "2025-04"]
    assert frames[rule["data"]["name"]]["value"].tolist() == [0.1]
    # the same chart as a test reads it (Altair's JSON): same encodings, Altair's default theme left alone
    assert sent["layer"][0]["encoding"] == vega.spec(panel)["layer"][0]["encoding"]
    assert "config" not in sent


def test_a_kept_chart_is_the_chart_of_the_same_figures_and_follows_new_ones():
    from app import ui

    monthly = pd.DataFrame({"month": [dt.date(2025, 3, 1)], "miss_rate": [0.05]})
    kept = ui.drawn(charts.rate_trends, monthly, ("miss_rate",), "en", None)
    assert kept == [vega.for_streamlit(p) for p in charts.rate_trends(monthly, ("miss_rate",), "en", None)]
    assert ui.drawn(charts.rate_trends, monthly, ("miss_rate",), "en", None) == kept  # kept: the same spec again
    changed = ui.drawn(charts.rate_trends, monthly.assign(miss_rate=[0.25]), ("miss_rate",), "en", None)
    rows = {n: pa.ipc.open_stream(b).read_pandas() for n, b in changed[0]["datasets"].items()}
    assert [0.25] in [frame["value"].tolist() for frame in rows.values()]  # new figures, a new chart
