"""Damaged files (issue 11): no file crashes or stalls a load. Every file gets one line with a
sentence, a failure rolls back that file only, the next files load, and the rules' [limits]
(columns, cell size, rows, file size, seconds) bound the work of each file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest

import etl.load
from etl.load import _Watchdog, load_paths
from etl.reject_reasons import REASONS, render
from etl.schema import KIND_BY_NAME

pytestmark = pytest.mark.usefixtures("prebuilt_warehouse")

TODAY = dt.date(2026, 11, 23)
REPAIRS = [
    ["record_no", "dealer_id", "report_month", "submitted_on", "service_type", "requested_at", "status", "labor_fee"]
] + [[f"R{n}", "JX101", "2026-03", "2026-04-09", "repair", "2026-03-05 09:00", "completed", "80"] for n in range(1, 7)]
SALES = [["经销商编号", "月份", "销量", "结算金额"]] + [["JX101", f"2026-{m:02d}", str(m), "5000"] for m in range(1, 7)]
DEALERS = [["dealer_id", "dealer_name", "area_type", "technicians"]] + [
    ["JX101", "杭州西湖家电服务部", "urban", "2"],
    ["JX102", "宁波江北家电", "county", "1"],
]
BASES = {"repairs_2026-03": REPAIRS, "sales_2026": SALES, "dealers": DEALERS}
# A Python exception's name, or the words of a traceback, never belong in a file's line.
TECHNICAL = re.compile(r"Traceback|Exception|Error:|\b[A-Z][A-Za-z]*(Error|Exception|Warning)\b|\bErrno\b")


def text(rows, encoding="utf-8", delimiter=",") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xls(rows) -> bytes:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Sheet1")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ods(rows) -> bytes:
    import pandas as pd

    buffer = io.BytesIO()
    pd.DataFrame(rows[1:], columns=rows[0]).to_excel(buffer, engine="odf", index=False)
    return buffer.getvalue()


FORMATS = {  # name -> (suffix, writer)
    "utf8": (".csv", text),
    "gbk": (".csv", lambda rows: text(rows, "gbk")),
    "utf16": (".txt", lambda rows: text(rows, "utf-16", "\t")),
    "xlsx": (".xlsx", xlsx),
    "xls": (".xls", xls),
    "ods": (".ods", ods),
}


def raw_xlsx(rows, cells_xml: str | None = None) -> bytes:
    """A workbook written by hand: wider than Excel allows (100,000 columns), or any sheet XML."""

    def cell(value):
        return f'<c t="inlineStr"><is><t>{value}</t></is></c>'

    sheet = cells_xml or "".join(f'<row r="{n}">' + "".join(map(cell, row)) + "</row>" for n, row in enumerate(rows, 1))
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{package}"><Relationship Id="rId1" '
            f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{package}"><Relationship Id="rId1" '
            f'Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        z.writestr("xl/worksheets/sheet1.xml", f'<worksheet xmlns="{main}"><sheetData>{sheet}</sheetData></worksheet>')
    return buffer.getvalue()


# ---------------------------------------------------------------- mutations


def _insert(rng, content: bytes, piece: bytes) -> bytes:
    at = rng.randrange(len(content) + 1)
    return content[:at] + piece + content[at:]


def _lines(content: bytes, change) -> bytes:
    head, sep, rest = content.partition(b"\n")
    return change(head) + sep + rest


def _zip_damage(rng, content: bytes) -> bytes:
    """A workbook's package with one part garbled, cut or left out."""
    try:
        source = zipfile.ZipFile(io.BytesIO(content))
        items = [(i.filename, source.read(i)) for i in source.infolist()]
    except zipfile.BadZipFile:
        return content[: len(content) // 2]
    victim = rng.randrange(len(items))
    how = rng.choice(["garble", "cut", "drop"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for n, (name, data) in enumerate(items):
            if n == victim and how == "drop":
                continue
            if n == victim:
                data = (
                    bytes(rng.randrange(256) for _ in range(64)) + data[64:]
                    if how == "garble"
                    else data[: len(data) // 3]
                )
            target.writestr(name, data)
    return buffer.getvalue()


def mutations(rng: random.Random, content: bytes, suffix: str) -> dict[str, bytes]:
    text_file = suffix in (".csv", ".txt", ".tsv")
    sep = b"\t" if suffix == ".txt" else b","
    flips = bytearray(content)
    for _ in range(rng.randint(1, 12)):
        flips[rng.randrange(len(flips))] = rng.randrange(256)
    found = {
        "cut": content[: rng.randrange(1, len(content))],
        "flip": bytes(flips),
        "nul": _insert(rng, content, b"\x00" * rng.randint(1, 5)),
        "cr": _insert(rng, content, b"\r"),
        "quote": _insert(rng, content, b'"'),
        "delimiter": _insert(rng, content, sep * rng.randint(1, 3)),
        "empty": b"",
        "garbage": bytes(rng.randrange(256) for _ in range(rng.randint(1, 3000))),
        "huge_cell": _insert(rng, content, b"x" * 40_000),
    }
    if text_file and suffix == ".csv":
        found["extra_columns"] = _lines(content, lambda head: head + b",x" * 600)
        found["duplicate_header"] = _lines(content, lambda head: head + b"," + head.split(b",")[0])
        found["removed_header"] = _lines(content, lambda head: b",".join(head.split(b",")[1:]))
        found["huge_cell_in_row"] = content.replace(b"\r\n", b"," + b"y" * 40_000 + b"\r\n", 2)
    else:
        found["zip"] = _zip_damage(rng, content)
        found["zip_again"] = _zip_damage(rng, content)
    return found


# ---------------------------------------------------------------- checks of each file


def check_line(result, wh) -> None:
    """One file's result: a status, a sentence, rows that add up, and the database agrees."""
    assert result.status in ("loaded", "rejected", "already_loaded"), result
    for words in [result.message, result.line(), *result.notes, *result.warnings]:
        assert not TECHNICAL.search(words), words
    if result.status == "rejected":
        assert len(result.message) > 20 and " " in result.message, result
    assert result.rows_read == result.rows_loaded + result.rows_rejected, result
    con = duckdb.connect(str(wh.path), read_only=True)
    try:
        logged = con.execute(
            "SELECT file_name, status, rows_read, rows_loaded, rows_rejected, message FROM load_log WHERE load_id = ?",
            [result.load_id],
        ).fetchall()
        assert logged == [
            (result.file, result.status, result.rows_read, result.rows_loaded, result.rows_rejected, result.message)
        ]
        rejects = con.execute("SELECT count(*) FROM rejects WHERE load_id = ?", [result.load_id]).fetchone()[0]
        assert rejects == result.rows_rejected
        stored = (
            con.execute(
                f"SELECT count(*) FROM {KIND_BY_NAME[result.kind].table} WHERE load_id = ?", [result.load_id]
            ).fetchone()[0]
            if result.kind in KIND_BY_NAME
            else 0
        )
        assert stored == (result.rows_loaded if result.status == "loaded" else 0), result
    finally:
        con.close()


def damaged_files(folder: Path, seed: int) -> list[Path]:
    """Every kind in every format, each mutated every way: over 200 small damaged files."""
    rng = random.Random(seed)
    paths = []
    for base, rows in BASES.items():
        for fmt, (suffix, write) in FORMATS.items():
            for how, content in mutations(rng, write(rows), suffix).items():
                # A third of them named so that only their header tells their kind.
                name = f"export_{len(paths):03d}_{fmt}_{how}" if rng.random() < 0.33 else f"{base}_{fmt}_{how}"
                path = folder / f"{name}{suffix}"
                path.write_bytes(content)
                paths.append(path)
    return paths


def test_two_hundred_damaged_files_each_get_a_line_and_the_good_file_after_them_loads(wh):
    wh.dealers(["JX101", "杭州西湖家电服务部"], ["JX102", "宁波江北家电"])
    folder = wh.folder / "damaged"
    folder.mkdir()
    paths = damaged_files(folder, seed=20261123)
    assert len(paths) >= 200
    good = folder / "repairs_2026-04_good.csv"
    good.write_bytes(
        text(
            [REPAIRS[0]]
            + [
                [f"G{n}", "JX102", "2026-04", "2026-05-09", "repair", "2026-04-05 09:00", "completed", "80"]
                for n in range(3)
            ]
        )
    )
    started = time.perf_counter()
    results = load_paths(paths + [good], wh.path, wh.rules, today=TODAY, on_result=lambda r: check_line(r, wh))
    elapsed = time.perf_counter() - started
    assert sorted(r.file for r in results) == sorted(p.name for p in paths + [good])
    assert results[-1].file == good.name and (results[-1].status, results[-1].rows_loaded) == ("loaded", 3)
    assert wh.query("SELECT count(*) FROM repairs WHERE dealer_id = 'JX102'") == [(3,)]
    statuses = {s: sum(r.status == s for r in results) for s in ("loaded", "rejected", "already_loaded")}
    assert statuses["rejected"] > 100 and statuses["loaded"] > 10, statuses
    # No file stalls the load: 200 files in well under their 600 s max_seconds each (about a minute on
    # a quiet 2-core machine; 125 s seen while three other test suites ran).
    assert elapsed < 240, elapsed


# ---------------------------------------------------------------- limits


def test_a_hundred_thousand_columns_are_refused_in_seconds_csv_and_xlsx(wh):
    head = ["record_no", "dealer_id", "service_type", "requested_at", "status"]
    csv_file = wh.folder / "repairs_2026-03.csv"
    csv_file.write_bytes(text([head + ["x"] * 100_000, ["R1", "JX101", "repair", "2026-03-01", "open"]]))
    workbook = wh.folder / "repairs_2026-04.xlsx"
    workbook.write_bytes(raw_xlsx([head + ["x"] * 100_000, ["R1", "JX101", "repair", "2026-04-01", "open"]]))
    for path, words in (
        (csv_file, "line 1 has 100,005 columns, more than max_columns (500)"),
        (workbook, 'sheet "Sheet1": 100,005 columns wide, more than max_columns (500)'),
    ):
        started = time.perf_counter()
        [result] = wh.load(path)
        assert time.perf_counter() - started < 5
        assert result.status == "rejected" and words in result.message, result.message


def test_max_columns_is_a_setting(wh):
    path = wh.file("sales_2026.csv", [SALES[0] + ["备注1", "备注2"], SALES[1] + ["a", "b"]])
    [result] = wh.load(path, rules=wh.rules.with_overrides({"limits.max_columns": 5}))
    assert result.message == (
        "line 1 has 6 columns, more than max_columns (5) of the rules' [limits]: no report is "
        "that wide, so this is not a file the loader knows"
    )


def test_sheet_spread_over_a_huge_empty_grid_is_refused_not_allocated(wh):
    """Two values at A1 and XFD1048576 made the workbook reader ask for 17 billion cells."""
    path = wh.folder / "repairs_2026-03.xlsx"
    path.write_bytes(
        raw_xlsx(
            [],
            '<row r="1"><c r="A1" t="inlineStr"><is><t>record_no</t></is></c></row>'
            '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>',
        )
    )
    [result] = wh.load(path)
    assert result.message == (
        "cannot read the workbook: a sheet spreads its few values over 1,048,576 rows and "
        "16,384 columns, mostly empty; it is damaged or not a report"
    )


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_more_rows_than_max_rows_refuses_the_file_whole(wh, suffix):
    wh.dealers(["JX101", "x"])
    path = wh.file(f"sales_2026{suffix}", SALES)
    rules = wh.rules.with_overrides({"limits.max_rows": 5})
    [result] = wh.load(path, rules=rules)
    assert (result.status, result.message) == (
        "rejected",
        "it has 6 rows after its header, more than max_rows (5) of the rules' [limits]; split it into smaller files",
    )
    assert wh.query("SELECT count(*) FROM sales") == [(0,)]
    [again] = wh.load(path, rules=wh.rules.with_overrides({"limits.max_rows": 6}))
    assert (again.status, again.rows_loaded) == ("loaded", 6)


def test_a_file_over_max_file_mb_is_refused_before_it_is_read(wh, monkeypatch):
    path = wh.file("sales_2026.csv", SALES)
    path.write_bytes(path.read_bytes() + b" " * 2**20)
    real = Path.read_bytes
    monkeypatch.setattr(
        Path, "read_bytes", lambda self: pytest.fail("the bytes were read") if self.name == path.name else real(self)
    )
    [result] = wh.load(path, rules=wh.rules.with_overrides({"limits.max_file_mb": 1}))
    assert result.message == (
        "the file is 1 MB, more than max_file_mb (1 MB) of the rules' [limits]; split it into smaller files"
    )
    assert wh.query("SELECT status, archived_as, sha256 FROM load_log") == [("rejected", None, None)]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_cell_longer_than_max_cell_chars_rejects_its_row_naming_column_and_length(wh, suffix):
    """A workbook's reader cuts a cell at Excel's 32,767 characters, so the setting is lowered here."""
    wh.dealers(["JX101", "x"])
    rows = [REPAIRS[0] + ["备注"]] + [row + [""] for row in REPAIRS[1:4]]
    rows[2][6] = "c" * 1500  # status of R2
    rows[3][8] = "n" * 1200  # the kept-aside 备注 of R3
    rules = wh.rules.with_overrides({"limits.max_cell_chars": 1000})
    [result] = wh.load(wh.file(f"repairs_2026-03{suffix}", rows), rules=rules)
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("loaded", 1, 2)
    reasons = wh.query(
        "SELECT row_no, reason, length(raw_values->>'status'), length(raw_values->>'备注') FROM rejects ORDER BY row_no"
    )
    assert reasons[0][0] == 3 and reasons[0][1].startswith(
        "status is 1500 characters long, more than the 1,000 a cell may hold; status"
    )
    assert reasons[0][2] == 1000  # raw values kept to the limit
    assert reasons[1] == (4, "备注 is 1200 characters long, more than the 1,000 a cell may hold", 9, 1000)


def test_a_cell_longer_than_excels_limit_by_default_rejects_its_row(wh):
    wh.dealers(["JX101", "x"])
    rows = [REPAIRS[0]] + [list(row) for row in REPAIRS[1:3]]
    rows[2][7] = "9" * 40_000
    [result] = wh.load(wh.file("repairs_2026-03.csv", rows))
    assert (result.rows_loaded, result.rows_rejected) == (1, 1)
    assert wh.query("SELECT reason FROM rejects")[0][0].startswith(
        "labor_fee is 40000 characters long, more than the 32,767 a cell may hold"
    )


def test_cell_too_long_reason_in_english_and_chinese():
    problem = {"code": "cell_too_long", "col": "status", "value": "40000", "detail": "32,767"}
    assert "cell_too_long" in REASONS
    assert render(problem, "repairs") == "status is 40000 characters long, more than the 32,767 a cell may hold"
    assert render(problem, "repairs", "zh") == "状态长度为 40000 个字符，超过单元格上限 32,767 个字符"


def test_a_file_over_max_seconds_is_stopped_rolled_back_and_the_next_loads(wh):
    wh.dealers(["JX101", "x"])
    big = wh.folder / "repairs_2026-03.csv"
    big.write_bytes(
        text(
            REPAIRS[:1]
            + [
                [f"R{n}", "JX101", "2026-03", "2026-04-09", "repair", "3/5/26 9:00", "completed", "80"]
                for n in range(100_000)
            ]
        )
    )
    small = wh.file("sales_2026.csv", SALES)
    before = wh.query("SELECT count(*) FROM repairs")
    started = time.perf_counter()
    small_result, big_result = wh.load(big, small, rules=wh.rules.with_overrides({"limits.max_seconds": 0.05}))
    assert time.perf_counter() - started < 10
    assert (big_result.status, big_result.message) == (
        "rejected",
        "it took longer than max_seconds (0.05 s) of the rules' [limits] to read and check, "
        "so it was stopped and nothing of it was stored",
    )
    assert wh.query("SELECT count(*) FROM repairs") == before
    assert wh.query("SELECT count(*) FROM rejects") == [(0,)]
    assert small_result.file == "sales_2026.csv"  # a small file's work fits in 0.05 s or is refused alike
    assert small_result.status in ("loaded", "rejected")


def test_the_watchdog_interrupts_a_running_statement():
    con = duckdb.connect()
    watchdog = _Watchdog(con, 0.05)
    started = time.perf_counter()
    with pytest.raises(duckdb.InterruptException):
        con.execute("SELECT count(*) FROM range(1000000000000) a WHERE a.range % 7 = 3").fetchall()
    assert time.perf_counter() - started < 2 and watchdog.expired
    disarmed = _Watchdog(con, 0.05)
    disarmed.disarm()
    time.sleep(0.1)
    assert not disarmed.expired and con.execute("SELECT 1").fetchall() == [(1,)]


# ---------------------------------------------------------------- failures of one file


@pytest.mark.parametrize(
    "error, words",
    [
        (
            OSError(28, "No space left on device"),
            "the disk or file system failed (no space left on device) while storing its rows in the database",
        ),
        (MemoryError(), "this machine ran out of memory while storing its rows in the database"),
        (
            duckdb.ConversionException("Conversion Error: x"),
            "something unexpected went wrong while storing its rows "
            "in the database (the load log's details keep the technical message)",
        ),
    ],
)
def test_any_failure_of_one_file_is_a_sentence_and_the_next_file_loads(wh, monkeypatch, error, words):
    wh.dealers(["JX101", "x"])
    original = etl.load._upsert

    def fail_on_sales(con, kind, load_id):
        if kind.name == "sales":
            raise error
        original(con, kind, load_id)

    monkeypatch.setattr(etl.load, "_upsert", fail_on_sales)
    sales = wh.file("sales_2026.csv", SALES)
    dealers = wh.file("dealers_2.csv", DEALERS)
    repairs = wh.file("repairs_2026-03.csv", REPAIRS)
    first, second, third = wh.load(repairs, sales, dealers)
    assert [(r.file, r.status) for r in (first, second, third)] == [
        ("dealers_2.csv", "loaded"),
        ("sales_2026.csv", "rejected"),
        ("repairs_2026-03.csv", "loaded"),
    ]
    assert second.message == f"could not be loaded, nothing of it was stored: {words}"
    assert wh.query("SELECT count(*) FROM sales") == [(0,)]
    assert wh.query("SELECT details->'failure'->>'error' FROM load_log WHERE file_name = 'sales_2026.csv'") == [
        (type(error).__name__,)
    ]


def test_a_file_that_cannot_be_opened_has_its_line_and_the_next_loads(wh, monkeypatch):
    wh.dealers(["JX101", "x"])
    gone = wh.folder / "in" / "export_gone.csv"
    sales = wh.file("sales_2026.csv", SALES)
    gone.write_bytes(text(SALES))
    named_gone = wh.folder / "in" / "sales_2025.csv"
    named_gone.write_bytes(text(SALES))
    real = Path.read_bytes

    def unreadable(self):
        if self.name in ("export_gone.csv", "sales_2025.csv"):
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", unreadable)
    results = wh.load(gone, named_gone, sales)
    assert [(r.file, r.status, r.message) for r in results] == [
        ("export_gone.csv", "rejected", "cannot open the file: Permission denied"),
        ("sales_2025.csv", "rejected", "cannot open the file: Permission denied"),
        ("sales_2026.csv", "loaded", ""),
    ]


def test_keyboard_interrupt_still_stops_the_command(wh, monkeypatch):
    wh.dealers(["JX101", "x"])
    monkeypatch.setattr(etl.load, "_upsert", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        wh.load(wh.file("sales_2026.csv", SALES))
    assert wh.query("SELECT count(*) FROM sales") == [(0,)]


# ---------------------------------------------------------------- the command line


def test_bad_utf8_byte_in_a_file_named_by_its_header_beside_good_files_on_the_command_line(tmp_path):
    """The attack of issue 11: the whole command stopped with UnicodeDecodeError."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "dealers.csv").write_bytes(text(DEALERS))
    (folder / "export.csv").write_bytes(
        "编号,经销商编号,日期,来源,内容\nN1,JX101,2025-01-05,市场监管局,服务不到位\n".encode()
        + b"N2,JX101,2025-01-06,\xe5\xb8,x\n"
    )
    (folder / "export_cr.csv").write_bytes(b"dealer_id,month,units_sold,sales_amount\r\nJX101,2026-01,1\r,5\r\n")
    (folder / "sales_2026.csv").write_bytes(text(SALES))
    done = subprocess.run(
        [sys.executable, "-m", "etl", "load", str(folder), "--db", str(tmp_path / "w.duckdb")],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and not TECHNICAL.search(done.stdout), done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if not line.startswith("  ")]
    assert sorted(line.split(":")[0] for line in lines[:-1]) == [
        "dealers.csv",
        "export.csv",
        "export_cr.csv",
        "sales_2026.csv",
    ]
    assert (
        "export.csv: REJECTED (unknown kind): cannot read the file: it is UTF-8 text (most of it reads as UTF-8) "
        "but line 3 holds a byte that is not UTF-8" in done.stdout
    )
    assert "sales_2026.csv: sales: 6 rows read, 6 loaded, 0 rejected" in done.stdout
    assert lines[-1].startswith("4 files in ")
