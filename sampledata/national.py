"""The national-scale data set: thousands of dealers, tens of millions of repair records.

`generate_national(out_dir, seed, end_month, dealers, months)` writes clean files in the formats
of spec section 2 (UTF-8 CSV, the spec's Chinese headers and choice values, one file per kind
and month) for a benchmark: `python -m etl sample --dealers 3000 --months 36` gives about 20 M
repair records, 3 M HQ callbacks and 1 M hotline tickets. Memory stays bounded: the dealer-level
plan (a few numbers per dealer and month) is drawn with numpy, every record is made by DuckDB SQL
from `range()`, one month at a time, with hash-based pseudo-random numbers keyed by the record
and the seed, and written with `COPY ... TO`; callbacks and hotline tickets wait in a small DuckDB
table until their month is complete. The same arguments give byte-identical files. The dealer-level
plan is `sampledata.national_plan`, the SQL `sampledata.national_sql`; this module writes the files.

Volumes, for D dealers and M months (mean, within a few per cent):
- repairs: about 196 records per dealer-month under contract (by season and the dealer's size);
  4 % of the contracts begin and 4 % end inside the span and about 1 % of the dealer-months
  send no report (their records appear in no file), so about 185 x D x M records are written
  (3000 x 36: 20 M in 36 files of about 550,000 rows);
- callbacks: 10-20 % of every delivered dealer-month's records (about 15 %), called 1-8 days
  after the report came in and before the end of the span: none in the first month's file, none
  on the last month's records;
- hotline: about 5.5 % of the records: answered repair requests (3 % of installs and repairs,
  their ticket id in the record's hq_ticket_id), unanswered requests, inquiries (1.8 % of
  services), complaints about records, complaints that repeat a callback complaint, and
  complaints without a record number;
- sales: one row per dealer-month under contract; notices: a few a year, mostly at poor dealers.

What the metrics see: dealers are excellent (20 %), ordinary (70 %) or poor (10 %), with the
demo's profiles (`sampledata.roles`); poor dealers have three crisis months each, a third of
them fake records; complaints from callbacks and verified hotline tickets (some about the same
record, so they merge), dissatisfied answers, open records and records found unresolved by a
later callback (misses), late arrivals (24 h in town, 48 h in a county), late (after the 15th)
and missing reports, repeat repairs of a serial within 30 days (a few at the town dealer of the
same city), answered hotline requests received up to three days before the visit was logged
(so some fall in the previous month) and unanswered ones, dealers joining and leaving in the span.

Files (4 x M + 1: 145 for 36 months): dealers.csv; per month YYYY-MM: sales_YYYY-MM.csv,
repairs_YYYY-MM.csv (report_month and submitted_on columns), callbacks_YYYY-MM.csv (by month
of called_at; none for the first month), hotline_YYYY-MM.csv (by month of received_at);
notices.csv. Dealer ids are JX10001, JX10002, ...; dealer 2k (town, 市区) and 2k + 1 (county,
郊县) share a city. No row is meant to be rejected.
"""

from __future__ import annotations

import pathlib

import duckdb
import numpy as np
import pandas as pd

from etl.schema import CALLBACKS, DEALERS, HOTLINE, NOTICES, REPAIRS, SALES, Kind
from i18n import SaidError, later
from sampledata.national_plan import month_plan, national_dealers, national_notices
from sampledata.national_sql import (
    callbacks_sql,
    create_macros,
    keys_sql,
    pending_callbacks_sql,
    records_sql,
    repairs_file_sql,
    run,
    tickets_sql,
)
from sampledata.reference import AREA_ZH
from sampledata.span import Span, default_end_month

NATIONAL_DEALERS = 3000
NATIONAL_MONTHS = 36
MAX_DEALER_MONTHS = 999_999  # record keys (and serial numbers) stay below 10^11


class SampleError(SaidError, ValueError):
    """A national data set that cannot be made (the message, a catalog message: said, says why)."""


def generate_national(
    out_dir: pathlib.Path, seed: int, end_month: str | None, dealers: int, months: int
) -> list[pathlib.Path]:
    """Write the national-scale data set into out_dir (flat) and return the written paths."""
    if dealers < 2 or months < 1 or dealers * months > MAX_DEALER_MONTHS:
        raise SampleError(later.t("sample.national_bounds", most=f"{MAX_DEALER_MONTHS:,}"))
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    last = np.datetime64(end_month or default_end_month(), "M")
    span = Span(months=np.arange(last - (months - 1), last + 1))
    rng = np.random.default_rng(seed)
    roster = national_dealers(rng, span, dealers)
    plan = month_plan(rng, roster, span)
    notices = national_notices(rng, roster, span)
    con = duckdb.connect()
    try:
        run(con, "SET preserve_insertion_order = true")  # rows are written in the order they are made
        run(con, "SET enable_progress_bar = false")
        run(con, "SET memory_limit = '2GB'")
        create_macros(con, seed, serial=(int(rng.integers(10**5, 10**6)) * 10 + 3, int(rng.integers(0, 10**11))))
        return _write_all(con, out_dir, span, roster, plan, notices)
    finally:
        con.close()


def _copy(
    con: duckdb.DuckDBPyConnection,
    query: str,
    kind: Kind,
    columns: list[str],
    path: pathlib.Path,
    order: str | None = None,
) -> None:
    """Write a query's rows as UTF-8 CSV under the kind's Chinese headers (columns in this order)."""
    select = ", ".join(f'{name} AS "{kind.column(name).chinese}"' for name in columns)
    target = str(path).replace("'", "''")
    order_by = f" ORDER BY {order}" if order else ""
    run(con, f"COPY (SELECT {select} FROM ({query}){order_by}) TO '{target}' (FORMAT csv, HEADER true)")


REPAIR_COLUMNS = [c.name for c in REPAIRS.columns]
CALLBACK_COLUMNS = [c.name for c in CALLBACKS.columns]
HOTLINE_COLUMNS = [c.name for c in HOTLINE.columns]
PLAN_COLUMNS = [
    "dealer",
    "records",
    "first_day",
    "end_day",
    "month_start",
    "crisis",
    "delivered",
    "submitted_on",
    "callback_share",
    "unanswered",
    "loose_complaints",
    "inquiries",
    "pair_records",
    "pair_first_day",
    "pair_end_day",
    "pair_place",
    "pair_repeat_rate",
]
ROSTER_COLUMNS = [
    "dealer_id",
    "urban",
    "city",
    "place",
    "technicians",
    "open_rate",
    "arrival_hours",
    "arrival_spread",
    "signed",
    "satisfied",
    "top_share",
    "dissatisfied_share",
    "unresolved",
    "fake",
    "conduct",
    "callback_complaint",
    "verified",
    "complaints_per_service",
]


def _write_all(
    con, out_dir: pathlib.Path, span: Span, roster: pd.DataFrame, plan: pd.DataFrame, notices: pd.DataFrame
) -> list[pathlib.Path]:
    """Month by month: sales, repairs; callbacks and tickets wait until their month is complete."""
    n_dealers = len(roster)
    paths = [_write_roster(con, out_dir, roster)]
    run(
        con,
        """CREATE TABLE pending_callbacks (month DATE, sort_at TIMESTAMP, callback_id VARCHAR,
        record_no VARCHAR, dealer_id VARCHAR, called_at VARCHAR, reached VARCHAR, service_confirmed VARCHAR,
        resolved VARCHAR, on_time VARCHAR, satisfaction VARCHAR, complaint VARCHAR, conduct_issue VARCHAR,
        comment VARCHAR)""",
    )
    run(
        con,
        """CREATE TABLE pending_tickets (month DATE, sort_at TIMESTAMP, ticket_id VARCHAR,
        received_at VARCHAR, dealer_id VARCHAR, ticket_type VARCHAR, customer_phone VARCHAR, record_no VARCHAR,
        verified VARCHAR)""",
    )
    dealer_part = roster[ROSTER_COLUMNS].assign(repeat_rate=roster["repeat"], callback_rate=roster["dealer_callback"])
    for month in range(len(span.months)):
        rows = plan[plan["month"] == month]
        paths.append(_write_sales(con, out_dir, str(span.months[month]), roster, rows))
        frame = pd.concat(
            [
                rows[PLAN_COLUMNS].reset_index(drop=True),
                dealer_part.iloc[rows["dealer"].to_numpy()].reset_index(drop=True),
            ],
            axis=1,
        )
        con.register("dm_frame", frame)
        run(con, "CREATE OR REPLACE TEMP TABLE dm AS SELECT * FROM dm_frame")
        con.unregister("dm_frame")
        run(con, keys_sql(month, n_dealers))
        run(con, records_sql(span, month))
        if rows["delivered"].any():
            path = out_dir / f"repairs_{span.months[month]}.csv"
            _copy(con, repairs_file_sql(span, month), REPAIRS, REPAIR_COLUMNS, path)
            paths.append(path)
        run(con, callbacks_sql(span, month))
        run(con, pending_callbacks_sql())
        run(con, tickets_sql(span, month, n_dealers))
        paths += _flush(con, out_dir, "callbacks", CALLBACKS, CALLBACK_COLUMNS, span.months[month])
        if month > 0:  # a ticket answered by a record of this month may have come in last month
            paths += _flush(con, out_dir, "hotline", HOTLINE, HOTLINE_COLUMNS, span.months[month - 1])
    paths += _flush(con, out_dir, "hotline", HOTLINE, HOTLINE_COLUMNS, span.months[-1])
    paths.append(_write_notices(con, out_dir, notices))
    return paths


def _flush(con, out_dir: pathlib.Path, prefix: str, kind: Kind, columns: list[str], month) -> list[pathlib.Path]:
    """Write the pending rows of a month that is complete, and drop them."""
    table = f"pending_{'callbacks' if prefix == 'callbacks' else 'tickets'}"
    first = np.datetime64(month, "D")
    if not run(con, f"SELECT count(*) FROM {table} WHERE month = DATE '{first}'")[0][0]:
        return []
    path = out_dir / f"{prefix}_{month}.csv"
    _copy(
        con, f"SELECT * FROM {table} WHERE month = DATE '{first}'", kind, columns, path, order=f"sort_at, {columns[0]}"
    )
    run(con, f"DELETE FROM {table} WHERE month <= DATE '{first}'")
    return [path]


def _write_roster(con, out_dir: pathlib.Path, roster: pd.DataFrame) -> pathlib.Path:
    left = roster["left_on"].to_numpy().astype("datetime64[D]")
    text = pd.DataFrame(
        {
            "dealer_id": roster["dealer_id"],
            "dealer_name": roster["dealer_name"],
            "region": roster["region"],
            "province": roster["province"],
            "city": roster["city"],
            "area_type": roster["area_type"].map(AREA_ZH),
            "technicians": roster["technicians"].astype(str),
            "has_service_center": np.where(roster["has_service_center"], "有", "无"),
            "joined_on": roster["joined_on"].to_numpy().astype("datetime64[D]").astype(str),
            "left_on": [None if np.isnat(day) else str(day) for day in left],
        }
    )
    path = out_dir / "dealers.csv"
    _copy_frame(con, text, DEALERS, path)
    return path


def _write_sales(con, out_dir: pathlib.Path, month_text: str, roster: pd.DataFrame, rows: pd.DataFrame) -> pathlib.Path:
    active = rows[rows["active"]]
    text = pd.DataFrame(
        {
            "dealer_id": roster["dealer_id"].to_numpy()[active["dealer"].to_numpy()],
            "month": month_text,
            "units_sold": active["units_sold"].astype(str).to_numpy(),
            "sales_amount": np.char.mod("%.2f", active["sales_amount"].to_numpy()),
        }
    )
    path = out_dir / f"sales_{month_text}.csv"
    _copy_frame(con, text, SALES, path)
    return path


def _write_notices(con, out_dir: pathlib.Path, notices: pd.DataFrame) -> pathlib.Path:
    path = out_dir / "notices.csv"
    _copy_frame(con, notices.astype(object), NOTICES, path)
    return path


def _copy_frame(con, frame: pd.DataFrame, kind: Kind, path: pathlib.Path) -> None:
    """A small frame of strings as a CSV file under the kind's Chinese headers."""
    con.register("small_frame", frame)
    _copy(con, "SELECT * FROM small_frame", kind, list(frame.columns), path)
    con.unregister("small_frame")
