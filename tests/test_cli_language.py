"""Issue 12.2: every word `python -m etl` prints comes from the catalogs, in Chinese when the locale is Chinese
(LANG=zh_CN.UTF-8) or --lang zh is given anywhere on the command line, else in English: the messages, the help
texts and argparse's own words. Each expected line is written out here by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write_csv
from etl.cli import main, wrap_wide

HEADER = ["维修单号", "经销商编号", "报表月份", "提交日期", "服务类型", "报修时间", "状态"]


@pytest.fixture
def locale(monkeypatch):
    """Sets the environment's locale as a shell would (LC_ALL and LC_MESSAGES unset: LANG decides)."""
    for name in ("LC_ALL", "LC_MESSAGES", "SERVICE_QC_DB", "SERVICE_QC_RULES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "80")  # argparse's help width

    def use(value: str) -> None:
        monkeypatch.setenv("LANG", value)

    return use


def run(capsys, *argv) -> tuple[int, str, str]:
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse's own refusals
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("zh_CN.UTF-8", "错误：报表 award 需要 --year\n"), ("C", "error: report award needs --year\n")],
)
def test_a_report_usage_error_in_the_locales_language(capsys, locale, tmp_path, lang, expected):
    locale(lang)
    assert run(capsys, "report", "award", "--out", tmp_path / "award.csv") == (2, "", expected)


def test_report_options_for_pack_only_are_refused_in_the_language_their_lang_names(capsys, locale, tmp_path):
    """--lang is the pack's option (its documents' language): on another report it is refused, in its language."""
    locale("C")
    code, _, err = run(capsys, "report", "monthly", "--lang", "zh", "--out", tmp_path / "m.csv")
    assert (code, err) == (2, "错误：--lang 只适用于报表 pack\n")
    locale("zh_CN.UTF-8")
    funnel = ["report", "funnel", "--metric", "complaint_rate", "--from", "2025-05", "--to", "2025-02"]
    code, _, err = run(capsys, *funnel, "--out", tmp_path / "f.csv")
    assert (code, err) == (2, "错误：--from 晚于 --to\n")


def test_rejects_refuses_an_out_that_is_not_a_workbook_in_either_language(capsys, locale, tmp_path):
    out = tmp_path / "sheet.csv"
    locale("zh_CN.UTF-8")
    assert run(capsys, "rejects", "--file", "a.csv", "--out", out) == (2, "", "错误：--out 必须以 .xlsx 结尾\n")
    locale("C")
    assert run(capsys, "rejects", "--file", "a.csv", "--out", out) == (2, "", "error: --out must end in .xlsx\n")
    # --lang is the sheet's language and, given, the messages' too
    locale("C")
    code, _, err = run(capsys, "rejects", "--lang", "zh", "--file", "a.csv", "--out", out)
    assert (code, err) == (2, "错误：--out 必须以 .xlsx 结尾\n")


@pytest.mark.parametrize("command", [["refresh"], ["export", "--out", "parquet"]])
def test_refresh_and_export_without_a_database(capsys, locale, tmp_path, command):
    nowhere = tmp_path / "none" / "warehouse.duckdb"
    locale("zh_CN.UTF-8")
    assert run(capsys, *command, "--db", nowhere) == (2, "", f"错误：找不到数据库：{nowhere}\n")
    locale("C")
    assert run(capsys, *command, "--db", nowhere) == (2, "", f"error: no database at {nowhere}\n")
    locale("zh_CN.UTF-8")  # --lang before the command's name as after it
    assert run(capsys, *command, "--lang", "en", "--db", nowhere)[2] == f"error: no database at {nowhere}\n"
    assert not nowhere.parent.exists()


@pytest.fixture
def files(tmp_path):
    """A repairs file with one row to reject (a status not in the list), and one without the required columns."""
    good = write_csv(
        tmp_path / "repairs_2025-03.csv",
        [
            HEADER,
            ["R1", "JX101", "2025-03", "2025-04-09", "维修", "2025-03-05 09:00", "已完成"],
            ["R2", "JX101", "2025-03", "2025-04-09", "维修", "2025-03-06 10:00", "换机"],
        ],
    )
    bad = write_csv(tmp_path / "repairs_2025-05.csv", [["维修单号", "经销商编号"], ["R1", "JX101"]])
    return good, bad, tmp_path / "none" / "warehouse.duckdb"


def test_inspect_in_chinese(capsys, locale, files):
    good, bad, nowhere = files
    locale("zh_CN.UTF-8")
    code, out, _ = run(capsys, "inspect", good, bad, "--db", nowhere)
    lines = out.splitlines()
    assert code == 1
    assert lines[:3] == [
        "repairs_2025-03.csv：repairs：读取 2 行，将导入 1 行，将拒绝 1 行",
        "  读取方式：csv，utf-8，以逗号分隔",
        "  表头行 1",
    ]
    assert lines[3].startswith("  列：维修单号 -> record_no，经销商编号 -> dealer_id，报表月份 -> report_month，")
    assert "  说明：还没有数据库：未核对经销商编号，也未核对回访对应的维修记录" in lines
    first = lines.index("  前几条被拒绝的行（共 1 行）：")
    assert lines[first + 1 :] == [
        "    第 3 行：状态“换机”不是可选值之一：completed, returned_to_factory, open (已完成, 返厂, 未完成)",
        "  原因：状态“…”不是可选值之一：…（1 行）",
        "repairs_2025-05.csv：将被整个拒绝（repairs）：缺少必填列 service_type (服务类型), requested_at (报修时间), "
        "status (状态)；文件中的表头：维修单号, 经销商编号",
    ]


def test_inspect_in_english(capsys, locale, files):
    good, bad, nowhere = files
    locale("C")
    code, out, _ = run(capsys, "inspect", good, bad, "--db", nowhere)
    lines = out.splitlines()
    assert code == 1
    assert lines[:3] == [
        "repairs_2025-03.csv: repairs: 2 rows read, 1 would load, 1 would be rejected",
        "  read as: csv, utf-8, separated by commas",
        "  header line 1",
    ]
    assert "  note: no database yet: dealer ids and callbacks' repairs were not checked" in lines
    first = lines.index("  first rejected rows (of 1):")
    assert lines[first + 1 :] == [
        '    row 3: status "换机" is not one of completed, returned_to_factory, open (已完成, 返厂, 未完成)',
        '  reasons: status "…" is not one of … (1)',
        "repairs_2025-05.csv: would be REJECTED (repairs): missing required columns service_type (服务类型), "
        "requested_at (报修时间), status (状态); headers found: 维修单号, 经销商编号",
    ]
    # the same in English by --lang under a Chinese locale
    locale("zh_CN.UTF-8")
    assert run(capsys, "inspect", good, bad, "--db", nowhere, "--lang=en")[1] == out


def test_argparse_speaks_chinese_too(capsys, locale):
    locale("zh_CN.UTF-8")
    code, _, err = run(capsys, "report")
    assert code == 2
    assert err.startswith("用法：python -m etl report [-h] ")
    assert err.endswith("\npython -m etl report：错误：缺少以下必需的参数：name, --out\n")
    code, _, err = run(capsys, "report", "award", "--year", "20", "--out", "a.csv")
    assert err.endswith("\npython -m etl report：错误：参数 --year：不是年份：20\n")
    code, _, err = run(capsys, "cases", "lst")
    assert err.endswith("：错误：参数 action：无效的选择：'lst'（可选：'list', 'export'）\n")
    locale("C")
    code, _, err = run(capsys, "report")
    assert err.startswith("usage: python -m etl report [-h] ")
    assert err.endswith("\npython -m etl report: error: the following arguments are required: name, --out\n")
    code, _, err = run(capsys, "report", "award", "--year", "20", "--out", "a.csv")
    assert err.endswith("\npython -m etl report: error: argument --year: not a year: 20\n")


def test_help_in_the_language_of_a_lang_anywhere(capsys, locale):
    locale("C")
    code, out, _ = run(capsys, "refresh", "--help", "--lang", "zh")
    assert code == 0
    # "  --lang {zh,en}  " takes 18 of argparse's 78 columns: 60 left, a Chinese character two of them
    assert out.splitlines() == [
        "用法：python -m etl refresh [-h] [--db DB] [--rules RULES] [--lang {zh,en}]",
        "",
        "选项:",
        "  -h, --help      显示本帮助信息并退出",
        "  --db DB",
        "  --rules RULES",
        "  --lang {zh,en}  提示信息的语言（默认：LC_ALL/LC_MESSAGES/LANG 为中文时用 zh，",
        "                  否则用 en）",
    ]
    code, out, _ = run(capsys, "refresh", "--help")
    assert out.splitlines()[3] == "  -h, --help      show this help message and exit"
    assert out.splitlines()[-2:] == [
        "  --lang {zh,en}  language of the messages (default: zh when",
        "                  LC_ALL/LC_MESSAGES/LANG is Chinese, else en)",
    ]
    locale("zh_CN.UTF-8")
    code, out, _ = run(capsys, "--help")
    assert "    refresh             按定义重新计算已存储的经销商月度计数" in out.splitlines()


def test_chinese_lines_wrap_by_the_columns_a_terminal_shows():
    # 每个经销商一份（ is 16 columns, scorecard 9 more: over 20; the opening bracket goes with what it opens
    lines = wrap_wide("每个经销商一份（scorecard、settlement）", 20)
    assert lines == ["每个经销商一份", "（scorecard、", "settlement）"]
    # a closing mark stays on its line even past the width: 一二三四五 is 10 columns, ，one more character
    assert wrap_wide("一二三四五，六", 10) == ["一二三四五，", "六"]


# --- the errors of the modules the command line calls, and what they print (issue 12.2, the rest) -------------------


def test_a_bad_rules_file_in_either_language(capsys, locale, files, tmp_path):
    good, _, nowhere = files
    day = tmp_path / "day.toml"
    day.write_text("[service]\nreport_due_day = 30\n", encoding="utf-8")
    kind = tmp_path / "kind.toml"
    kind.write_text('[controls]\ncomplaint_rate_max = "high"\n', encoding="utf-8")
    locale("zh_CN.UTF-8")
    assert run(capsys, "inspect", good, "--db", nowhere, "--rules", day) == (
        2,
        "",
        f"错误：{day}：“service.report_due_day”必须是 1 到 28 之间的某一天，实际为 30\n",
    )
    # the key's type in words too: float is 数字
    assert run(capsys, "inspect", good, "--db", nowhere, "--rules", kind)[2] == (
        f"错误：{kind}：“controls.complaint_rate_max”必须是数字，实际为 'high'\n"
    )
    locale("C")
    assert run(capsys, "inspect", good, "--db", nowhere, "--rules", day) == (
        2,
        "",
        f'error: {day}: "service.report_due_day" must be a day between 1 and 28, got 30\n',
    )
    assert run(capsys, "inspect", good, "--db", nowhere, "--rules", kind)[2] == (
        f"error: {kind}: \"controls.complaint_rate_max\" must be float, got 'high'\n"
    )
    missing = tmp_path / "none.toml"
    assert run(capsys, "load", good, "--db", nowhere, "--rules", missing, "--lang", "zh")[2] == (
        f"错误：规则文件 {missing} 不存在\n"
    )
    assert not nowhere.parent.exists()


@pytest.fixture
def users_file(tmp_path, monkeypatch):
    """The users file and audit trail in tmp_path; the file's users written directly (no password typed)."""
    from etl.users import User, save_users

    path = tmp_path / "users.toml"
    monkeypatch.setenv("SERVICE_QC_USERS", str(path))
    monkeypatch.setenv("SERVICE_QC_AUDIT", str(tmp_path / "audit.sqlite"))
    monkeypatch.delenv("SERVICE_QC_RULES", raising=False)

    def write(*users: User) -> Path:
        save_users(path, {user.name: user for user in users})
        return path

    return write


def users(capsys, *argv, passwords=()):
    from unittest import mock

    with mock.patch("getpass.getpass", side_effect=list(passwords)) as typed:
        result = run(capsys, "users", *argv)
    return (*result, [call.args[0] for call in typed.call_args_list])


def test_users_list_in_either_language(capsys, locale, users_file):
    from etl.users import User

    path = users_file()
    locale("zh_CN.UTF-8")
    assert users(capsys, "list") == (0, f"{path} 中没有用户：仪表盘无需登录，但只能在本机打开\n", "", [])
    locale("C")
    assert users(capsys, "list")[1] == f"no users in {path}: the dashboard is open access on this computer only\n"
    users_file(
        User("ana", "analyst", email="ana@hq.example", uploads=True),
        User("boss", "admin"),
        User("li", "dealer", dealer_ids=("D2",)),
        User("wang", "regional", regions=("华东", "华南"), provinces=("浙江",), email="wang@hq.example"),
    )
    assert users(capsys, "list")[1].splitlines() == [
        "ana\tanalyst\tall dealers\tana@hq.example, uploads",
        "boss\tadmin\tall dealers",
        "li\tdealer\tdealer_ids=D2",
        "wang\tregional\tregions=华东,华南; provinces=浙江\twang@hq.example",
    ]
    locale("zh_CN.UTF-8")
    assert users(capsys, "list")[1].splitlines() == [
        "ana\tanalyst\t全部经销商\tana@hq.example，可上传",
        "boss\tadmin\t全部经销商",
        "li\tdealer\t经销商=D2",
        "wang\tregional\t大区=华东,华南；省份=浙江\twang@hq.example",
    ]
    assert users(capsys, "remove", "li") == (0, "已删除用户 li\n", "", [])
    assert users(capsys, "remove", "li", "--lang", "en") == (1, "", f"error: no user li in {path}\n", [])


def test_users_add_its_prompts_and_its_errors_in_either_language(capsys, locale, users_file):
    path = users_file()
    password = "a long password"
    locale("zh_CN.UTF-8")
    added = users(capsys, "add", "wang", "--role", "regional", "--regions", "华东", passwords=(password, password))
    assert added == (0, f"已在 {path} 中添加用户 wang（regional，大区=华东）\n", "", ["密码：", "再输入一次："])
    assert users(capsys, "add", "x", "--role", "regional") == (
        1,
        "",
        "错误：用户 x：regional 角色必须指定范围（regions 或 provinces）\n",
        [],
    )
    assert users(capsys, "add", "x", "--role", "dealer", "--regions", "华东")[2] == (
        "错误：用户 x：dealer 角色不能设置 regions（可以设置 dealer_ids）\n"
    )
    assert users(capsys, "add", "x", "--role", "admin", passwords=("short",))[2] == "错误：密码至少需要 10 个字符\n"
    locale("C")
    changed = users(
        capsys,
        "add",
        "wang",
        "--role",
        "regional",
        "--provinces",
        "浙江",
        "--new-password",
        passwords=(password, password),
    )
    assert changed == (0, f"changed wang (regional, provinces=浙江) in {path}\n", "", ["password: ", "again: "])
    assert (
        users(capsys, "add", "x", "--role", "regional")[2]
        == "error: user x: a regional needs a scope (regions or provinces)\n"
    )
    assert users(capsys, "add", "x", "--role", "dealer", "--regions", "华东")[2] == (
        "error: user x: a dealer has no regions (may have dealer_ids)\n"
    )
    assert users(capsys, "add", "x", "--role", "admin", passwords=(password, password + "!"))[2] == (
        "error: the two passwords differ\n"
    )
    # a broken file: its path, then the user's mistake, each in the command's language
    path.write_text('[users.a]\nrole = "owner"\npassword = "x"\n', encoding="utf-8")
    assert users(capsys, "list")[2] == (
        f"error: {path}: user a: role 'owner' is not one of admin, analyst, regional, callcenter, dealer\n"
    )
    assert users(capsys, "list", "--lang", "zh")[2] == (
        f"错误：{path}：用户 a：角色 'owner' 不是 admin, analyst, regional, callcenter, dealer 之一\n"
    )


def test_export_into_a_bad_folder_in_either_language(capsys, locale, tmp_path, empty_warehouse_file):
    import shutil

    database = tmp_path / "warehouse.duckdb"
    shutil.copyfile(empty_warehouse_file, database)
    foreign = tmp_path / "foreign"
    (foreign / "repairs").mkdir(parents=True)  # not written by an export: the export refuses to clear it
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder", encoding="utf-8")
    locale("zh_CN.UTF-8")
    assert run(capsys, "export", "--out", foreign, "--db", database) == (
        2,
        "",
        f"错误：{foreign / 'repairs'} 已存在，且不是之前导出的结果；请为 --out 选择一个空文件夹\n",
    )
    assert run(capsys, "export", "--out", a_file, "--db", database)[2] == (
        f"错误：{a_file} 不是文件夹：--out 应是导出写入的文件夹\n"
    )
    locale("C")
    assert run(capsys, "export", "--out", foreign, "--db", database)[2] == (
        f"error: {foreign / 'repairs'} is in the way and is not from an earlier export; "
        "choose an empty folder for --out\n"
    )
    assert run(capsys, "export", "--out", a_file, "--db", database)[2] == (
        f"error: {a_file} is not a folder: --out names the folder the export is written into\n"
    )
    assert sorted(p.name for p in foreign.iterdir()) == ["repairs"] and a_file.read_text() == "not a folder"


def test_sample_refuses_a_national_set_too_small_in_either_language(capsys, locale, tmp_path):
    out = tmp_path / "sample"
    locale("zh_CN.UTF-8")
    assert run(capsys, "sample", "--dealers", "1", "--months", "1", "--out", out) == (
        2,
        "",
        "错误：全国规模数据集需要至少 2 家经销商、至少 1 个月，且经销商数 × 月数不超过 999,999\n",
    )
    locale("C")
    assert run(capsys, "sample", "--dealers", "1", "--months", "1", "--out", out)[2] == (
        "error: the national data set needs 2 or more dealers, 1 or more months and at most 999,999 dealer-months\n"
    )
    # a month that is none: argparse's refusal (numpy's own words before)
    code, _, err = run(capsys, "sample", "--end-month", "2025-13", "--out", out)
    assert (code, err.splitlines()[-1]) == (
        2,
        "python -m etl sample: error: argument --end-month: not a month (YYYY-MM): 2025-13",
    )
    assert not out.exists()


def test_the_database_in_use_notice_and_refusal_in_the_commands_language(capsys, tmp_path):
    import duckdb

    from etl import db
    from i18n import say_of

    database = tmp_path / "warehouse.duckdb"
    attempts = []

    def locked_once():
        attempts.append(1)
        if len(attempts) == 1:
            raise duckdb.IOException('Could not set lock on file "warehouse.duckdb": Conflicting lock is held')
        return "connected"

    told: list[str] = []
    assert db.retry_while_locked(locked_once, database, 30, told.append) == "connected"
    assert told == ["the database warehouse.duckdb is in use by another process; waiting up to 30 s ..."]
    assert say_of(told[0], "zh") == "数据库 warehouse.duckdb 正被另一个进程占用；最多等待 30 秒……"
    # a writer's own notice (nobody passed notify) on stderr, in the language the command line set
    language = db.NOTICE_LANGUAGE.set("zh")
    try:
        db.tell(told[0])
    finally:
        db.NOTICE_LANGUAGE.reset(language)
    db.tell(told[0])
    assert capsys.readouterr().err == (
        "数据库 warehouse.duckdb 正被另一个进程占用；最多等待 30 秒……\n"
        "the database warehouse.duckdb is in use by another process; waiting up to 30 s ...\n"
    )

    def always_locked():
        raise duckdb.IOException("Conflicting lock is held")

    with pytest.raises(db.DatabaseBusy) as busy:
        db.retry_while_locked(always_locked, database, 0, None)
    assert str(busy.value) == (
        f"the database {database} is still in use by another process after 0 s; try again when it has finished"
    )
    assert say_of(busy.value, "zh") == f"等待 0 秒后，数据库 {database} 仍被另一个进程占用；请等它结束后再试"
