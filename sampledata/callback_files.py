"""callbacks_YYYY-MM.xlsx: HQ callback exports by month of called_at, with two planted bad rows."""

from __future__ import annotations

import pathlib
from typing import Any

import numpy as np
import pandas as pd

from etl.schema import CALLBACKS
from sampledata.excel import at_hour, py_datetime, write_xlsx
from sampledata.reference import DAY, SATISFACTION_ZH
from sampledata.spelling import fmt_datetime, headers, next_number

CALLBACK_BOOLEANS = (("是", "否"), ("Y", "N"), (True, False), (1, 0))
CALLBACK_BOOLEAN_NAMES = ("reached", "service_confirmed", "resolved", "on_time", "complaint")
EXCEL_EPOCH = np.datetime64("1899-12-30T00:00", "m")


def _callback_rows(callbacks: pd.DataFrame, index: int) -> list[list]:
    """Callback rows of one monthly file; spellings vary with the file's index."""
    booleans = CALLBACK_BOOLEANS[index % 4]
    labels = index % 2 == 0
    called = callbacks["called_at"].to_numpy().astype("datetime64[m]")
    called_values: list[Any]
    if index == 10:
        called_values = [float(v) for v in ((called - EXCEL_EPOCH).astype(np.int64) / DAY).round(6)]
    elif index == 5:
        called_values = list(fmt_datetime(called, "slash"))
    else:
        called_values = [py_datetime(v) for v in called]
    spelled = {None: None, -1: None, 1: booleans[0], 0: booleans[1]}
    flags = [[spelled[v] for v in callbacks[name].tolist()] for name in CALLBACK_BOOLEAN_NAMES]
    answers = [None if v == 0 else SATISFACTION_ZH[v] if labels else v for v in callbacks["satisfaction"].tolist()]
    texts = [[v or None for v in callbacks[name].tolist()] for name in ("conduct_issue", "comment")]
    return [
        list(row)
        for row in zip(
            callbacks["callback_id"].tolist(),
            callbacks["record_no"].tolist(),
            callbacks["dealer_id"].tolist(),
            called_values,
            *flags[:4],
            answers,
            flags[4],
            *texts,
        )
    ]


CALLBACK_COLUMNS = [
    "callback_id",
    "record_no",
    "dealer_id",
    "called_at",
    "reached",
    "service_confirmed",
    "resolved",
    "on_time",
    "satisfaction",
    "complaint",
    "conduct_issue",
    "comment",
]
BAD_CALLBACK_MONTH = {6: "satisfaction_word", 15: "unknown_record"}  # span month index of called_at


def write_callbacks(out_dir, span, callbacks: pd.DataFrame, tickets: pd.DataFrame) -> list[pathlib.Path]:
    """callbacks_YYYY-MM.xlsx per month of called_at, title block as in the spec example."""
    month_of = callbacks["called_at"].to_numpy().astype("datetime64[M]")
    paths = []
    for index, month in enumerate(span.months):
        mine = callbacks[month_of == month].reset_index(drop=True)
        if mine.empty:
            continue
        rows = _callback_rows(mine, index)
        problem = BAD_CALLBACK_MONTH.get(index)
        if problem:
            _break_callback(rows, mine, problem, tickets)
        first = month.astype(object)
        english = index % 3 == 0
        title = (
            f"HQ callback results, {first.strftime('%B %Y')}"
            if english
            else f"总部回访结果 {first.year}年{first.month}月"
        )
        header = headers(CALLBACKS, CALLBACK_COLUMNS, not english)
        end = (month + 1).astype("datetime64[D]")
        path = out_dir / f"callbacks_{str(month)}.xlsx"
        paths.append(write_xlsx(path, "回访", [[title], [], header, *rows], at_hour(end, 8)))
    return paths


def _break_callback(rows: list[list], callbacks: pd.DataFrame, problem: str, tickets: pd.DataFrame) -> None:
    """One bad callback row: an unknown satisfaction word, or a record that does not exist."""
    if problem == "satisfaction_word":  # on a happy customer without any hotline ticket
        plain = np.nonzero(
            (callbacks["satisfaction"].to_numpy() == 5)
            & (callbacks["complaint"].to_numpy() == 0)
            & ~np.isin(callbacks["record"].to_numpy(), tickets["record"].to_numpy())
        )[0]
        rows[int(plain[0])][CALLBACK_COLUMNS.index("satisfaction")] = "很好"
        return
    extra = list(rows[-1])
    extra[0] = next_number(str(extra[0]))
    extra[1] = str(extra[1])[:-3] + "999"  # no dealer has 999 records in a month
    rows.append(extra)
