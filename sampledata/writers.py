"""The roster (dealers.xlsx), sales_YYYY files, hotline_YYYY.csv and notices.csv."""

from __future__ import annotations

import pathlib
from typing import Any

import numpy as np
import pandas as pd

from etl.schema import DEALERS, HOTLINE, NOTICES, SALES
from sampledata.excel import at_hour, py_date, write_xlsx
from sampledata.reference import AREA_ZH, TICKET_ZH
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


def write_dealers(out_dir, span, dealers: pd.DataFrame) -> pathlib.Path:
    """dealers.xlsx: the roster with a title block, Chinese headers and contact extras."""
    columns = [c.name for c in DEALERS.columns]
    header = headers(DEALERS, columns, True) + ["联系人", "联系电话"]
    end = span.end - 1
    rows: list[list[Any]] = [
        [f"经销商档案（截至{pd.Timestamp(end).year}年{pd.Timestamp(end).month}月）"],
        ["制表：总部售后服务中心"],
        header,
    ]
    for number, dealer in enumerate(dealers.itertuples(index=False)):
        joined = py_date(dealer.joined_on)
        assert joined is not None  # every demo dealer has a contract date
        rows.append(
            [
                dealer.dealer_id,
                dealer.dealer_name,
                dealer.region,
                dealer.province,
                dealer.city,
                AREA_ZH[dealer.area_type],
                "３" if dealer.technicians == 3 and number % 5 == 0 else int(dealer.technicians),
                "有" if dealer.has_service_center else "无",
                f"{joined.year}/{joined.month}/{joined.day}" if number % 10 == 3 else joined,
                py_date(dealer.left_on),
                dealer.contact,
                int(dealer.contact_phone),
            ]
        )
    return write_xlsx(out_dir / "dealers.xlsx", "经销商", rows, at_hour(span.end))


def write_sales(out_dir, span, dealers: pd.DataFrame, sales: pd.DataFrame, rng) -> list[pathlib.Path]:
    """sales_YYYY per calendar year: first .xlsx, then UTF-8 CSV, then GBK CSV with Chinese headers."""
    months = span.months[sales["month"].to_numpy()]
    years = months.astype("datetime64[Y]").astype(int) + 1970
    ids = dealers["dealer_id"].to_numpy()[sales["dealer"].to_numpy()]
    paths = []
    for position, year in enumerate(np.unique(years)):
        mine = np.nonzero(years == year)[0]
        mine = mine[np.lexsort((sales["dealer"].to_numpy()[mine], months[mine]))]
        frame = pd.DataFrame(
            {
                "dealer_id": ids[mine],
                "month": fmt_month(months[mine], "iso"),
                "units_sold": sales["units_sold"].to_numpy()[mine],
                "sales_amount": sales["sales_amount"].to_numpy()[mine],
            }
        )
        last_month = months[mine].max()
        if position == 0:
            paths.append(_sales_xlsx(out_dir / f"sales_{year}.xlsx", frame, last_month))
        else:
            paths.append(_sales_csv(out_dir / f"sales_{year}.csv", frame, months[mine], position, rng))
    return paths


def _sales_xlsx(path, frame: pd.DataFrame, last_month: np.datetime64) -> pathlib.Path:
    """First year: an Excel sheet with numeric units and amounts."""
    header = headers(SALES, list(frame.columns), False)
    rows = [header] + [
        [r.dealer_id, r.month, int(r.units_sold), float(r.sales_amount)] for r in frame.itertuples(index=False)
    ]
    return write_xlsx(path, "sales", rows, at_hour((last_month + 1).astype("datetime64[D]") + 9))


def _sales_csv(path, frame: pd.DataFrame, months: np.ndarray, position: int, rng) -> pathlib.Path:
    """Second year: UTF-8, months 202503, some full-width digits and a repeated row; later: GBK, 2026年3月."""
    chinese = position >= 2
    style = Style(
        chinese_headers=chinese,
        encoding="gb18030" if chinese else "utf-8",
        month="cn" if chinese else "compact",
        money_decimals=True,
    )
    text = pd.DataFrame(
        {
            "dealer_id": frame["dealer_id"].to_numpy(),
            "month": fmt_month(months, style.month),
            "units_sold": frame["units_sold"].to_numpy().astype(str),
            "sales_amount": fmt_money(frame["sales_amount"].to_numpy(), True),
        },
        dtype=object,
    )
    if not chinese:
        text["units_sold"] = full_width(text["units_sold"].to_numpy(), rng.random(len(text)) < 0.03)
        middle = len(text) // 2
        repeated = text.iloc[[middle]].copy()
        repeated["units_sold"] = str(int(frame["units_sold"].iloc[middle]) + 37)
        text = pd.concat([text.iloc[: middle + 1], repeated, text.iloc[middle + 1 :]], ignore_index=True)
    header = headers(SALES, list(frame.columns), chinese)
    path.write_bytes(frame_csv(text, header, style))
    return path


HOTLINE_STYLES = (
    Style(),
    Style(chinese_headers=True, encoding="utf-8-sig", datetime="slash", booleans=("是", "否"), chinese_values=True),
    Style(datetime="seconds", booleans=("true", "false")),
)


def write_hotline(out_dir, span, dealers: pd.DataFrame, tickets: pd.DataFrame) -> list[pathlib.Path]:
    """hotline_YYYY.csv per calendar year; the last one holds a ticket of an unknown type."""
    years = tickets["received_at"].to_numpy().astype("datetime64[Y]").astype(int) + 1970
    columns = [c.name for c in HOTLINE.columns]
    paths = []
    unique_years = np.unique(years)
    for position, year in enumerate(unique_years):
        style = HOTLINE_STYLES[position % len(HOTLINE_STYLES)]
        mine = tickets[years == year]
        types = mine["ticket_type"].to_numpy()
        text = pd.DataFrame(
            {
                "ticket_id": mine["ticket_id"].to_numpy(),
                "received_at": fmt_datetime(mine["received_at"].to_numpy(), style.datetime),
                "dealer_id": dealers["dealer_id"].to_numpy()[mine["dealer"].to_numpy()],
                "ticket_type": np.vectorize(TICKET_ZH.get)(types) if style.chinese_values else types,
                "customer_phone": mine["customer_phone"].to_numpy(),
                "record_no": mine["record_no"].to_numpy(),
                "verified": fmt_bool(mine["verified"].to_numpy(), style.booleans),
            },
            dtype=object,
        )
        if year == unique_years[-1]:
            praise = text.iloc[[len(text) // 3]].copy()
            prefix = str(praise["ticket_id"].iloc[0])[:6]
            praise["ticket_id"] = next_number(max(t for t in text["ticket_id"] if t.startswith(prefix)))
            praise["ticket_type"] = "表扬"
            praise[["record_no", "verified"]] = ""
            text = pd.concat([text, praise], ignore_index=True)
        path = out_dir / f"hotline_{year}.csv"
        path.write_bytes(frame_csv(text, headers(HOTLINE, columns, style.chinese_headers), style))
        paths.append(path)
    return paths


def write_notices(out_dir, notices: pd.DataFrame) -> pathlib.Path:
    """notices.csv: UTF-8 with BOM, Chinese headers, mixed date spellings."""
    styles = ("iso", "cn", "slash")
    text = notices.copy().astype(object)
    days = notices["notice_date"].to_numpy()
    text["notice_date"] = [fmt_date(days[i : i + 1], styles[i % 3])[0] for i in range(len(days))]
    columns = [c.name for c in NOTICES.columns]
    path = out_dir / "notices.csv"
    path.write_bytes(frame_csv(text[columns], headers(NOTICES, columns, True), Style(encoding="utf-8-sig")))
    return path
