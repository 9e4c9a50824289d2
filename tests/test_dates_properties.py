"""Property-based tests of date reading (issue 10): any date written in any accepted spelling
reads back to itself, and no value outside the window ever loads."""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.validate import normalise_cells, parse_macros

pytestmark = pytest.mark.usefixtures("prebuilt_warehouse")

FULL_WIDTH = str.maketrans("0123456789/-:", "０１２３４５６７８９／－：")


def _serial(day: dt.date) -> str:
    return str((day - dt.date(1899, 12, 30)).days)


# spelling name -> (order the file must be read in, None when the spelling has one reading; writer)
SPELLINGS = {
    "iso": (None, lambda d: d.isoformat()),
    "slashes": (None, lambda d: f"{d.year}/{d.month}/{d.day}"),
    "dots": (None, lambda d: f"{d.year}.{d.month}.{d.day}"),
    "compact": (None, lambda d: d.strftime("%Y%m%d")),
    "chinese": (None, lambda d: f"{d.year}年{d.month}月{d.day}日"),
    "chinese_two_digit_year": (None, lambda d: f"{d.year % 100:02d}年{d.month}月{d.day}日"),
    "excel_serial": (None, _serial),
    "full_width": (None, lambda d: f"{d.year}/{d.month}/{d.day}".translate(FULL_WIDTH)),
    "month_day_year": ("mdy", lambda d: f"{d.month:02d}/{d.day:02d}/{d.year}"),
    "month_day_short_year": ("mdy", lambda d: f"{d.month}/{d.day}/{d.year % 100:02d}"),
    "day_month_year": ("dmy", lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}"),
    "day_month_year_dots": ("dmy", lambda d: f"{d.day}.{d.month}.{d.year}"),
    "short_year_month_day": ("ymd", lambda d: f"{d.year % 100:02d}/{d.month}/{d.day}"),
}
TIMES = st.one_of(st.none(), st.times().map(lambda t: t.replace(microsecond=0)))


@pytest.fixture(scope="module")
def macros():
    cons = {}
    for order in (None, "ymd", "mdy", "dmy"):
        con = duckdb.connect()
        for statement in parse_macros(order):
            con.execute(statement)
        cons[order] = con
    yield cons
    for con in cons.values():
        con.close()


@settings(max_examples=400, deadline=None)
@given(
    day=st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)), spelling=st.sampled_from(sorted(SPELLINGS)), time=TIMES
)
def test_any_date_in_any_accepted_spelling_reads_back_to_itself(macros, day, spelling, time):
    order, write = SPELLINGS[spelling]
    text = write(day)
    expected = dt.datetime.combine(day, time or dt.time())
    if time is not None and spelling not in ("excel_serial", "compact"):
        text += " " + time.strftime("%H:%M:%S" if time.second else "%H:%M")
    elif spelling == "excel_serial" and time is not None:
        seconds = time.hour * 3600 + time.minute * 60 + time.second
        text += f"{seconds / 86400:.10f}"[1:]
    else:
        expected = dt.datetime.combine(day, dt.time())
    text = normalise_cells(pa.table({"c0": [text]})).column("c0")[0].as_py()  # as every cell is before SQL
    con = macros[order]
    assert con.execute("SELECT qc_timestamp(?), qc_date(?)", [text, text]).fetchone() == (expected, day)


@settings(max_examples=200, deadline=None)
@given(day=st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)))
def test_a_day_first_date_never_reads_without_the_files_order(macros, day):
    """Without an order chosen for the file, 03/01/2025 reads as nothing rather than as a guess."""
    for spelling in ("month_day_year", "day_month_year", "short_year_month_day", "month_day_short_year"):
        text = SPELLINGS[spelling][1](day)
        assert macros[None].execute("SELECT qc_timestamp(?)", [text]).fetchone() == (None,)


NOTICE_HEADER = ["notice_id", "dealer_id", "notice_date", "source"]
LOAD_DATE = dt.date(2026, 11, 23)  # the wh fixture's load date
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2027, 11, 23)
ANCHORS = {"mdy": "12/31/2019", "dmy": "31/12/2019", None: "2019-12-31"}  # fixes the file's order


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    days=st.lists(st.dates(dt.date(1960, 1, 1), dt.date(2060, 12, 31)), min_size=1, max_size=12),
    spelling=st.sampled_from(["iso", "slashes", "chinese", "excel_serial", "month_day_year", "day_month_year"]),
)
def test_no_value_outside_the_window_ever_loads(wh, days, spelling):
    order, write = SPELLINGS[spelling]
    if not wh.path.exists() or not wh.query("SELECT count(*) FROM dealers")[0][0]:
        wh.dealers(["JX101", "a"])
    rows = [["N0", "JX101", ANCHORS[order], "anchor"]] + [
        [f"N{i}", "JX101", write(day), ""] for i, day in enumerate(days, start=1)
    ]
    (result,) = wh.load(wh.file(f"notices_{len(days)}_{spelling}.csv", [NOTICE_HEADER, *rows]))
    if result.status == "already_loaded":  # hypothesis drew a file it had loaded before
        return
    inside = {f"N{i}": day for i, day in enumerate(days, start=1) if EARLIEST <= day <= LATEST}
    got = dict(
        wh.query(
            "SELECT notice_id, notice_date FROM notices WHERE notice_id <> 'N0' AND load_id = "
            "(SELECT max(load_id) FROM load_log)"
        )
    )
    assert got == inside
    assert result.rows_rejected == len(days) - len(inside)
    outside = wh.query("SELECT reason FROM rejects WHERE load_id = (SELECT max(load_id) FROM load_log) ORDER BY row_no")
    assert all(
        " is outside the accepted dates 2000-01-01 to 2027-11-23" in r or "is not a date when read" in r
        for (r,) in outside
    )
