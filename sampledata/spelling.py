"""How values are spelled in the files: styles, dates, months, booleans, money, full-width digits, CSV bytes."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl.schema import Kind


def cat(*parts) -> np.ndarray:
    """Element-wise string concatenation of arrays and scalars."""
    out = np.asarray(parts[0]).astype(str)
    for part in parts[1:]:
        out = np.char.add(out, np.asarray(part).astype(str))
    return out


def month_codes(months) -> tuple[np.ndarray, np.ndarray]:
    """'YYYYMM' and 'YYMM' of datetime64 month values."""
    number = np.asarray(months).astype("datetime64[M]").astype(np.int64)
    year, month = number // 12 + 1970, number % 12 + 1
    return cat(year, _two(month)), cat(_two(year % 100), _two(month))


@dataclass(frozen=True)
class Style:
    """How one file spells things."""

    chinese_headers: bool = False
    encoding: str = "utf-8"
    datetime: str = "iso"  # iso | seconds | slash
    date: str = "iso"  # iso | slash | cn
    month: str = "iso"  # iso | slash | compact | cn
    booleans: tuple[str, str] = ("Y", "N")
    chinese_values: bool = False
    money_decimals: bool = False
    line_end: str = "\n"


def _parts(values) -> tuple[np.ndarray, ...]:
    """Year, month, day, hour, minute, second of datetime64 values, and their NaT mask."""
    v = np.asarray(values).astype("datetime64[s]")
    missing = np.isnat(v)
    v = np.where(missing, np.datetime64("2000-01-01T00:00:00"), v)
    days = v.astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    seconds = (v - days).astype(np.int64)
    return (
        months.astype(np.int64) // 12 + 1970,
        months.astype(np.int64) % 12 + 1,
        (days - months).astype(np.int64) + 1,
        seconds // 3600,
        seconds // 60 % 60,
        seconds % 60,
        missing,
    )


def _two(values: np.ndarray) -> np.ndarray:
    return np.char.zfill(values.astype(str), 2)


def fmt_datetime(values, style: str) -> np.ndarray:
    """'2025-03-02 09:15', '2025-03-02 09:15:00' or '2025/3/2 9:15'; '' for NaT."""
    y, m, d, hh, mm, ss, missing = _parts(values)
    if style == "slash":
        text = cat(y, "/", m, "/", d, " ", hh, ":", _two(mm))
    else:
        text = cat(y, "-", _two(m), "-", _two(d), " ", _two(hh), ":", _two(mm))
        if style == "seconds":
            text = cat(text, ":", _two(ss))
    return np.where(missing, "", text)


def fmt_date(values, style: str) -> np.ndarray:
    """'2025-04-09', '2025/4/9' or '2025年4月9日'; '' for NaT."""
    y, m, d, *_, missing = _parts(values)
    text = {
        "iso": lambda: cat(y, "-", _two(m), "-", _two(d)),
        "slash": lambda: cat(y, "/", m, "/", d),
        "cn": lambda: cat(y, "年", m, "月", d, "日"),
    }[style]()
    return np.where(missing, "", text)


def fmt_month(values, style: str) -> np.ndarray:
    """'2025-03', '2025/03', '202503' or '2025年3月'."""
    y, m, *_ = _parts(np.asarray(values).astype("datetime64[M]"))
    return {
        "iso": lambda: cat(y, "-", _two(m)),
        "slash": lambda: cat(y, "/", _two(m)),
        "compact": lambda: cat(y, _two(m)),
        "cn": lambda: cat(y, "年", m, "月"),
    }[style]()


def fmt_bool(values, spelling: tuple[str, str]) -> np.ndarray:
    """1/0/-1 as the file's true/false spelling or ''."""
    values = np.asarray(values)
    return np.where(values < 0, "", np.where(values > 0, spelling[0], spelling[1]))


def fmt_money(values, decimals: bool) -> np.ndarray:
    """'80.00' or '80' ('68.50' keeps its decimals); '' for NaN."""
    values = np.asarray(values, dtype=float)
    text = np.char.mod("%.2f", np.nan_to_num(values))
    if not decimals:
        text = np.where(np.char.endswith(text, ".00"), np.char.replace(text, ".00", ""), text)
    return np.where(np.isnan(values), "", text)


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def full_width(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Full-width digits where mask is set, as some dealers' input methods type them."""
    out = values.astype(object).copy()
    out[mask] = [str(v).translate(FULL_WIDTH) for v in out[mask]]
    return out.astype(str)


def headers(kind: Kind, names: list[str], chinese: bool) -> list[str]:
    return [kind.column(n).chinese if chinese else n for n in names]


def frame_csv(frame: pd.DataFrame, header: list[str], style: Style, title: tuple[str, ...] = ()) -> bytes:
    """A frame of strings as CSV bytes in the style's encoding, with optional title lines above."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=style.line_end)
    writer.writerows([line] + [""] * (len(header) - 1) for line in title)
    writer.writerow(header)
    writer.writerows(frame.to_numpy().tolist())
    return buffer.getvalue().encode(style.encoding)


def next_number(record_no: str) -> str:
    """The record number after the last one of a dealer-month (same style)."""
    head = record_no.rstrip("0123456789")
    digits = record_no[len(head) :]
    return f"{head}{int(digits) + 1:0{len(digits)}d}"
