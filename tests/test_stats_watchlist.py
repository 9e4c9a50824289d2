"""Issue 6.3 and 6.4 on a hand-made data set: the control-chart named query and the watchlist report."""

import csv
import datetime as dt
import math

import pytest

from etl import cli
from etl.db import reader
from etl.metrics import quality
from etl.wording import watchlist_in_words
from metric_data import callback, load_all, repair

# Issue 14's minimum sample off: these hand-made dealers have 10-20 records each (conftest's any_sample).
pytestmark = pytest.mark.usefixtures("any_sample")


MONTH = dt.date(2025, 6, 1)
ROSTER = [["D1", "One"], ["D2", "Two"], ["D3", "Three", "county"], ["D4", "Four"], ["D5", "Five"]]


def _month(index: int) -> str:
    return f"{2024 + index // 12}-{index % 12 + 1:02d}"


def _load(wh):
    """D1: 20 records a month from June 2024, 1 open in each of the 12 baseline months, 10 open in June 2025.
    June 2025 also: D3 20 records, 8 with a complaint callback; D4 20 records, report late; D5 20 records,
    10 callbacks of which 1 finds the service never happened; D2 nothing at all (no report)."""
    repairs, callbacks = [], []
    for index in range(5, 18):  # 2024-06 .. 2025-06
        month, next_month = _month(index), _month(index + 1)
        for i in range(20):
            status = "open" if i < (10 if index == 17 else 1) else "completed"
            repairs.append(repair(f"D1-{month}-{i}", "D1", month, f"{next_month}-10", status=status))
    for dealer, submitted in (("D3", "2025-07-10"), ("D4", "2025-07-20"), ("D5", "2025-07-10")):
        repairs += [repair(f"{dealer}-{i}", dealer, "2025-06", submitted) for i in range(20)]
    callbacks += [callback(f"C3-{i}", f"D3-{i}", "D3", "2025-06-25 10:00", complaint="Y") for i in range(8)]
    callbacks += [
        callback(f"C5-{i}", f"D5-{i}", "D5", "2025-06-25 10:00", confirmed="N" if i == 0 else "Y") for i in range(10)
    ]
    load_all(wh, roster=ROSTER, repairs=repairs, callbacks=callbacks)


def test_control_chart_named_query_per_dealer_and_per_region(wh):
    _load(wh)
    with reader(wh.path, wh.rules) as con:
        dealer = quality.control_charts(con, "miss_rate", (MONTH, MONTH), keys=["D1"])
        region = quality.control_charts(con, "miss_rate", (MONTH, MONTH), by="region")
        both = quality.control_charts(con, ["miss_rate", "complaint_rate"], (MONTH, MONTH), keys=["D1"])
    assert dealer["phase"].tolist() == ["baseline"] * 12 + ["period"]
    assert dealer["month"].iloc[0] == dt.date(2024, 6, 1)
    june = dealer.iloc[-1]
    # Centre 12 / 240 from the 12 months before June; June: 10 of 20, UCL 0.05 + 3 sqrt(0.05 x 0.95 / 20).
    assert (june["numerator"], june["denominator"], june["rate"]) == (10, 20, 0.5)
    assert june["centre"] == pytest.approx(0.05)
    assert june["ucl"] == pytest.approx(0.05 + 3 * math.sqrt(0.05 * 0.95 / 20))
    assert (june["chart"], june["beyond"], june["signal"], june["worse"]) == ("p", "above", True, True)
    assert not dealer["signal"].iloc[:-1].any()  # every baseline month sits on its centre
    # The region (all five dealers, 华东) sums its dealers: June 10 misses of 80 requests.
    region_june = region.iloc[-1]
    assert (region_june["region"], region_june["numerator"], region_june["denominator"]) == ("华东", 10, 80)
    assert region_june["ucl"] == pytest.approx(0.05 + 3 * math.sqrt(0.05 * 0.95 / 80))
    assert region_june["beyond"] == "above"
    assert set(both["metric"]) == {"miss_rate", "complaint_rate"}
    with reader(wh.path, wh.rules) as con, pytest.raises(ValueError, match="unknown metric"):
        quality.control_charts(con, "misses", (MONTH, MONTH))


def test_watchlist_report_lines_columns_and_links(wh, tmp_path):
    _load(wh)
    out = tmp_path / "watchlist.csv"
    assert (
        cli.main(
            [
                "report",
                "watchlist",
                "--month",
                "2025-06",
                "--as-of",
                "2025-07-20",
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
    assert list(rows[0]) == ["dealer_id", "dealer_name", "month", "reason", "metric", "value", "detail", "link"]
    assert [(r["dealer_id"], r["reason"], r["metric"]) for r in rows] == [
        ("D1", "funnel", "miss_rate"),  # 10 / 20 against a national 10 / 80
        ("D1", "control_chart", "miss_rate"),  # beyond its p chart's upper limit
        ("D1", "control_breach", "miss_rate"),  # Wilson low of 10 / 20 is 29.9 % > 10 %
        ("D2", "report_missing", "report_on_time"),  # no June report by 15 July
        ("D3", "funnel", "complaint_rate"),  # 8 / 20 against a national 8 / 80
        ("D3", "control_breach", "complaint_rate"),  # Wilson low of 8 / 20 is 21.9 % > 10 %
        ("D4", "report_missing", "report_on_time"),  # submitted 20 July
        ("D5", "fake_record", "fake_records"),
    ]
    assert {r["month"] for r in rows} == {"2025-06"}
    assert rows[0]["dealer_name"] == "One" and rows[0]["link"] == "/dealers?dealer=D1&from=2025-06&to=2025-06"
    assert float(rows[0]["value"]) == 0.5 and rows[3]["value"] == "" and rows[-1]["value"] == "1"
    assert rows[3]["detail"] == "the 2025-06 report was not submitted by 2025-07-15"
    assert rows[6]["detail"] == "the 2025-06 report came late, on 2025-07-20 (due 2025-07-15)"
    assert rows[-1]["detail"] == "1 HQ callback found the service never happened: records D5-0"
    assert rows[2]["detail"].startswith("miss rate 50.0 % (10 / 20) breaches the 10 % control: its 95 % interval")
    assert "above its upper control limit 19.6 % (p chart, centre 5.0 %)" in rows[1]["detail"]
    assert "above the funnel's 99.8 % limit" in rows[4]["detail"] and "(national 10.0 %)" in rows[4]["detail"]


def test_watchlist_waits_for_the_deadline_and_speaks_chinese(wh):
    _load(wh)
    with reader(wh.path, wh.rules) as con:
        before = quality.watchlist(con, MONTH, dt.date(2025, 7, 14))
        zh = watchlist_in_words(quality.watchlist(con, MONTH, dt.date(2025, 7, 20)), "zh")
    assert "report_missing" not in set(before["reason"])  # June's reports are not due before 15 July
    assert zh.loc[zh["reason"] == "report_missing", "detail"].tolist() == [
        "2025-06 月报表截止 2025-07-15 未提交",
        "2025-06 月报表于 2025-07-20 迟交（截止 2025-07-15）",
    ]
    assert zh["link"].tolist()[0] == quality.dealer_link("D1", MONTH)
