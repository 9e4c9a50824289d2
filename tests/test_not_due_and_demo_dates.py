"""Issue 14: a month whose report is not due yet is 'not_due', never on time, even when a report came in early;
a submission dated after the as-of day had not come in by then; the demo data set holds no date after the
day it was generated."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from etl.db import reader
from etl.metrics import timeliness
from etl.metrics.scope import Scope
from metric_data import load_all, repair


def test_an_early_report_of_a_month_not_yet_due_is_not_due_and_a_later_submission_not_yet_in(wh):
    load_all(
        wh,
        roster=[["D1", "One"]],
        repairs=[
            repair("R1", month="2025-04", submitted="2025-05-20"),  # deadline 2025-05-15: 5 days late
            repair("R2", month="2025-05", submitted="2025-06-03"),
        ],
    )  # deadline 2025-06-15: in early
    with reader(wh.path, wh.rules) as con:
        months = timeliness.report_timeliness(
            con, "D1", Scope(dt.date(2025, 4, 1), dt.date(2025, 5, 1)), today=dt.date(2025, 6, 10)
        )
        early = timeliness.report_status(con, dt.date(2025, 5, 18))  # April due, its report not in yet
        later = timeliness.report_status(con, dt.date(2025, 6, 20))  # both due
    assert months["status"].tolist() == ["late", "not_due"]
    april, may = pd.Timestamp(2025, 4, 1), pd.Timestamp(2025, 5, 1)
    assert early["month"].tolist() == [april]  # May not due on 18 May
    row = early.iloc[0]
    assert (row["status"], row["days_overdue"]) == ("missing", 3)  # 18 May - 15 May
    assert pd.isna(row["days_late"]) and pd.isna(row["report_submitted_on"])  # not in yet on 18 May
    by_month = later.set_index("month")
    assert (by_month.loc[april, "status"], by_month.loc[april, "days_late"]) == ("late", 5)
    assert by_month.loc[may, "status"] == "on_time"
    assert timeliness.status_counts(later) == {"missing": 0, "late": 1, "on_time": 1}


def test_the_demo_holds_no_date_after_the_day_it_was_generated(demo_warehouse):
    today = dt.date.today()
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        columns = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns JOIN information_schema.tables "
            "USING (table_catalog, table_schema, table_name) WHERE table_type = 'BASE TABLE' AND table_schema = 'main' "
            "AND data_type IN ('DATE', 'TIMESTAMP') AND column_name NOT IN ('report_due_on', 'due_at') "
            "AND table_name NOT IN ('load_log')"
        ).fetchall()
        latest = {
            f"{table}.{column}": con.execute(f'SELECT max("{column}") FROM "{table}"').fetchone()[0]
            for table, column in columns
        }
    finally:
        con.close()
    assert {
        "repairs.completed_at",
        "repairs.arrived_at",
        "report_submissions.first_submitted_on",
        "callbacks.called_at",
    } <= set(latest)
    after = {
        name: value
        for name, value in latest.items()
        if value is not None and (value.date() if isinstance(value, dt.datetime) else value) > today
    }
    assert not after
