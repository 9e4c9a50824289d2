"""Read one input file into raw text cells: decode, find the header row, tell the kind.

Nothing here judges values; it only turns CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) or
Excel into a pyarrow table of strings (c0..cN plus the file's row number) and says which
column is which. Validation happens in SQL (etl/validate.py).
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
from python_calamine import CalamineWorkbook

from etl.schema import KINDS, REPAIRS, Kind, header_map, normalise_header

CSV_SUFFIXES = {".csv", ".txt"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
DATA_SUFFIXES = CSV_SUFFIXES | EXCEL_SUFFIXES
HEADER_SEARCH_ROWS = 50   # the header row must be among the first rows of a file
MIN_HEADER_MATCHES = 2    # cells that must be known column names for a row to be a header


class FileRejected(Exception):
    """The whole file cannot be loaded; the message says why, in words a person understands."""


@dataclass
class RawFile:
    """A file's cells as text, with what is known about it before validation."""

    path: Path
    content: bytes
    sha256: str
    kind: Kind | None = None
    header_row: int = 0                      # 1-based row number of the header in the file
    headers: list[str] = field(default_factory=list)   # header cells as written
    column_of: dict[int, str] = field(default_factory=dict)  # position -> column name
    cells: pa.Table | None = None            # c0..cN strings + row_no
    month_from_name: dt.date | None = None
    encoding: str = ""

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def extra_positions(self) -> list[int]:
        return [i for i, h in enumerate(self.headers) if i not in self.column_of and h.strip()]


def open_file(path: Path) -> RawFile:
    """Read bytes and hash; the kind from the name when it tells."""
    content = path.read_bytes()
    raw = RawFile(path=path, content=content, sha256=hashlib.sha256(content).hexdigest())
    raw.kind = kind_from_name(path.name)
    raw.month_from_name = month_from_name(path.name)
    return raw


def kind_from_name(name: str) -> Kind | None:
    lowered = name.lower()
    for kind in KINDS:
        if any(lowered.startswith(prefix) for prefix in kind.name_prefixes):
            return kind
    return None


_NAME_MONTH = re.compile(r"(?<!\d)((?:19|20)\d{2})-?(0[1-9]|1[0-2])(?!\d)")


def month_from_name(name: str) -> dt.date | None:
    """The `YYYY-MM` or `YYYYMM` in a file name (spec 2.3), if any."""
    match = _NAME_MONTH.search(Path(name).stem)
    return dt.date(int(match.group(1)), int(match.group(2)), 1) if match else None


# ---------------------------------------------------------------- decoding

def decode(content: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) when it decodes cleanly, else GB18030 (a superset of GBK)."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8"), "utf-8-sig"
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise FileRejected(
            f"cannot read the file: it is neither UTF-8 nor GBK/GB18030 text (bad byte at {exc.start})"
        ) from exc


# ---------------------------------------------------------------- header and kind

def _score(row: list[str], kind: Kind) -> int:
    names = header_map(kind)
    return len({names[h] for h in (normalise_header(c) for c in row) if h in names})


def find_header(head_rows: list[list[str]], kind: Kind | None) -> tuple[int, Kind]:
    """Index of the first row that matches a kind's columns, and the kind (spec 2: header row)."""
    candidates = [kind] if kind else list(KINDS)
    # A title block may name a column or two (经销商编号 | JX101 | 报表月份 | 2025-03), so the
    # first row holding every required column of a kind wins; failing that, the first row
    # that names enough columns is taken, so the message can say which column is missing.
    for complete_only in (True, False):
        for index, row in enumerate(head_rows[:HEADER_SEARCH_ROWS]):
            scores = [(_score(row, k), len(set(k.required) & set(_columns(row, k).values())), -n, k)
                      for n, k in enumerate(candidates)]
            if complete_only:
                scores = [s for s in scores if s[1] == len(s[3].required)]
            best = max(scores, key=lambda s: s[:3], default=(0,))
            if best[0] >= MIN_HEADER_MATCHES:
                return index, best[3]
    if kind:
        expected = ", ".join(f"{c.name}/{c.chinese}" for c in kind.columns if c.required)
        raise FileRejected(
            f"no header row found: none of the first {HEADER_SEARCH_ROWS} rows has the columns "
            f"of a {kind.name} file ({expected})")
    prefixes = ", ".join(p for k in KINDS for p in k.name_prefixes)
    raise FileRejected(
        "cannot tell what kind of file this is: its name does not start with one of "
        f"{prefixes}, and none of its first {HEADER_SEARCH_ROWS} rows is a header row of a known kind")


def _columns(row: list[str], kind: Kind) -> dict[int, str]:
    names = header_map(kind)
    return {i: names[normalise_header(c)] for i, c in enumerate(row) if normalise_header(c) in names}


def map_columns(raw: RawFile) -> None:
    """Position -> column name; refuse files missing a required column or naming one twice."""
    kind = raw.kind
    columns = _columns(raw.headers, kind)
    seen: dict[str, int] = {}
    for position, name in columns.items():
        if name in seen:
            raise FileRejected(
                f"column {name} appears twice (\"{raw.headers[seen[name]]}\" and \"{raw.headers[position]}\")")
        seen[name] = position
    found = ", ".join(h for h in raw.headers if h.strip()) or "(none)"
    missing = [c for c in kind.columns if c.required and c.name not in seen]
    if missing:
        which = ", ".join(f"{c.name} ({c.chinese})" for c in missing)
        plural = "columns" if len(missing) > 1 else "column"
        raise FileRejected(f"missing required {plural} {which}; headers found: {found}")
    if kind is REPAIRS and "report_month" not in seen and raw.month_from_name is None:
        raise FileRejected(
            "report month cannot be told: there is no report_month (报表月份) column and the "
            "file name has no YYYY-MM or YYYYMM in it")
    raw.column_of = columns


# ---------------------------------------------------------------- cells

def read_cells(raw: RawFile) -> RawFile:
    """Fill header, kind, column map and the text cells; raise FileRejected when impossible."""
    suffix = raw.path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        rows = _excel_rows(raw)
        header_index, raw.kind = find_header(rows, raw.kind)
        raw.headers = [_cell_text(c) for c in rows[header_index]]
        raw.header_row = header_index + 1
        map_columns(raw)
        raw.cells = _rows_to_table(rows[header_index + 1:], len(raw.headers), first_row_no=header_index + 2)
        return raw
    if suffix not in CSV_SUFFIXES:
        raise FileRejected(f"unsupported file type \"{suffix or raw.name}\": expected .csv or .xlsx")
    data, raw.encoding = utf8_bytes(raw.content)
    head = data[:HEAD_BYTES].decode("utf-8", errors="ignore")   # a character cut at the end is dropped
    head_lines = [line.rstrip("\r") for line in head.split("\n")[: HEADER_SEARCH_ROWS + 5]]
    head_rows, line_of_row = _parse_head(head_lines)
    header_index, raw.kind = find_header(head_rows, raw.kind)
    raw.headers = head_rows[header_index]
    raw.header_row = line_of_row[header_index]
    map_columns(raw)
    raw.cells = _csv_body(data, raw.header_row, len(raw.headers))
    return raw


HEAD_BYTES = 600_000


def utf8_bytes(content: bytes) -> tuple[bytes, str]:
    """The file as UTF-8 bytes without a BOM, and its encoding: a UTF-8 file is only checked
    (Arrow's validator), not decoded and encoded again; anything else goes through decode()."""
    if content.startswith(b"\xef\xbb\xbf"):
        body, encoding = content[3:], "utf-8-sig"
    else:
        body, encoding = content, "utf-8"
    try:
        # One value over the file's own bytes (no copy); the cast raises on a byte that is not UTF-8.
        offsets = pa.py_buffer(np.array([0, len(body)], dtype=np.int64).tobytes())
        pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(body)]).cast(pa.large_string())
        return body, encoding
    except pa.ArrowInvalid:
        text, encoding = decode(content)
        return text.encode("utf-8"), encoding


def _parse_head(lines: list[str]) -> tuple[list[list[str]], list[int]]:
    """Rows of the first lines, with the (1-based) line on which each row ends."""
    reader = csv.reader(lines)
    rows, ends = [], []
    try:
        for row in reader:
            rows.append(row)
            ends.append(reader.line_num)
    except csv.Error:
        pass
    return rows, ends


def _csv_body(content: bytes, header_line: int, width: int) -> pa.Table:
    """Data rows after the header line: pyarrow's fast reader, exact Python csv when messy.

    The fast reader splits rows at every line end; a quoted value spanning lines then leaves
    rows of the wrong width (or more lines than rows), and the exact reader takes over.
    """
    data = content[_offset_after_lines(content, header_line):]
    names = [f"c{i}" for i in range(width)]
    invalid: list[str] = []

    def on_invalid(row):  # ragged row: remember, then re-read exactly below
        invalid.append(row.text)
        return "skip"

    try:
        table = pa_csv.read_csv(
            io.BytesIO(data),
            read_options=pa_csv.ReadOptions(column_names=names, block_size=4 << 20),
            parse_options=pa_csv.ParseOptions(newlines_in_values=False, invalid_row_handler=on_invalid),
            convert_options=pa_csv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=False,
                quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        table, invalid = None, ["unparseable"]
    if table is not None and not invalid:
        lines = np.frombuffer(data, dtype=np.uint8)
        newline_at = np.flatnonzero(lines == 10)
        starts = np.concatenate(([0], newline_at + 1))
        ends = np.concatenate((newline_at, [len(data)]))
        keep = starts < len(data)
        starts, ends = starts[keep], ends[keep]
        length = ends - starts
        carriage = (length > 0) & (lines[np.minimum(ends - 1, len(data) - 1)] == 13)
        non_blank = np.flatnonzero((length - carriage) > 0)
        if len(non_blank) == table.num_rows:   # one line per row: line numbers are exact
            row_no = non_blank + header_line + 1
            table = table.append_column("overflow", pa.nulls(table.num_rows, pa.string()))
            return table.append_column("row_no", pa.array(row_no, pa.int64()))
    # Slow, exact path: ragged rows or values spanning lines.
    rows, numbers = [], []
    reader = csv.reader(io.StringIO(data.decode("utf-8")))
    ended = 0   # the line the previous row ended on: a row spanning lines is numbered by its first
    for row in reader:
        if row:
            rows.append(row)
            numbers.append(header_line + ended + 1)
        ended = reader.line_num
    return _rows_to_table(rows, width, row_numbers=numbers)


def _offset_after_lines(data: bytes, count: int) -> int:
    offset = 0
    for _ in range(count):
        nxt = data.find(b"\n", offset)
        if nxt < 0:
            return len(data)
        offset = nxt + 1
    return offset


def _rows_to_table(rows: list[list], width: int, first_row_no: int = 1,
                   row_numbers: list[int] | None = None) -> pa.Table:
    """Ragged rows to a table of width columns; values beyond the header go to column cN (overflow)."""
    columns: list[list[str]] = [[] for _ in range(width + 1)]
    for row in rows:
        cells = [_cell_text(v) for v in row]
        for i in range(width):
            columns[i].append(cells[i] if i < len(cells) else "")
        overflow = [c for c in cells[width:] if c != ""]
        columns[width].append("\t".join(overflow) if overflow else None)
    if row_numbers is None:
        row_numbers = list(range(first_row_no, first_row_no + len(rows)))
    arrays = [pa.array(col, pa.string()) for col in columns[:width]]
    arrays.append(pa.array(columns[width], pa.string()))
    arrays.append(pa.array(row_numbers, pa.int64()))
    names = [f"c{i}" for i in range(width)] + ["overflow", "row_no"]
    return pa.table(arrays, names=names)


def _cell_text(value) -> str:
    """An Excel cell as the text a person sees: 13805712345 not 13805712345.0, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, dt.timedelta):
        return str(value.total_seconds() / 86400)
    return str(value)


def _excel_rows(raw: RawFile) -> list[list]:
    """First sheet only (spec 6), from cell A1 so row numbers match what Excel shows."""
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(raw.content))
        sheet = workbook.get_sheet_by_index(0)
        return sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises several types for broken workbooks
        raise FileRejected(f"cannot read the workbook: {exc}") from exc
