"""Reproducible Excel files: fixed document properties and zip entry times."""

from __future__ import annotations

import datetime as dt
import io
import pathlib
import zipfile

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.writer.excel import ExcelWriter

FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def _normalised_zip(data: bytes) -> bytes:
    """The same workbook with fixed zip entry times, so equal content gives equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def _cell(sheet, value):
    """A write-only cell; dates and datetimes get a readable number format."""
    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return value


def write_xlsx(path: pathlib.Path, sheet_name: str, rows: list[list], stamp: dt.datetime) -> pathlib.Path:
    """One-sheet workbook with fixed document properties and zip times."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name)
    for row in rows:
        sheet.append([_cell(sheet, v) for v in row])
    workbook.properties.creator = "总部售后服务中心"
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    buffer = io.BytesIO()
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    path.write_bytes(_normalised_zip(buffer.getvalue()))
    return path


def py_datetime(value) -> dt.datetime | None:
    return None if pd.isna(value) else pd.Timestamp(value).to_pydatetime()


def py_date(value) -> dt.date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()


def at_hour(day: np.datetime64, hour: int = 9) -> dt.datetime:
    """A document timestamp: the day at the given hour."""
    return dt.datetime.combine(pd.Timestamp(day).date(), dt.time(hour, 0))
