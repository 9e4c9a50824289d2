"""Dealer-months delivered alone: GBK CSV and Excel reports, the resubmission, the file rejected whole."""

from __future__ import annotations

import pathlib
from typing import Any

import numpy as np
import pandas as pd

from etl.schema import REPAIRS
from sampledata.excel import at_hour, py_date, py_datetime, write_xlsx
from sampledata.reference import SERVICE_ZH, STATUS_ZH
from sampledata.repair_files import repair_text
from sampledata.spelling import Style, fmt_money, frame_csv, headers

SINGLE_COLUMNS = [
    "record_no",
    "dealer_id",
    "submitted_on",
    "customer_name",
    "customer_phone",
    "address",
    "product_model",
    "serial_no",
    "purchase_date",
    "service_type",
    "fault_category",
    "requested_at",
    "arrived_at",
    "completed_at",
    "status",
    "in_warranty",
    "labor_fee",
    "parts_fee",
    "technician",
    "customer_signed",
    "dealer_callback",
    "hq_ticket_id",
]
DEALER_STYLE = Style(
    chinese_headers=True,
    encoding="gb18030",
    datetime="slash",
    date="slash",
    booleans=("是", "否"),
    chinese_values=True,
    line_end="\r\n",
)


def _single_report_csv(records, reports, span, dealer_name: str, columns: list[str]) -> bytes:
    """A dealer's own GBK report: title line, Chinese header, rows, 合计 row (like the spec example)."""
    text = repair_text(records, reports, span, DEALER_STYLE, columns)
    totals = {name: "" for name in columns}
    totals[columns[0]] = "合计"
    for fee in ("labor_fee", "parts_fee"):
        if fee in totals:
            totals[fee] = fmt_money([records[fee].sum()], False)[0]
    text = pd.concat([text, pd.DataFrame([totals], dtype=object)], ignore_index=True)
    month = span.months[records["month"].iloc[0]].astype(object)
    title = f"{dealer_name} {month.year}年{month.month}月 维修质量信息反馈单"
    header = headers(REPAIRS, columns, True)
    return frame_csv(text, header, DEALER_STYLE, title=(title,))


def write_single_reports(out_dir, span, dealers, records, reports) -> list[pathlib.Path]:
    """The dealer-months delivered alone: GBK CSVs, one Excel report, the resubmission, the bad file."""
    layout = reports["layout"].reindex(records["frame_row"].to_numpy()).to_numpy()
    paths = []
    for layout_name in ("single_csv", "bad_file"):
        for frame_row in reports.index[reports["layout"] == layout_name]:
            mine = records[records["frame_row"] == frame_row]
            dealer = dealers.iloc[mine["dealer"].iloc[0]]
            columns = [c for c in SINGLE_COLUMNS if not (layout_name == "bad_file" and c == "service_type")]
            month = str(span.months[mine["month"].iloc[0]]).replace("-", "")
            path = out_dir / f"维修_{dealer['dealer_id']}_{month}.csv"
            path.write_bytes(_single_report_csv(mine, reports, span, dealer["dealer_name"], columns))
            paths.append(path)
    for frame_row in reports.index[reports["layout"] == "single_xlsx"]:
        mine = records[records["frame_row"] == frame_row]
        paths.append(_single_report_xlsx(out_dir, span, dealers.iloc[mine["dealer"].iloc[0]], mine, reports))
    resubmitted = records[layout == "resubmitted"]
    if len(resubmitted):
        paths.append(_resubmission(out_dir, span, resubmitted, reports))
    return paths


def _resubmission(out_dir, span, records, reports) -> pathlib.Path:
    """The corrected second version of one dealer-month, submitted about three weeks later."""
    frame_row = records["frame_row"].iloc[0]
    later = reports.copy()
    later.loc[frame_row, "submitted_on"] = reports.loc[frame_row, "submitted_on"] + np.timedelta64(18, "D")
    columns = [c.name for c in REPAIRS.columns]
    text = repair_text(records, later, span, Style(), columns)
    month = str(span.months[records["month"].iloc[0]])
    path = out_dir / f"repairs_{records['dealer_id'].iloc[0]}_{month}_v2.csv"
    path.write_bytes(frame_csv(text, columns, Style()))
    return path


def _single_report_xlsx(out_dir, span, dealer, records, reports) -> pathlib.Path:
    """A dealer's Excel report: title block, real dates, phones as numbers, a 合计 row."""
    month = span.months[records["month"].iloc[0]].astype(object)
    submitted = reports.loc[records["frame_row"].iloc[0], "submitted_on"]
    columns = ["report_month"] + SINGLE_COLUMNS
    rows: list[list[Any]] = [
        [f"{dealer['dealer_name']} 维修质量信息反馈单"],
        [f"报表月份：{month.year}年{month.month}月"],
        [f"经销商编号：{dealer['dealer_id']}    提交日期：{pd.Timestamp(submitted).date().isoformat()}"],
        [],
        headers(REPAIRS, columns, True),
    ]
    bools = ("是", "否")
    for record in records.itertuples(index=False):
        values: dict[str, Any] = {
            "report_month": f"{month.year}年{month.month}月",
            "submitted_on": py_date(submitted),
            "customer_phone": int(record.customer_phone),
            "purchase_date": py_date(record.purchase_date),
            "service_type": SERVICE_ZH[record.service_type],
            "status": STATUS_ZH[record.status],
            "requested_at": py_datetime(record.requested_at),
            "arrived_at": py_datetime(record.arrived_at),
            "completed_at": py_datetime(record.completed_at),
            "labor_fee": float(record.labor_fee),
            "parts_fee": float(record.parts_fee),
        }
        for name in ("in_warranty", "customer_signed", "dealer_callback"):
            flag = getattr(record, name)
            values[name] = None if flag < 0 else bools[0] if flag else bools[1]
        rows.append([values[c] if c in values else (getattr(record, c) or None) for c in columns])
    totals: list[Any] = ["合计"] + [None] * (len(columns) - 1)
    totals[columns.index("labor_fee")] = float(records["labor_fee"].sum())
    totals[columns.index("parts_fee")] = float(records["parts_fee"].sum())
    rows.append(totals)
    path = out_dir / f"维修_{dealer['dealer_id']}_{month.year}{month.month:02d}.xlsx"
    return write_xlsx(path, "维修记录", rows, at_hour(submitted))
