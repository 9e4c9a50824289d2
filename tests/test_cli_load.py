"""`python -m etl load PATH... [--db] [--rules] [--submitted-on]` (spec 5): one line per file,
exit codes 0 / 1 / 2, and a load killed mid-file leaving the database as it was (spec 2.7)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from conftest import write_csv
from etl.cli import main

PROJECT = Path(__file__).resolve().parent.parent
REPAIR_HEADER = ["record_no", "dealer_id", "report_month", "submitted_on", "service_type", "requested_at", "status"]
SUMMARY = re.compile(
    r"(\d+) files in \d+\.\d s: (\d+) loaded, (\d+) already loaded, (\d+) rejected; "
    r"rows: (\d+) read, (\d+) loaded, (\d+) rejected$"
)


@pytest.fixture
def db(tmp_path, empty_warehouse_file, monkeypatch) -> Path:
    monkeypatch.delenv("SERVICE_QC_DB", raising=False)
    monkeypatch.delenv("SERVICE_QC_RULES", raising=False)
    for name in ("LC_ALL", "LC_MESSAGES"):  # the lines' language follows the locale: English here, on any machine
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    path = tmp_path / "db" / "warehouse.duckdb"
    path.parent.mkdir()
    shutil.copyfile(empty_warehouse_file, path)
    return path


@pytest.fixture
def inbox(tmp_path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    write_csv(
        folder / "dealers.csv",
        [
            ["dealer_id", "dealer_name", "area_type"],
            ["JX101", "杭州西湖家电服务部", "urban"],
            ["JX102", "宁波江北家电", "county"],
        ],
    )
    return folder


def query(db: Path, sql: str):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def run(capsys, *argv, notes=False):
    """Exit code and printed lines; the `  note:` lines (how a file was read) only when asked for."""
    code = main(["load", *map(str, argv)])
    out = capsys.readouterr().out.splitlines()
    return code, [line for line in out if notes or not line.startswith("  note: ")]


def test_the_file_line_names_the_optional_columns_that_are_absent(capsys, db, inbox):
    code, out = run(capsys, inbox / "dealers.csv", "--db", db, notes=True)
    assert code == 0
    assert out[:-1] == [
        "dealers.csv: dealers: 2 rows read, 2 loaded, 0 rejected",
        "  note: no column for region (大区), province (省份), city (城市), technicians (维修人员数), "
        "has_service_center (服务网点), joined_on (签约日期), left_on (解约日期): they stay empty",
    ]


def test_exit_0_when_only_rows_are_rejected(capsys, db, inbox):
    repairs = write_csv(
        inbox / "repairs_2026-03.csv",
        [
            REPAIR_HEADER[:3] + REPAIR_HEADER[4:],
            ["R1", "JX101", "2026-03", "repair", "2026-03-05 09:00", "open"],
            ["R2", "D123", "2026-03", "repair", "2026-03-05 09:00", "open"],
            ["R3", "JX102", "2026-03", "换机", "2026-03-05 09:00", "open"],
        ],
    )
    code, out = run(capsys, inbox / "dealers.csv", repairs, "--db", db)
    assert code == 0
    assert out[:-1] == [
        "dealers.csv: dealers: 2 rows read, 2 loaded, 0 rejected",
        "repairs_2026-03.csv: repairs: 3 rows read, 1 loaded, 2 rejected",
        f"  warning: no submitted_on column and no --submitted-on: used the load date {dt.date.today()} "
        "as the submission date",
    ]
    assert SUMMARY.match(out[-1]).groups() == ("2", "2", "0", "0", "5", "3", "2")
    assert query(db, "SELECT row_no, reason FROM rejects ORDER BY row_no") == [
        (3, "unknown dealer D123"),
        (4, 'service_type "换机" is not one of install, repair, maintenance (安装, 维修, 保养)'),
    ]
    assert query(db, "SELECT record_no, submitted_on FROM repairs") == [("R1", dt.date.today())]


def test_exit_1_when_a_file_is_rejected_whole_and_the_others_still_load(capsys, db, inbox):
    write_csv(
        inbox / "repairs_2026-03.csv",
        [REPAIR_HEADER, ["R1", "JX101", "2026-03", "2026-04-09", "repair", "2026-03-05 09:00", "open"]],
    )
    write_csv(inbox / "sales_2026.csv", [["dealer_id", "month", "units_sold"], ["JX101", "2026-03", "5"]])
    write_csv(inbox / "mystery.csv", [["a", "b"], ["1", "2"]])
    code, out = run(capsys, inbox, "--db", db)
    assert code == 1
    assert sorted(out[:-1]) == sorted(
        [
            "dealers.csv: dealers: 2 rows read, 2 loaded, 0 rejected",
            "sales_2026.csv: REJECTED (sales): missing required column sales_amount (结算金额); "
            "headers found: dealer_id, month, units_sold",
            "repairs_2026-03.csv: repairs: 1 rows read, 1 loaded, 0 rejected",
            "mystery.csv: REJECTED (unknown kind): cannot tell what kind of file this is: its name does not "
            "start with one of dealers, 经销商, sales, 销量, repairs, 维修, callbacks, 回访, hotline, 热线, "
            "notices, 通报, and none of its first 50 rows is a header row of a known kind",
        ]
    )
    loaded = [line for line in out[:-1] if "REJECTED" not in line]
    assert loaded == [
        "dealers.csv: dealers: 2 rows read, 2 loaded, 0 rejected",
        "repairs_2026-03.csv: repairs: 1 rows read, 1 loaded, 0 rejected",
    ]
    assert SUMMARY.match(out[-1]).groups() == ("4", "2", "0", "2", "3", "3", "0")
    assert query(db, "SELECT count(*) FROM sales") == [(0,)]
    assert query(db, "SELECT record_no FROM repairs") == [("R1",)]


def test_second_run_reports_already_loaded_and_exits_0(capsys, db, inbox):
    assert run(capsys, inbox, "--db", db)[0] == 0
    code, out = run(capsys, inbox / "dealers.csv", "--db", db)
    assert code == 0
    assert re.fullmatch(
        r"dealers\.csv: dealers: already loaded, nothing to do \(same content as dealers\.csv, "
        r"load #1 at \d{4}-\d\d-\d\d \d\d:\d\d\)",
        out[0],
    )
    assert SUMMARY.match(out[1]).groups() == ("1", "0", "1", "0", "0", "0", "0")


def test_submitted_on_option_and_folders_in_kind_order(capsys, db, inbox):
    nested = inbox / "dealer_reports" / "JX102"
    nested.mkdir(parents=True)
    write_csv(
        nested / "维修_JX102_202603.csv",
        [
            ["维修单号", "经销商编号", "服务类型", "报修时间", "状态"],
            ["W1", "JX102", "维修", "2026/3/5 9:00", "已完成"],
        ],
        "gbk",
    )
    write_csv(
        inbox / "a_callbacks_export.csv",
        [
            ["callback_id", "record_no", "dealer_id", "called_at", "reached"],
            ["HF1", "W1", "JX102", "2026-04-02 10:00", "是"],
        ],
    )
    (inbox / "notes.txt.bak").write_text("not a data file")
    code, out = run(capsys, inbox, "--db", db, "--submitted-on", "2026-04-12")
    assert code == 0
    assert out[:-1] == [
        "dealers.csv: dealers: 2 rows read, 2 loaded, 0 rejected",
        "维修_JX102_202603.csv: repairs: 1 rows read, 1 loaded, 0 rejected",
        "  warning: no submitted_on column: used --submitted-on 2026-04-12 as the submission date",
        "a_callbacks_export.csv: callbacks: 1 rows read, 1 loaded, 0 rejected",
    ]
    assert query(db, "SELECT dealer_id, record_no, report_month, submitted_on FROM repairs") == [
        ("JX102", "W1", dt.date(2026, 3, 1), dt.date(2026, 4, 12))
    ]
    assert query(db, "SELECT first_submitted_on FROM report_submissions") == [(dt.date(2026, 4, 12),)]


def test_database_from_the_environment_when_no_db_option(capsys, db, inbox, monkeypatch):
    monkeypatch.setenv("SERVICE_QC_DB", str(db))
    code, out = run(capsys, inbox / "dealers.csv")
    assert (code, out[0]) == (0, "dealers.csv: dealers: 2 rows read, 2 loaded, 0 rejected")
    assert query(db, "SELECT dealer_id FROM dealers ORDER BY 1") == [("JX101",), ("JX102",)]


@pytest.mark.parametrize(
    "argv",
    [
        ["load"],
        ["load", "x.csv", "--bogus"],
        ["load", "x.csv", "--submitted-on", "2026-02-30"],
        ["load", "x.csv", "--submitted-on", "12/04/2026"],
        ["lod", "x.csv"],
    ],
)
def test_exit_2_for_a_wrong_command_line(capsys, argv):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    assert "error" in capsys.readouterr().err


def test_exit_2_for_a_missing_path_an_empty_folder_or_a_missing_rules_file(capsys, db, tmp_path):
    assert main(["load", str(tmp_path / "nowhere.csv"), "--db", str(db)]) == 2
    assert capsys.readouterr().err == f"error: no such file or folder: {tmp_path / 'nowhere.csv'}\n"
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "readme.md").write_text("no data here")
    assert main(["load", str(empty), "--db", str(db)]) == 2
    assert capsys.readouterr().err == f"error: no data files (.csv .tsv .txt .xlsx .xlsm .xls .ods) found in {empty}\n"
    rules = tmp_path / "missing.toml"
    assert main(["load", str(empty), "--db", str(db), "--rules", str(rules)]) == 2
    assert capsys.readouterr().err == f"error: rules file {rules} does not exist\n"
    assert query(db, "SELECT count(*) FROM load_log") == [(0,)]


def test_exit_codes_of_the_real_command(db, inbox):
    def command(*argv):
        return subprocess.run(
            [sys.executable, "-m", "etl", "load", *map(str, argv)],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            timeout=120,
        )

    ok = command(inbox / "dealers.csv", "--db", db)
    assert (ok.returncode, ok.stdout.splitlines()[0]) == (0, "dealers.csv: dealers: 2 rows read, 2 loaded, 0 rejected")
    write_csv(inbox / "hotline.csv", [["ticket_id", "dealer_id"], ["T1", "JX101"]])
    bad = command(inbox / "hotline.csv", "--db", db)
    assert bad.returncode == 1
    assert bad.stdout.splitlines()[0] == (
        "hotline.csv: REJECTED (hotline): missing required columns received_at (受理时间), ticket_type (工单类型); "
        "headers found: ticket_id, dealer_id"
    )
    usage = command("--db", db)
    assert usage.returncode == 2
    assert "the following arguments are required: PATH" in usage.stderr


# ---------------------------------------------------------------- killed mid-file

BIG_HEADER = (
    "record_no,dealer_id,report_month,submitted_on,service_type,requested_at,arrived_at,completed_at,"
    "status,labor_fee,parts_fee,customer_phone\n"
)


def write_big_repairs(path: Path, rows: int) -> None:
    """JX101's March again (replacing the small file's records) and April; every 1000th row is bad."""
    line = "BIG{0:07d},JX101,{1},2026-05-03,repair,{1}-05 09:00,{1}-05 15:00,{1}-05 17:00,{2},80,20.5,13805712345\n"
    with path.open("w", encoding="utf-8") as out:
        out.write(BIG_HEADER)
        out.write(
            "".join(
                line.format(i, "2026-03" if i % 2 else "2026-04", "bad" if i % 1000 == 999 else "completed")
                for i in range(rows)
            )
        )


def state(db: Path):
    tables = ["dealers", "repairs", "rejects", "report_submissions", "load_log"]
    return {t: query(db, f"SELECT * FROM {t} ORDER BY ALL") for t in tables}


def test_kill_mid_file_leaves_the_database_as_it_was(tmp_path, db, inbox):
    small = write_csv(
        inbox / "repairs_2026-03.csv",
        [
            REPAIR_HEADER,
            ["S1", "JX101", "2026-03", "2026-04-09", "repair", "2026-03-05 09:00", "open"],
            ["S2", "JX101", "2026-03", "2026-04-09", "repair", "2026-03-06 09:00", "bad"],
        ],
    )
    assert main(["load", str(inbox / "dealers.csv"), str(small), "--db", str(db)]) == 0
    assert not db.with_name(db.name + ".wal").exists()
    before = state(db)
    tables = ("dealers", "repairs", "rejects", "report_submissions", "load_log")
    assert [len(before[t]) for t in tables] == [2, 1, 1, 1, 2]
    template = tmp_path / "before.duckdb"
    shutil.copyfile(db, template)

    def start(big: Path):
        return subprocess.Popen(
            [sys.executable, "-m", "etl", "load", str(big), "--db", str(db)],
            cwd=PROJECT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def kill(process) -> bool:
        """SIGKILL now; True when the process had not finished."""
        running = process.poll() is None
        os.kill(process.pid, signal.SIGKILL)
        out, _ = process.communicate()
        assert b"rows read" not in out or not running
        return running

    rows = 300_000
    big = tmp_path / "repairs_big.csv"
    killed_while = []
    for moment in ("reading", "writing"):
        while True:
            write_big_repairs(big, rows)
            archived = db.parent / "archive" / hashlib.sha256(big.read_bytes()).hexdigest()[:16]
            size = db.stat().st_size
            process = start(big)
            deadline = time.monotonic() + 120
            if moment == "reading":
                # Inside the file's transaction: the archive copy is made just after it begins.
                while process.poll() is None and not (archived / big.name).exists():
                    time.sleep(0.005)
                time.sleep(0.3)
            else:
                # DuckDB writes the new rows' blocks into the database file before the commit.
                while process.poll() is None and db.stat().st_size == size and time.monotonic() < deadline:
                    time.sleep(0.002)
            grew = db.stat().st_size != size
            if kill(process):
                assert moment == "reading" or grew, "killed before any row was written"
                break
            shutil.copyfile(template, db)  # it finished first: start again from before, bigger
            rows *= 2
        killed_while.append(moment)
        assert state(db) == before, f"killed while {moment}"
    assert killed_while == ["reading", "writing"]

    finished = subprocess.run(
        [sys.executable, "-m", "etl", "load", str(big), "--db", str(db)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stderr
    bad = rows // 1000
    assert finished.stdout.splitlines()[0] == (
        f"repairs_big.csv: repairs: {rows} rows read, {rows - bad} loaded, {bad} rejected"
    )
    # March of JX101 was replaced by the big file's March rows (the small file's S1 is gone).
    march = sum(1 for i in range(rows) if i % 2 and i % 1000 != 999)
    assert query(db, "SELECT strftime(report_month, '%Y-%m'), count(*) FROM repairs GROUP BY 1 ORDER BY 1") == [
        ("2026-03", march),
        ("2026-04", rows - bad - march),
    ]
    assert query(db, "SELECT count(*) FROM repairs WHERE record_no = 'S1'") == [(0,)]
    assert query(db, "SELECT count(*) FROM rejects") == [(1 + bad,)]
    assert query(db, "SELECT file_name, status, rows_read FROM load_log ORDER BY load_id") == [
        ("dealers.csv", "loaded", 2),
        ("repairs_2026-03.csv", "loaded", 2),
        ("repairs_big.csv", "loaded", rows),
    ]
    assert query(
        db, "SELECT strftime(report_month, '%Y-%m'), first_submitted_on, submissions FROM report_submissions ORDER BY 1"
    ) == [("2026-03", dt.date(2026, 4, 9), 2), ("2026-04", dt.date(2026, 5, 3), 1)]
    [(archived_as,)] = query(db, "SELECT archived_as FROM load_log WHERE file_name = 'repairs_big.csv'")
    assert Path(archived_as).read_bytes() == big.read_bytes()


PREFIXES = "dealers, 经销商, sales, 销量, repairs, 维修, callbacks, 回访, hotline, 热线, notices, 通报"
UNKNOWN_EN = (
    "mystery.csv: REJECTED (unknown kind): cannot tell what kind of file this is: its name does not start with one "
    f"of {PREFIXES}, and none of its first 50 rows is a header row of a known kind"
)
UNKNOWN_ZH = (
    f"mystery.csv：整个文件被拒绝（类型不明）：无法判断文件类型：文件名不以 {PREFIXES} 之一开头，"
    "并且其前 50 行中也没有已知类型的表头行"
)


def test_the_lines_speak_the_language_of_lang_else_of_the_locale(capsys, db, inbox, monkeypatch):
    """Issue 12.2: the same files give Chinese lines with --lang zh (or a Chinese locale), English ones with --lang en
    (or any other locale; LC_ALL before LANG); the load log keeps the messages, and the Data page words them."""
    from etl.metrics import operations
    from etl.wording import load_log_in_words

    write_csv(inbox / "mystery.csv", [["a", "b"], ["1", "2"]])
    assert main(["load", str(inbox), "--db", str(db), "--lang", "zh"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == [  # a file whose name tells no kind is read first
        UNKNOWN_ZH,
        "dealers.csv：dealers：读取 2 行，导入 2 行，拒绝 0 行",
        "  说明：没有 region (大区), province (省份), city (城市), technicians (维修人员数), "
        "has_service_center (服务网点), joined_on (签约日期), left_on (解约日期) 列：留空",
    ]
    assert re.fullmatch(
        r"2 个文件，用时 \d+\.\d 秒：导入 1 个，已导入过 0 个，拒绝 1 个；行：读取 2 行，导入 2 行，拒绝 0 行", out[3]
    )
    assert main(["load", str(inbox / "mystery.csv"), "--db", str(db), "--lang", "en"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == UNKNOWN_EN
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert main(["load", str(inbox / "mystery.csv"), "--db", str(db)]) == 1
    assert capsys.readouterr().out.splitlines()[0] == UNKNOWN_ZH
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    assert main(["load", str(inbox / "mystery.csv"), "--db", str(db)]) == 1
    assert capsys.readouterr().out.splitlines()[0] == UNKNOWN_EN
    # the load log: English words (as before), the messages beside them; the Data page shows them in its language
    con = duckdb.connect(str(db), read_only=True)
    try:
        history = operations.load_history(con)
    finally:
        con.close()
    mystery = history["file_name"] == "mystery.csv"
    assert list(history["message"][mystery]) == [UNKNOWN_EN.split(": ", 2)[2]] * 4
    chinese, english = load_log_in_words(history, "zh"), load_log_in_words(history, "en")
    assert "said" not in chinese.columns and list(english["message"]) == list(history["message"])
    assert list(chinese["message"][mystery]) == [UNKNOWN_ZH.split("：", 2)[2]] * 4
    dealers = chinese[chinese["file_name"] == "dealers.csv"]
    assert list(dealers["notes"]) == [out[2].removeprefix("  说明：")]


def test_usage_errors_speak_chinese_too(capsys, db, tmp_path):
    assert main(["load", str(tmp_path / "nowhere.csv"), "--db", str(db), "--lang", "zh"]) == 2
    assert capsys.readouterr().err == f"错误：没有这个文件或文件夹：{tmp_path / 'nowhere.csv'}\n"
