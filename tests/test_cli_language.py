"""Issue 12.2: every word `python -m etl` prints comes from the catalogs, in Chinese when the locale is Chinese
(LANG=zh_CN.UTF-8) or --lang zh is given anywhere on the command line, else in English: the messages, the help
texts and argparse's own words. Each expected line is written out here by hand."""

from __future__ import annotations

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
