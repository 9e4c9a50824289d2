"""repairs_YYYY-MM.csv: the consolidated monthly repair files, their changing layouts and planted bad rows."""

from __future__ import annotations

import pathlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from etl.schema import REPAIRS
from sampledata.reference import SERVICE_ZH, STATUS_ZH
from sampledata.span import Span
from sampledata.spelling import (
    Style,
    fmt_bool,
    fmt_date,
    fmt_datetime,
    fmt_money,
    fmt_month,
    frame_csv,
    full_width,
    headers,
    next_number,
)

REPAIR_STYLES: dict[str, tuple[Any, ...]] = {  # by span month index modulo the cycle lengths
    "datetime": ("iso", "slash", "seconds"),
    "date": ("iso", "slash", "cn"),
    "month": ("iso", "slash", "compact", "cn"),
    "booleans": (("Y", "N"), ("是", "否"), ("1", "0"), ("true", "false"), ("yes", "no")),
}


def _repair_style(index: int) -> Style:
    """The consolidated file of span month `index`: a different mix of spellings each month."""
    return Style(
        chinese_headers=index % 2 == 1,
        encoding="utf-8-sig" if index % 3 == 0 else "utf-8",
        datetime=REPAIR_STYLES["datetime"][index // 2 % 3],
        date=REPAIR_STYLES["date"][(index + 1) % 3],
        month=REPAIR_STYLES["month"][index % 4],
        booleans=REPAIR_STYLES["booleans"][index % 5],
        chinese_values=index % 2 == 1 or index % 6 == 0,
        money_decimals=index // 3 % 2 == 1,
    )


def repair_text(
    records: pd.DataFrame, reports: pd.DataFrame, span: Span, style: Style, columns: list[str]
) -> pd.DataFrame:
    """Records as the strings a file holds, in the given columns."""
    values = {
        "record_no": records["record_no"].to_numpy().astype(str),
        "dealer_id": records["dealer_id"].to_numpy().astype(str),
        "report_month": fmt_month(span.months[records["month"].to_numpy()], style.month),
        "submitted_on": fmt_date(
            reports["submitted_on"].reindex(records["frame_row"].to_numpy()).to_numpy(), style.date
        ),
        "purchase_date": fmt_date(records["purchase_date"].to_numpy(), style.date),
        "service_type": _choice(records["service_type"], SERVICE_ZH, style),
        "status": _choice(records["status"], STATUS_ZH, style),
        "labor_fee": fmt_money(records["labor_fee"], style.money_decimals),
        "parts_fee": fmt_money(records["parts_fee"], style.money_decimals),
    }
    for name in ("requested_at", "arrived_at", "completed_at"):
        values[name] = fmt_datetime(records[name].to_numpy(), style.datetime)
    for name in ("in_warranty", "customer_signed", "dealer_callback"):
        values[name] = fmt_bool(records[name].to_numpy(), style.booleans)
    out = {name: values[name] if name in values else records[name].to_numpy().astype(str) for name in columns}
    return pd.DataFrame(out, dtype=object)


def _choice(values: pd.Series, chinese: dict[str, str], style: Style) -> np.ndarray:
    values = values.to_numpy().astype(str)
    return np.vectorize(chinese.get)(values) if style.chinese_values else values


def _repair_columns(index: int, rng: np.random.Generator) -> list[str]:
    """Schema order; some months shuffled, some without purchase_date."""
    columns = [c.name for c in REPAIRS.columns]
    if index % 5 == 3:
        columns.remove("purchase_date")
    if index % 4 == 2:
        columns = [columns[i] for i in rng.permutation(len(columns))]
    return columns


@dataclass(frozen=True)
class BadRow:
    """One deliberately broken row in a consolidated repairs file."""

    month: int  # span month index
    dealer_id: str
    problem: str


BAD_REPAIR_ROWS = (
    BadRow(3, "JX120", "unknown_dealer"),
    BadRow(5, "JX134", "arrived_before_requested"),
    BadRow(8, "JX150", "duplicate_record_no"),
    BadRow(10, "JX165", "status_choice"),
    BadRow(11, "JX181", "negative_fee"),
    BadRow(14, "JX192", "unparseable_date"),
    BadRow(16, "JX209", "completed_before_arrived"),
)


def _bad_repair_rows(records: pd.DataFrame, bad: list[BadRow], reports, span, style, columns) -> pd.DataFrame:
    """Broken copies of a dealer's last record (new record numbers, no ticket, no callback)."""
    rows = []
    for item in bad:
        mine = records[(records["dealer_id"] == item.dealer_id)]
        if mine.empty:
            continue
        row = mine.iloc[[-1]].copy()
        if item.problem != "duplicate_record_no":
            row["record_no"] = next_number(row["record_no"].iloc[0])
        row["hq_ticket_id"] = ""
        row["customer_name"] = "赵" + row["customer_name"].iloc[0][1:]
        if item.problem == "arrived_before_requested":
            row["arrived_at"] = row["requested_at"] - np.timedelta64(180, "m")
            row["completed_at"] = row["requested_at"] + np.timedelta64(60, "m")
            row["status"] = "completed"
        if item.problem == "completed_before_arrived":
            row["arrived_at"] = row["requested_at"] + np.timedelta64(300, "m")
            row["completed_at"] = row["arrived_at"] - np.timedelta64(90, "m")
            row["status"] = "completed"
        if item.problem == "negative_fee":
            row["parts_fee"] = -120.0
        text = repair_text(row, reports, span, style, columns)
        if item.problem == "unknown_dealer":
            text["dealer_id"] = "JX999"
        if item.problem == "status_choice":
            text["status"] = "换机"
        if item.problem == "unparseable_date":
            text["requested_at"] = "上周五下午"
        rows.append(text)
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=columns)


def resubmission_changes(rng: np.random.Generator, records: pd.DataFrame, rows: np.ndarray) -> dict:
    """What the first version of the resubmitted report got wrong: 2 rows left out, 2 fees, 1 status."""
    nothing = np.array([], dtype=int)
    if len(rows) < 8:
        return {"left_out": nothing, "wrong_fee": nothing, "wrongly_open": nothing}
    left_out = rng.choice(rows, 2, replace=False)
    rest = records.loc[np.setdiff1d(rows, left_out)]
    charged = rest.index[(rest["labor_fee"] > 0).to_numpy()].to_numpy()
    completed = rest.index[(rest["status"] == "completed").to_numpy()].to_numpy()
    wrong_fee = rng.choice(charged, 2, replace=False)
    wrongly_open = rng.choice(np.setdiff1d(completed, wrong_fee), 1, replace=False)
    return {"left_out": left_out, "wrong_fee": wrong_fee, "wrongly_open": wrongly_open}


def _first_version(records: pd.DataFrame, changes: dict) -> pd.DataFrame:
    """The resubmitted dealer-month as first delivered."""
    first = records.drop(index=changes["left_out"]).copy()
    wrong = first.index.isin(changes["wrong_fee"])
    first.loc[wrong, "labor_fee"] = first.loc[wrong, "labor_fee"] * 10  # a typed extra zero
    opened = first.index.isin(changes["wrongly_open"])
    first.loc[opened, "status"] = "open"
    first.loc[opened, ["arrived_at", "completed_at"]] = pd.NaT
    return first


def write_consolidated(out_dir, span, records, reports, changes, rng) -> list[pathlib.Path]:
    """repairs_YYYY-MM.csv: every consolidated dealer-month of the month, bad rows included."""
    layout = reports["layout"].reindex(records["frame_row"].to_numpy()).to_numpy()
    paths = []
    for index, month in enumerate(span.months):
        style = _repair_style(index)
        columns = _repair_columns(index, rng)
        in_month = records["month"].to_numpy() == index
        mine = records[in_month & np.isin(layout, ("consolidated", "resubmitted"))]
        resubmitted = layout[in_month & np.isin(layout, ("consolidated", "resubmitted"))] == "resubmitted"
        if resubmitted.any():
            mine = pd.concat([mine[~resubmitted], _first_version(mine[resubmitted], changes)])
            mine = mine.sort_values(["dealer", "seq"], kind="stable")
        text = repair_text(mine, reports, span, style, columns)
        if index == 7:
            text["labor_fee"] = full_width(text["labor_fee"].to_numpy(), rng.random(len(text)) < 0.02)
        if index == 9:
            padded = rng.random(len(text)) < 0.03
            text.loc[padded, "dealer_id"] = " " + text.loc[padded, "dealer_id"] + "\u3000"
        bad = [b for b in BAD_REPAIR_ROWS if b.month == index]
        bad_text = _bad_repair_rows(mine, bad, reports, span, style, columns)
        text = pd.concat([text, bad_text], ignore_index=True)
        header = headers(REPAIRS, columns, style.chinese_headers)
        path = out_dir / f"repairs_{str(month)}.csv"
        path.write_bytes(frame_csv(text, header, style))
        paths.append(path)
    return paths
