"""Read one input file into raw text cells: decode, find the header row, tell the kind.

Nothing here judges values; it only turns text files (CSV/TSV/TXT in UTF-8, UTF-8 with BOM,
GBK/GB18030 or UTF-16; comma, tab or semicolon separated) and workbooks (.xlsx, .xlsm, .xls,
.xlsb, .ods: every visible sheet holding a table of the file's kind) into a pyarrow table of
strings (c0..cN, overflow, row_no, sheet, row_id) and says which column is which. Validation
happens in SQL (etl/validate.py). Whatever the bytes, the only exception that leaves
open_file and read_cells is FileRejected, whose message is a sentence a person understands, and
the work is bounded by the rules' [limits] (Limits): size, columns, rows, seconds.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import hashlib
import io
import re
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from etl.aliases import HeaderMaps, header_maps
from etl.schema import DATETIME, KINDS, REPAIRS, Kind, normalise_header
from i18n import N_, Said, later, say

TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}
CSV_SUFFIXES = TEXT_SUFFIXES  # the name other modules know
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
DATA_SUFFIXES = TEXT_SUFFIXES | EXCEL_SUFFIXES
HEADER_SEARCH_ROWS = 50  # the header row must be among the first rows of a file
MIN_HEADER_MATCHES = 2  # cells that must be known column names for a row to be a header
MAX_COLUMNS = 500  # default of [limits] max_columns: a wider head is refused rather than searched
DELIMITERS = (",", "\t", ";")
DELIMITER_WORDS = {",": "commas", "\t": "tabs", ";": "semicolons"}  # load.delimiter.<word> in the catalogs
RESEMBLANCE = 0.75  # difflib ratio from which a kept-aside header "looks like" a column


class FileRejected(Exception):
    """The whole file cannot be loaded; the message says why, in words a person understands: `said` is the
    catalog message (i18n.later) for a reader of either language, str(exc) its English words."""

    def __init__(self, said: Said | str):
        self.said: Said | str = said
        super().__init__(say(said, "en"))


@dataclass(frozen=True)
class Limits:
    """What one file may hold and take (rules [limits], issue 11): beyond them it is refused with
    the setting named, before it can exhaust the machine's memory or stall a load."""

    max_columns: int = MAX_COLUMNS
    max_cell_chars: int = 32767  # Excel's own limit of a cell
    max_rows: int = 5_000_000
    max_file_mb: float = 500
    max_seconds: float = 600
    load_memory_mb: int = 4096  # DuckDB's memory while loading; past it, it spills to disk

    @classmethod
    def from_rules(cls, rules) -> Limits:
        return cls(**{name: rules[f"limits.{name}"] for name in cls.__dataclass_fields__})


def too_slow(seconds: float) -> Said:
    """The sentence of a file stopped by max_seconds (the reader's checks and load.py's timer)."""
    return later.t("load.too_slow", seconds=seconds)


def too_many_rows(rows: int, limits: Limits) -> Said:
    return later.t("load.too_many_rows", rows=rows, max_rows=limits.max_rows)


@dataclass
class RawFile:
    """A file's cells as text, with what is known about it before validation."""

    path: Path
    content: bytes
    sha256: str
    kind: Kind | None = None
    header_row: int = 0  # 1-based first header row (of the first sheet read)
    headers: list[str] = field(default_factory=list)  # header cells as written (union of sheets)
    column_of: dict[int, str] = field(default_factory=dict)  # position -> column name
    date_part_of: dict[int, str] = field(default_factory=dict)  # position -> DATETIME column
    cells: pa.Table | None = None  # c0..cN strings + overflow, row_no, sheet, row_id
    month_from_name: dt.date | None = None
    encoding: str = ""
    details: dict = field(default_factory=dict)  # what was read, for the load log (JSON)
    notes: list[str] = field(default_factory=list)  # short lines for the file's result (English)
    said_notes: list[Said] = field(default_factory=list)  # the same lines as catalog messages (i18n.later)
    limits: Limits = field(default_factory=Limits)
    deadline: float | None = None  # time.monotonic() after which reading stops
    read_seconds: float = 0.0  # time read_cells took (counts against max_seconds)

    @property
    def name(self) -> str:
        return self.path.name

    def note(self, said: Said) -> None:
        """A line for the file's result: its English words, and the message for the other language."""
        self.notes.append(say(said, "en"))
        self.said_notes.append(said)

    @property
    def extra_positions(self) -> list[int]:
        """Kept-aside columns: a header that names no column and no date part."""
        return [
            i
            for i, h in enumerate(self.headers)
            if i not in self.column_of and i not in self.date_part_of and h.strip()
        ]


def open_file(path: Path, limits: Limits | None = None) -> RawFile:
    """Read bytes and hash; the kind from the name when it tells. A file over max_file_mb is
    refused before its bytes are read."""
    limits = limits or Limits()
    try:
        size = path.stat().st_size
        if size > limits.max_file_mb * 2**20:
            raise FileRejected(later.t("load.too_large_file", mb=size / 2**20, max_mb=limits.max_file_mb))
        content = path.read_bytes()
    except OSError as exc:
        if exc.strerror:
            raise FileRejected(later.t("load.cannot_open_because", reason=exc.strerror)) from exc
        raise FileRejected(later.t("load.cannot_open")) from exc
    except MemoryError:
        raise FileRejected(later.t("load.cannot_open_memory")) from None
    raw = RawFile(path=path, content=content, sha256=hashlib.sha256(content).hexdigest(), limits=limits)
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


def _line_of(content: bytes, position: int) -> int:
    return content.count(b"\n", 0, position) + 1


def _bad_utf8(content: bytes, start: int, why: Said) -> FileRejected:
    try:
        content[start:].decode("utf-8")
        position = start
    except UnicodeDecodeError as exc:
        position = start + exc.start
    return FileRejected(
        later.t(
            "load.bad_utf8",
            why=why,
            line=_line_of(content, position),
            byte=f"0x{content[position]:02x}",
            position=position,
        )
    )


def _looks_like_damaged_utf8(content: bytes) -> bool:
    """UTF-8 text with a few bad bytes, not GBK: many well-formed multi-byte characters, few errors.
    GBK read as UTF-8 gives errors on most characters; GB18030 would decode such a file to nonsense."""
    text = content.decode("utf-8", errors="replace")
    errors = text.count("\ufffd")
    well_formed = sum(1 for ch in text if ord(ch) > 0x7F) - errors
    return well_formed > 4 * errors


def _utf16_without_bom(content: bytes) -> str | None:
    """UTF-16 saved without a byte-order mark: every other byte of ASCII text is zero."""
    sample = content[:4096]
    if len(sample) < 4 or sample.count(0) < len(sample) // 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > 3 * even:
        return "utf-16-le"
    if even > 3 * odd:
        return "utf-16-be"
    return None


def _decode_utf16(content: bytes, codec: str, with_bom: bool) -> tuple[str, str]:
    body = content[2:] if with_bom else content
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        position = exc.start + (2 if with_bom else 0)
        raise FileRejected(
            later.t("load.bad_utf16", position=position, line=text_line(body[: exc.start], codec))
        ) from None
    return text, codec


def text_line(prefix: bytes, codec: str) -> int:
    return prefix[: len(prefix) // 2 * 2].decode(codec, errors="replace").count("\n") + 1


def decode(content: bytes) -> tuple[str, str]:
    """Text of a file that is not plain UTF-8: UTF-16 (by its BOM, or its zero bytes), else
    GB18030 (a superset of GBK); UTF-8 with a few bad bytes is refused, not read as GB18030."""
    if content.startswith(codecs.BOM_UTF16_LE):
        return _decode_utf16(content, "utf-16-le", True)
    if content.startswith(codecs.BOM_UTF16_BE):
        return _decode_utf16(content, "utf-16-be", True)
    if content.startswith(codecs.BOM_UTF8):
        raise _bad_utf8(content, 3, later.t("load.utf8_bom"))
    utf16 = _utf16_without_bom(content)
    if utf16:
        return _decode_utf16(content, utf16, False)
    if _looks_like_damaged_utf8(content):
        raise _bad_utf8(content, 0, later.t("load.utf8_mostly"))
    try:
        return content.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise FileRejected(later.t("load.bad_encoding", position=exc.start)) from None


HEAD_BYTES = 600_000


def utf8_bytes(content: bytes) -> tuple[bytes, str]:
    """The file as UTF-8 bytes without a BOM, and its encoding: a UTF-8 file is only checked
    (Arrow's validator), not decoded and encoded again; anything else goes through decode()."""
    if content.startswith(codecs.BOM_UTF8):
        body, encoding = content[3:], "utf-8-sig"
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, encoding = decode(content)
        return text.encode("utf-8"), encoding
    else:
        body, encoding = content, "utf-8"
    try:
        # One value over the file's own bytes (no copy); the cast raises on a byte that is not UTF-8.
        offsets = pa.py_buffer(np.array([0, len(body)], dtype=np.int64).tobytes())
        pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(body)]).cast(pa.large_string())
        if b"\x00" in body[:4096] and _utf16_without_bom(body):
            raise pa.ArrowInvalid("UTF-16 without a byte-order mark")
        return body, encoding
    except pa.ArrowInvalid:
        text, encoding = decode(content)
        return text.encode("utf-8"), encoding


def line_ends_as_newlines(data: bytes) -> bytes:
    """A carriage return not followed by a line feed (old Mac files, a stray CR inside a value)
    ends a line, as Excel reads it; the rows' numbers then count it as a line."""
    if b"\r" not in data or data.count(b"\r") == data.count(b"\r\n"):
        return data
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


# ---------------------------------------------------------------- header layout


@dataclass
class Layout:
    """A grid's header: where it is, the header text of each position and what each names."""

    first_row: int  # 0-based index of the (first) header row in the grid
    header_rows: int  # 1, or 2 for a header whose names are split over two rows
    headers: list[str]
    column_of: dict[int, str]
    date_part_of: dict[int, str]

    @property
    def named(self) -> set[str]:
        """Columns present: named whole, or by their date part only."""
        return set(self.column_of.values()) | set(self.date_part_of.values())

    @property
    def data_start(self) -> int:
        return self.first_row + self.header_rows

    def required_present(self, kind: Kind) -> int:
        return len(set(kind.required) & self.named)


def _role(normal: str, maps: HeaderMaps) -> tuple[str, str] | None:
    """What a normalised header names: ("column", name), ("date", name) or nothing."""
    if normal in maps.columns:
        return "column", maps.columns[normal]
    if normal in maps.date_parts:
        return "date", maps.date_parts[normal]
    return None


# A date-and-time column's header merged over two sub-columns: 报修时间 above 日期 | 时间.
DATETIME_COLUMNS = {c.name for kind in KINDS for c in kind.columns if c.type == DATETIME}
DATE_WORDS = {"日期", "date"}
TIME_WORDS = {"时间", "time", "时刻"}


def build_layout(rows: list[list[str]], normals: list[list[str]], index: int, maps: HeaderMaps) -> Layout:
    """The header starting at rows[index], taking rows[index + 1] as its second row when that row
    only fills gaps of the first (empty cells, under an unmapped group label such as 费用) and names
    a column the first does not, or splits a date-and-time column into its date and its time
    (报修时间 merged over 日期 | 时间). A data row never qualifies: it has values under mapped columns."""
    top, top_normal = rows[index], normals[index]
    top_roles = [_role(n, maps) if n else None for n in top_normal]
    layout = Layout(index, 1, list(top), {}, {})
    for position, role in enumerate(top_roles):
        if role:
            (layout.column_of if role[0] == "column" else layout.date_part_of)[position] = role[1]
    if index + 1 >= len(rows) or not any(top_roles):
        return layout
    below, below_normal = rows[index + 1], normals[index + 1]
    if not any(below_normal):
        return layout
    named_above = {role[1] for role in top_roles if role}
    group, groups = ("", ""), []  # (label as written, normalised) over each position
    split: dict[int, tuple[str, str]] = {}  # position under a date-and-time header -> (column, header)
    for position in range(max(len(top), len(below))):
        above = top_normal[position] if position < len(top) else ""
        under = below_normal[position] if position < len(below) else ""
        if above:
            role = top_roles[position]
            if role and role[0] == "column" and role[1] in DATETIME_COLUMNS and under in DATE_WORDS | TIME_WORDS:
                group = ("", "")
                split[position] = (role[1], top[position].strip())
                groups.append(group)
                continue
            if role:
                if under:
                    return layout  # a value under a named column: a data row
                group = ("", "")
            else:
                group = (top[position], above)
        elif split and position - 1 in split and under in DATE_WORDS | TIME_WORDS:
            split[position] = split[position - 1]
        groups.append(group)
    headers = list(top) + [""] * (len(below) - len(top))
    column_of, date_part_of = dict(layout.column_of), dict(layout.date_part_of)
    new_names = False
    for position, (column, parent) in split.items():  # 日期 -> its date part, 时间 -> the column itself
        column_of.pop(position, None)
        headers[position] = f"{parent} {below[position].strip()}"
        if below_normal[position] in DATE_WORDS:
            date_part_of[position] = column
        else:
            column_of[position] = column
        new_names = True
    for position, child in enumerate(below):
        if not below_normal[position] or position in split:
            continue
        label, label_normal = groups[position]
        # 人工费 under 费用 names labor_fee; 日期 under 报修 names the date part of requested_at
        role = _role(below_normal[position], maps) or (
            _role(label_normal + below_normal[position], maps) if label_normal else None
        )
        headers[position] = f"{label.strip()} {child.strip()}" if label.strip() else child
        if role:
            (column_of if role[0] == "column" else date_part_of)[position] = role[1]
            new_names = new_names or role[1] not in named_above
    if not new_names:
        return layout
    return Layout(index, 2, headers, column_of, date_part_of)


def _normalised_rows(rows: list[list[str]]) -> list[list[str]]:
    return [[normalise_header(cell) if cell else "" for cell in row] for row in rows]


def find_header(
    rows: list[list[str]], kinds: list[Kind], maps: dict[str, HeaderMaps], complete_only: bool | None = None
) -> tuple[Layout, Kind] | None:
    """The first header among the first rows, and its kind (spec 2: header row).

    A title block may name a column or two (经销商编号 | JX101 | 报表月份 | 2025-03), so the
    first header holding every required column of a kind wins; failing that, the first naming
    enough columns is taken, so the message can say which column is missing.
    """
    head = rows[: HEADER_SEARCH_ROWS + 1]
    normals = _normalised_rows(head)
    passes = (True, False) if complete_only is None else (complete_only,)
    for complete in passes:
        for index in range(min(len(head), HEADER_SEARCH_ROWS)):
            if sum(1 for n in normals[index] if n) < 1:
                continue
            best = None
            for order, kind in enumerate(kinds):
                layout = build_layout(head, normals, index, maps[kind.name])
                required = layout.required_present(kind)
                if complete and required < len(kind.required):
                    continue
                score = (len(layout.named), required, -order)
                if best is None or score > best[0]:
                    best = (score, layout, kind)
            if best and best[0][0] >= MIN_HEADER_MATCHES:
                return best[1], best[2]
    return None


def _expected(kind: Kind) -> str:
    return ", ".join(f"{c.name}/{c.chinese}" for c in kind.columns if c.required)


def _no_header(kind: Kind) -> Said:
    return later.t("load.no_header", rows=HEADER_SEARCH_ROWS, kind=kind.name, expected=_expected(kind))


def _unknown_kind(where: Said | None = None) -> Said:
    prefixes = ", ".join(p for k in KINDS for p in k.name_prefixes)
    where = where or later.t("load.unknown_kind_rows", rows=HEADER_SEARCH_ROWS)
    return later.t("load.unknown_kind_file", prefixes=prefixes, where=where)


def _resemblances(layout: Layout, kind: Kind, maps: HeaderMaps) -> list[tuple[str, str]]:
    """Kept-aside headers that look like a column the header lacks: (header, column)."""
    absent = {c.name for c in kind.columns} - layout.named
    spellings = {s: name for s, name in maps.columns.items() if name in absent}
    found = []
    for position, header in enumerate(layout.headers):
        if position in layout.column_of or position in layout.date_part_of or not header.strip():
            continue
        close = difflib.get_close_matches(normalise_header(header), list(spellings), n=1, cutoff=RESEMBLANCE)
        if close:
            found.append((header, spellings[close[0]]))
    return found


def _header_text(header: str) -> str:
    return " ".join(header.split())


def check_layout(layout: Layout, kind: Kind, maps: HeaderMaps, month_known: bool) -> None:
    """Refuse a header missing a required column or naming one twice (a required DATETIME column
    is present when only its date part is)."""
    twice = ((layout.column_of, N_("load.twice_column")), (layout.date_part_of, N_("load.twice_date_part")))
    for positions, what in twice:
        seen: dict[str, int] = {}
        for position, name in sorted(positions.items()):
            if name in seen:
                first, second = _header_text(layout.headers[seen[name]]), _header_text(layout.headers[position])
                raise FileRejected(later.t(what, column=name, first=first, second=second))
            seen[name] = position
    missing = [c for c in kind.columns if c.required and c.name not in layout.named]
    if missing:
        headers = ", ".join(_header_text(h) for h in layout.headers if h.strip())
        found: Said | str = headers or later.t("load.no_headers")
        which = ", ".join(f"{c.name} ({c.chinese})" for c in missing)
        hints = [
            later.t("load.looks_like", header=_header_text(h), column=name, chinese=kind.column(name).chinese)
            for h, name in _resemblances(layout, kind, maps)
            if name in {c.name for c in missing}
        ]
        more = later.t("load.hints", hints=hints) if hints else ""
        raise FileRejected(later.ngettext("load.missing_columns", len(missing), columns=which, found=found, hints=more))
    if kind is REPAIRS and "report_month" not in layout.named and not month_known:
        raise FileRejected(later.t("load.no_report_month"))


def _check_width(rows: list[list[str]], max_columns: int = MAX_COLUMNS) -> None:
    """Refuse a head of lines wider than any report, before searching it (a row of 100,000 cells)."""
    for number, row in enumerate(rows[: HEADER_SEARCH_ROWS + 1], start=1):
        if len(row) > max_columns:
            raise FileRejected(later.t("load.too_wide", line=number, columns=len(row), max_columns=max_columns))


def check_time(raw: RawFile) -> None:
    """Stop reading a file whose max_seconds are spent (Python work no interrupt reaches)."""
    if raw.deadline is not None and time.monotonic() > raw.deadline:
        raise FileRejected(too_slow(raw.limits.max_seconds))


def _trimmed(row: list[str]) -> list[str]:
    end = len(row)
    while end and not row[end - 1].strip():
        end -= 1
    return row[:end]


# ---------------------------------------------------------------- reading a file


def read_cells(raw: RawFile, limits: Limits | None = None) -> RawFile:
    """Fill kind, header layout, column map and the text cells; raise FileRejected when impossible.

    The header map (schema plus header_aliases.toml) is read first: a broken aliases file is a
    setting to fix (AliasesError), not a property of this file. `limits` (default: the file's,
    from open_file) bound the work; reading starts the file's max_seconds unless a load did.
    """
    maps = {kind.name: header_maps(kind) for kind in KINDS}
    if limits is not None:
        raw.limits = limits
    started = time.monotonic()
    if raw.deadline is None:
        raw.deadline = started + raw.limits.max_seconds
    suffix = raw.path.suffix.lower()
    try:
        if suffix in EXCEL_SUFFIXES:
            _read_workbook(raw, maps)
        elif suffix in TEXT_SUFFIXES:
            _read_text(raw, maps)
        else:
            raise FileRejected(later.t("load.unsupported_type", suffix=suffix or raw.name))
    except FileRejected:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    except MemoryError:
        raise FileRejected(later.t("load.cannot_read_memory")) from None
    except BaseException as exc:  # noqa: BLE001 - any input gives a sentence, never a traceback
        raise FileRejected(later.t("load.cannot_read_contents")) from exc
    finally:
        raw.read_seconds = time.monotonic() - started
    return raw


def _finish(raw: RawFile, kind: Kind, layout: Layout, maps: HeaderMaps, details: dict) -> None:
    """Fields every format fills the same way: the column maps, details and notes."""
    raw.kind = kind
    raw.headers, raw.column_of, raw.date_part_of = layout.headers, layout.column_of, layout.date_part_of
    resembles = _resemblances(layout, kind, maps)
    absent = [
        c
        for c in kind.columns
        if not c.required
        and c.name not in layout.named
        and not (kind is REPAIRS and c.name in ("report_month", "submitted_on"))
    ]
    details.update(
        {
            "mapping": [[layout.headers[p], n] for p, n in sorted(layout.column_of.items())],
            "date_parts": [[layout.headers[p], n] for p, n in sorted(layout.date_part_of.items())],
            "kept_aside": [layout.headers[p] for p in raw.extra_positions],
            "resembles": [[h, n] for h, n in resembles],
            "absent_optional": [c.name for c in absent],
        }
    )
    raw.details = details
    if absent:
        names = ", ".join(f"{c.name} ({c.chinese})" for c in absent)
        raw.note(later.ngettext("load.note_absent", len(absent), columns=names))
    for header, name in resembles:
        chinese = kind.column(name).chinese
        raw.note(later.t("load.note_kept_aside", header=_header_text(header), column=name, chinese=chinese))


# ---------------------------------------------------------------- text files


def _parse_head(lines: list[str], delimiter: str, max_columns: int = MAX_COLUMNS) -> tuple[list[list[str]], list[int]]:
    """Rows of the first lines, with the (1-based) line on which each row ends; a row wider than
    any report loses its trailing empty cells (`a,b,,,,,` is two columns)."""
    reader = csv.reader(lines, delimiter=delimiter)
    rows, ends = [], []
    try:
        for row in reader:
            rows.append(_trimmed(row) if len(row) > max_columns else row)
            ends.append(reader.line_num)
    except csv.Error:
        pass
    return rows, ends


def _read_text(raw: RawFile, maps: dict[str, HeaderMaps]) -> None:
    data, raw.encoding = utf8_bytes(raw.content)
    data = line_ends_as_newlines(data)
    head = data[:HEAD_BYTES].decode("utf-8", errors="ignore")  # a character cut at the end is dropped
    head_lines = [line.rstrip("\r") for line in head.split("\n")[: HEADER_SEARCH_ROWS + 5]]
    order = DELIMITERS if raw.path.suffix.lower() != ".tsv" else ("\t", ",", ";")
    kinds = [raw.kind] if raw.kind else list(KINDS)
    best, too_wide = None, None
    for rank, delimiter in enumerate(order):
        rows, ends = _parse_head(head_lines, delimiter, raw.limits.max_columns)
        try:
            _check_width(rows, raw.limits.max_columns)
        except FileRejected as exc:
            too_wide = too_wide or exc
            continue
        found = find_header(rows, kinds, maps)
        if found:
            layout, kind = found
            score = (layout.required_present(kind) == len(kind.required), len(layout.named), -rank)
            if best is None or score > best[0]:
                best = (score, delimiter, rows, ends, layout, kind)
    if best is None:
        if too_wide:
            raise too_wide
        raise FileRejected(_no_header(raw.kind) if raw.kind else _unknown_kind())
    _, delimiter, rows, ends, layout, kind = best
    check_layout(layout, kind, maps[kind.name], raw.month_from_name is not None)
    starts = [1] + [end + 1 for end in ends[:-1]]
    header_lines = [starts[layout.first_row + i] for i in range(layout.header_rows)]
    raw.header_row = header_lines[0]
    check_time(raw)
    table = _csv_body(data, ends[layout.data_start - 1], len(layout.headers), delimiter, raw)
    if table.num_rows > raw.limits.max_rows:
        raise FileRejected(too_many_rows(table.num_rows, raw.limits))
    raw.cells = _with_sheet_and_ids(table, None)
    details = {
        "format": raw.path.suffix.lower().lstrip("."),
        "encoding": raw.encoding,
        "delimiter": delimiter,
        "sheets": [{"name": None, "header_rows": header_lines, "rows": table.num_rows}],
        "skipped_sheets": [],
    }
    if delimiter != ",":
        raw.note(later.t(f"load.note_delimiter.{DELIMITER_WORDS[delimiter]}"))
    if raw.encoding.startswith("utf-16"):
        little = raw.encoding.endswith("le")
        raw.note(later.t(N_("load.note_utf16_le") if little else N_("load.note_utf16_be")))
    if layout.header_rows == 2:
        raw.note(later.t("load.note_two_row_lines", first=header_lines[0], second=header_lines[1]))
    _finish(raw, kind, layout, maps[kind.name], details)


def _csv_body(
    content: bytes, header_line: int, width: int, delimiter: str = ",", raw: RawFile | None = None
) -> pa.Table:
    """Data rows after the header line: pyarrow's fast reader, exact Python csv when messy.

    The fast reader splits rows at every line end; a quoted value spanning lines then leaves
    rows of the wrong width (or more lines than rows), and the exact reader takes over.
    """
    data = content[_offset_after_lines(content, header_line) :]
    names = [f"c{i}" for i in range(width)]
    invalid: list[str] = []

    def on_invalid(row):  # ragged row: remember, then re-read exactly below
        invalid.append(row.text)
        return "skip"

    try:
        table = pa_csv.read_csv(
            io.BytesIO(data),
            read_options=pa_csv.ReadOptions(column_names=names, block_size=4 << 20),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, newlines_in_values=False, invalid_row_handler=on_invalid
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowException:
        table, invalid = None, ["unparseable"]
    if table is not None and not invalid:
        lines_in_data = data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
        if lines_in_data == table.num_rows:  # no blank line (the reader skips those): one row per line
            row_no = np.arange(table.num_rows, dtype=np.int64) + header_line + 1
            table = table.append_column("overflow", pa.nulls(table.num_rows, pa.string()))
            return table.append_column("row_no", pa.array(row_no, pa.int64()))
        lines = np.frombuffer(data, dtype=np.uint8)
        newline_at = np.flatnonzero(lines == 10)
        starts = np.concatenate(([0], newline_at + 1))
        ends = np.concatenate((newline_at, [len(data)]))
        keep = starts < len(data)
        starts, ends = starts[keep], ends[keep]
        length = ends - starts
        carriage = (length > 0) & (lines[np.minimum(ends - 1, len(data) - 1)] == 13)
        non_blank = np.flatnonzero((length - carriage) > 0)
        if len(non_blank) == table.num_rows:  # one line per row: line numbers are exact
            row_no = non_blank + header_line + 1
            table = table.append_column("overflow", pa.nulls(table.num_rows, pa.string()))
            return table.append_column("row_no", pa.array(row_no, pa.int64()))
    # Slow, exact path: ragged rows or values spanning lines.
    rows, numbers = [], []
    reader = csv.reader(io.StringIO(data.decode("utf-8", errors="replace"), newline=""), delimiter=delimiter)
    ended = 0  # the line the previous row ended on: a row spanning lines is numbered by its first
    # A cell may be as long as the file (the validator rejects its row past max_cell_chars), not
    # only the csv module's default 128 KiB, which would refuse the whole file.
    field_limit = csv.field_size_limit(max(csv.field_size_limit(), len(data) + 1))
    try:
        for row in reader:
            if row:
                rows.append(row)
                numbers.append(header_line + ended + 1)
                if raw is not None and len(rows) % 50_000 == 0:
                    check_time(raw)
            ended = reader.line_num
    except csv.Error:
        raise FileRejected(later.t("load.unsplittable_line", line=header_line + ended + 1)) from None
    finally:
        csv.field_size_limit(field_limit)
    return _rows_to_table(rows, width, row_numbers=numbers)


def _offset_after_lines(data: bytes, count: int) -> int:
    offset = 0
    for _ in range(count):
        nxt = data.find(b"\n", offset)
        if nxt < 0:
            return len(data)
        offset = nxt + 1
    return offset


def _rows_to_table(
    rows: list[list], width: int, first_row_no: int = 1, row_numbers: list[int] | None = None
) -> pa.Table:
    """Ragged rows to a table of width columns; values beyond the header go to column cN (overflow)."""
    columns: list[list[str]] = [[] for _ in range(width)]
    overflow: list[str | None] = []
    for row in rows:
        cells = [_cell_text(v) for v in row]
        for i in range(width):
            columns[i].append(cells[i] if i < len(cells) else "")
        beyond = [c for c in cells[width:] if c != ""]
        overflow.append("\t".join(beyond) if beyond else None)
    if row_numbers is None:
        row_numbers = list(range(first_row_no, first_row_no + len(rows)))
    arrays = [pa.array(col, pa.string()) for col in columns]
    arrays.append(pa.array(overflow, pa.string()))
    arrays.append(pa.array(row_numbers, pa.int64()))
    names = [f"c{i}" for i in range(width)] + ["overflow", "row_no"]
    return pa.table(arrays, names=names)


def _with_sheet_and_ids(table: pa.Table, sheet: str | None) -> pa.Table:
    """The sheet each row comes from (NULL for a text file) and a row id unique in the file."""
    table = table.append_column(
        "sheet",
        pa.array([sheet] * table.num_rows, pa.string()) if sheet is not None else pa.nulls(table.num_rows, pa.string()),
    )
    return table.append_column("row_id", pa.array(np.arange(table.num_rows, dtype=np.int64)))


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
        if value != value or value in (float("inf"), float("-inf")):
            return ""
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


# ---------------------------------------------------------------- workbooks


@dataclass
class Sheet:
    """One visible worksheet's cells as text (rows from A1, so row numbers match Excel's)."""

    name: str
    rows: list[list[str]]


@dataclass
class ReadSheet(Sheet):
    """A sheet with a header row of the file's kind: its rows are read, from below that header."""

    layout: Layout


# A space, tab or line end, then r=" or r=': the reference attribute of a row or a cell.
_SPACE = (32, 9, 10, 13)


def _grid_of(xml: bytes) -> tuple[int, int, int]:
    """The widest column, the last row and the number of references (rows and cells) of a
    worksheet's XML, read off every r="XFD1048576" attribute in numpy (no XML parsing)."""
    data = np.frombuffer(xml, dtype=np.uint8)
    if len(data) < 8:
        return 0, 0, 0
    at = data[:-4]
    space = (at == 32) | (at == 9) | (at == 10) | (at == 13)
    hits = np.flatnonzero(space & (data[1:-3] == 114) & (data[2:-2] == 61) & ((data[3:-1] == 34) | (data[3:-1] == 39)))
    if not len(hits):
        return 0, 0, 0
    window = data[np.minimum(hits[:, None] + 4 + np.arange(10), len(data) - 1)].astype(np.int64)
    letter = np.cumprod((window[:, :3] >= 65) & (window[:, :3] <= 90), axis=1).astype(bool)
    column = np.zeros(len(hits), dtype=np.int64)
    for j in range(3):
        column = np.where(letter[:, j], column * 26 + window[:, j] - 64, column)
    letters = letter.sum(axis=1)
    digits = np.take_along_axis(window, letters[:, None] + np.arange(7), axis=1)
    digit = np.cumprod((digits >= 48) & (digits <= 57), axis=1).astype(bool)
    row = np.zeros(len(hits), dtype=np.int64)
    for j in range(7):
        row = np.where(digit[:, j], row * 10 + digits[:, j] - 48, row)
    return int(column.max()), int(row.max()), len(hits)


def _check_xlsx_grid(raw: RawFile) -> None:
    """Refuse an .xlsx whose worksheets would not fit in memory before the workbook reader lays
    them out: it allocates every cell from A1 to the last one used, so two values at A1 and
    XFD1048576 (a 1 KB file) would ask for 17 billion cells and abort the process. A sheet may
    span at most a few times the cells it holds plus ten million; its XML is unpacked in slices,
    at most 20 times max_file_mb in all (a zip bomb is refused, not unpacked)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw.content))
        members = [m for m in archive.infolist() if m.filename.lower().endswith(".xml")]
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return  # not a zip: the workbook reader says it is damaged
    budget = int(raw.limits.max_file_mb * 2**20 * 20)
    step, tail = 32 << 20, 64
    for member in members:  # every part: a sheet may live under any name the relationships give
        widest = last = references = 0
        try:
            with archive.open(member) as stream:
                carry = b""
                while True:
                    chunk = stream.read(step)
                    if not chunk or (not carry and b"worksheet" not in chunk[:4096]):
                        break  # the end, or a part that is no worksheet (a theme has r="50000" too)
                    budget -= len(chunk)
                    if budget < 0:
                        raise FileRejected(later.t("load.zip_bomb", max_mb=raw.limits.max_file_mb))
                    column, row, count = _grid_of(carry + chunk)
                    widest, last, references = max(widest, column), max(last, row), references + count
                    carry = chunk[-tail:]  # an attribute cut at the slice's end is read again, whole
                    check_time(raw)
        except FileRejected:
            raise
        except Exception:  # noqa: BLE001 - a damaged part: the workbook reader says so
            return
        if last > raw.limits.max_rows + HEADER_SEARCH_ROWS:
            raise FileRejected(too_many_rows(last, raw.limits))
        if widest * last > 4 * references + 10_000_000:
            raise FileRejected(later.t("load.sparse_sheet", rows=last, columns=widest))


def _open_workbook(raw: RawFile) -> CalamineWorkbook:
    ods = raw.path.suffix.lower() == ".ods"
    if raw.path.suffix.lower() in (".xlsx", ".xlsm"):
        _check_xlsx_grid(raw)
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(raw.content))
    except PasswordError:
        raise FileRejected(later.t("load.workbook_password")) from None
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # noqa: BLE001 - calamine raises (and panics) in many ways on broken files
        damaged = N_("load.workbook_damaged_ods") if ods else N_("load.workbook_damaged_excel")
        raise FileRejected(later.t(damaged)) from None


def _sheet_rows(workbook: CalamineWorkbook, name: str) -> list[list[str]]:
    try:
        values = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # noqa: BLE001 - a sheet part missing or corrupt inside the file
        raise FileRejected(later.t("load.sheet_damaged", sheet=name)) from None
    return [_trimmed([_cell_text(v) for v in row]) for row in values]


def _visible_sheets(raw: RawFile) -> tuple[list[Sheet], list[tuple[str, Said]], list[str]]:
    """Visible worksheets with cells, the sheets passed over with why, and every sheet's name in
    the order of the workbook's tabs.
    Hidden and very hidden sheets are never read: what nobody sees is not part of the report."""
    workbook = _open_workbook(raw)
    try:
        metadata = list(workbook.sheets_metadata)
    except BaseException:  # noqa: BLE001
        raise FileRejected(later.t("load.no_sheet_list")) from None
    sheets: list[Sheet] = []
    skipped: list[tuple[str, Said]] = []
    for meta in metadata:
        if meta.visible != SheetVisibleEnum.Visible:
            skipped.append((meta.name, later.t("load.sheet_hidden")))
        elif meta.typ != SheetTypeEnum.WorkSheet:
            skipped.append((meta.name, later.t("load.sheet_not_table")))
        else:
            check_time(raw)
            rows = _sheet_rows(workbook, meta.name)
            widest = max((len(row) for row in rows[: HEADER_SEARCH_ROWS + 1]), default=0)
            if not any(rows):
                skipped.append((meta.name, later.t("load.sheet_empty")))
            elif widest > raw.limits.max_columns:
                wide = later.t("load.sheet_too_wide", columns=widest, max_columns=raw.limits.max_columns)
                skipped.append((meta.name, wide))
            else:
                sheets.append(Sheet(meta.name, rows))
    return sheets, skipped, [meta.name for meta in metadata]


def _sheet_list(skipped: list[tuple[str, Said]]) -> list[Said]:
    return [later.t("load.in_sheet", sheet=name, text=reason) for name, reason in skipped]


def _read_workbook(raw: RawFile, maps: dict[str, HeaderMaps]) -> None:
    sheets, skipped, names = _visible_sheets(raw)
    several = len(names) > 1

    def in_tab_order(items: list[tuple[str, Said]]) -> list[tuple[str, Said]]:
        return sorted(items, key=lambda item: names.index(item[0]))

    kind = raw.kind
    if kind is None:
        for sheet in sheets:
            found = find_header(sheet.rows, list(KINDS), maps)
            if found:
                kind = found[1]
                break
        else:
            if not several and sheets:
                where = later.t("load.unknown_kind_sheet", rows=HEADER_SEARCH_ROWS, sheet=sheets[0].name)
                raise FileRejected(_unknown_kind(where))
            tried = skipped + [(s.name, later.t("load.sheet_no_known_header")) for s in sheets]
            where = later.t(
                "load.unknown_kind_sheets", rows=HEADER_SEARCH_ROWS, sheets=_sheet_list(in_tab_order(tried))
            )
            raise FileRejected(_unknown_kind(where))
    others = [k for k in KINDS if k is not kind]
    read: list[ReadSheet] = []
    for sheet in sheets:
        complete = find_header(sheet.rows, [kind], maps, complete_only=True)
        other = None if complete else find_header(sheet.rows, others, maps, complete_only=True)
        partial = None if complete or other else find_header(sheet.rows, [kind], maps, complete_only=False)
        found = complete or partial
        if found:
            try:
                check_layout(found[0], kind, maps[kind.name], raw.month_from_name is not None)
            except FileRejected as exc:
                # every message names the sheet
                raise FileRejected(later.t("load.in_sheet", sheet=sheet.name, text=exc.said)) from None
            read.append(ReadSheet(sheet.name, sheet.rows, found[0]))
        elif other:
            skipped.append((sheet.name, later.t("load.sheet_other_kind", kind=other[1].name)))
        else:
            skipped.append((sheet.name, later.t("load.sheet_no_header", kind=kind.name)))
    skipped = in_tab_order(skipped)
    if not read:
        raw.kind = kind
        if not several and len(skipped) == 1 and skipped[0][1]["key"] == "load.sheet_no_header":
            raise FileRejected(later.t("load.in_sheet", sheet=skipped[0][0], text=_no_header(kind)))
        raise FileRejected(
            later.t(
                "load.no_sheet_of_kind",
                kind=kind.name,
                expected=_expected(kind),
                rows=HEADER_SEARCH_ROWS,
                sheets=_sheet_list(skipped),
            )
        )
    rows = sum(len(s.rows) - s.layout.data_start for s in read)
    if rows > raw.limits.max_rows:
        raise FileRejected(too_many_rows(rows, raw.limits))
    layout, placements = _union([_full_width(s, raw.limits.max_columns) for s in read])
    raw.header_row = read[0].layout.first_row + 1
    check_time(raw)
    raw.cells = _sheet_cells(read, placements, len(layout.headers))
    suffix = raw.path.suffix.lower().lstrip(".")
    details = {
        "format": suffix,
        "encoding": None,
        "delimiter": None,
        "sheets": [
            {
                "name": s.name,
                "header_rows": [s.layout.first_row + 1 + i for i in range(s.layout.header_rows)],
                "rows": len(s.rows) - s.layout.data_start,
            }
            for s in read
        ],
        "skipped_sheets": [{"name": name, "reason": say(reason, "en")} for name, reason in skipped],
    }
    if several:
        read_names = ", ".join(f'"{s.name}"' for s in read)
        raw.note(later.ngettext("load.note_read_sheets", len(read), sheets=read_names))
        for name, reason in skipped:
            raw.note(later.t("load.note_skipped_sheet", sheet=name, reason=reason))
    for sheet in read:
        if sheet.layout.header_rows == 2:
            first = sheet.layout.first_row + 1
            two_rows = later.t("load.note_two_row_rows", first=first, second=first + 1)
            raw.note(later.t("load.in_sheet", sheet=sheet.name, text=two_rows) if several else two_rows)
    _finish(raw, kind, layout, maps[kind.name], details)


def _full_width(sheet: ReadSheet, max_columns: int = MAX_COLUMNS) -> Layout:
    """A sheet's layout widened to its widest data row (at most max_columns): values under an
    empty header cell keep a place (shown as `column N` in a rejected row's raw values)."""
    layout = sheet.layout
    widest = max((len(row) for row in sheet.rows[layout.data_start :]), default=0)
    width = max(len(layout.headers), min(widest, max_columns))
    return Layout(
        layout.first_row,
        layout.header_rows,
        layout.headers + [""] * (width - len(layout.headers)),
        layout.column_of,
        layout.date_part_of,
    )


def _union(layouts: list[Layout]) -> tuple[Layout, list[list[int]]]:
    """One layout for sheets whose columns come in different orders: each mapped column once, each
    kept-aside header once, in the order first met; and where each sheet's positions go in it."""
    keys: dict[tuple[str, str, int], int] = {}  # (what, name, which): one key per column of the union
    headers: list[str] = []
    column_of: dict[int, str] = {}
    date_part_of: dict[int, str] = {}
    placements = []
    for layout in layouts:
        placement: list[int] = []
        occurrences: dict[str, int] = {}
        for position, header in enumerate(layout.headers):
            if position in layout.column_of:
                key = ("column", layout.column_of[position], 0)
            elif position in layout.date_part_of:
                key = ("date", layout.date_part_of[position], 0)
            elif header.strip():
                normal = normalise_header(header)
                occurrences[normal] = occurrences.get(normal, 0) + 1
                key = ("aside", normal, occurrences[normal])
            else:
                key = ("blank", "", position)
            if key not in keys:
                keys[key] = len(headers)
                headers.append(header)
                if key[0] == "column":
                    column_of[keys[key]] = key[1]
                elif key[0] == "date":
                    date_part_of[keys[key]] = key[1]
            placement.append(keys[key])
        placements.append(placement)
    first = layouts[0]
    return Layout(first.first_row, first.header_rows, headers, column_of, date_part_of), placements


def _sheet_cells(sheets: list[ReadSheet], placements: list[list[int]], width: int) -> pa.Table:
    """The data rows of every sheet read, placed into the union layout (per-row Python: workbook
    cells come as Python values anyway)."""
    columns: list[list[str]] = [[] for _ in range(width)]
    overflow, row_no, sheet_names = [], [], []
    for sheet, placement in zip(sheets, placements):
        own_width = len(placement)
        missing = [i for i in range(width) if i not in set(placement)]
        for index in range(sheet.layout.data_start, len(sheet.rows)):
            row = sheet.rows[index]
            for position, target in enumerate(placement):
                columns[target].append(row[position] if position < len(row) else "")
            for target in missing:
                columns[target].append("")
            beyond = [c for c in row[own_width:] if c != ""]
            overflow.append("\t".join(beyond) if beyond else None)
            row_no.append(index + 1)
            sheet_names.append(sheet.name)
    arrays = [pa.array(col, pa.string()) for col in columns]
    arrays += [
        pa.array(overflow, pa.string()),
        pa.array(row_no, pa.int64()),
        pa.array(sheet_names, pa.string()),
        pa.array(np.arange(len(row_no), dtype=np.int64)),
    ]
    names = [f"c{i}" for i in range(width)] + ["overflow", "row_no", "sheet", "row_id"]
    return pa.table(arrays, names=names)
