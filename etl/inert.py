"""Exports are inert (issue 11): a dealer's text never runs as a formula in Excel or a CSV viewer.

One rule for every export, command line and dashboard alike. A text cell that starts with one of
RISKY (OWASP's CSV-injection list) is written as a string cell in .xlsx, value unchanged, and
prefixed with a single quote in CSV. Only text is touched: a number (-5), a date or a boolean is
written as itself, so the exports still sum and sort.
"""

from __future__ import annotations

import pandas as pd

RISKY = ("=", "+", "-", "@", "\t", "\r")


def risky(value) -> bool:
    """Text a spreadsheet could read as a formula."""
    return isinstance(value, str) and value.startswith(RISKY)


def csv_cell(value):
    """OWASP's escape: a quote in front of risky text, which spreadsheets show and never evaluate."""
    return "'" + value if risky(value) else value


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every risky text cell (headers too) escaped; columns without text are left as they are."""
    out = frame.copy()
    for position in range(out.shape[1]):
        cells = out.iloc[:, position]
        if any(risky(v) for v in cells):  # as objects: a column of numbers keeps each number's own spelling
            out.isetitem(position, pd.Series([csv_cell(v) for v in cells], index=out.index, dtype=object))
    out.columns = [csv_cell(c) for c in out.columns]
    return out


def csv_text(frame: pd.DataFrame, lineterminator: str = "\n") -> str:
    """The frame as CSV text, escaped; a text with a carriage return inside is quoted like one with a
    line feed. Python's csv module quotes only the line terminator's characters, and a bare CR read
    as a line break would start a new row with the rest of the cell, unescaped."""
    text = csv_frame(frame).to_csv(index=False, lineterminator="\r\n")
    # between quotes (odd pieces) a CR LF is a cell's own; outside them it ends a row
    pieces = text.split('"')
    return '"'.join(piece if n % 2 else piece.replace("\r\n", lineterminator) for n, piece in enumerate(pieces))


def csv_bytes(frame: pd.DataFrame, encoding: str = "utf-8-sig") -> bytes:
    """A CSV download of the frame, escaped (utf-8 with a BOM by default, which Excel reads as UTF-8)."""
    return csv_text(frame).encode(encoding)


def workbook(book) -> None:
    """Every formula cell openpyxl made of a text beginning with `=` becomes a string cell again.

    openpyxl turns any assigned string starting with `=` into a formula; the exports never write
    formulas of their own, so every such cell holds input text. The value is kept as written.
    """
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" and isinstance(cell.value, str):
                    cell.data_type = "s"
