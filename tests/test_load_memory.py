"""A load's memory is bounded by [limits] load_memory_mb (issue 13): within it DuckDB spills to
disk and loads every row exactly; a file that cannot fit even so is refused with a sentence that
names the setting, nothing of it stored, and the same file loads once it is raised."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from etl.db import writer
from etl.rules import Rules, load_rules

ROWS = 100_000


def _with_memory(megabytes: int) -> Rules:
    base = load_rules()
    return Rules({**base.values, "limits.load_memory_mb": megabytes}, base.source + " (test)")


def _big_repairs(path, rows: int = ROWS):
    """A month of repairs from 50 dealers: wide Chinese text, as a dealer's office writes it."""
    rng = np.random.default_rng(3)
    requested = pd.Timestamp("2026-10-01") + pd.to_timedelta(rng.integers(0, 29 * 86400, rows), unit="s")
    frame = pd.DataFrame(
        {
            "维修单号": [f"WX{i:07d}" for i in range(rows)],
            "经销商编号": np.char.add("JX", (rng.integers(0, 50, rows) + 100).astype(str)),
            "报表月份": "2026-10",
            "提交日期": "2026-11-05",
            "用户姓名": rng.choice(["王建国", "李秀英", "陈伟"], rows),
            "联系电话": (13800000000 + rng.integers(0, 99_999_999, rows)).astype(str),
            "地址": "浙江省杭州市西湖区文三路 100 号",
            "产品型号": "KFR-35GW",
            "机身编号": np.char.add("SN", np.arange(rows).astype(str)),
            "服务类型": "维修",
            "报修时间": requested.strftime("%Y-%m-%d %H:%M"),
            "上门时间": (requested + pd.Timedelta(hours=3)).strftime("%Y-%m-%d %H:%M"),
            "完成时间": (requested + pd.Timedelta(hours=5)).strftime("%Y-%m-%d %H:%M"),
            "状态": "已完成",
            "保修期内": "是",
            "人工费": rng.integers(0, 300, rows),
            "配件费": 12.5,
            "维修人员": "赵师傅",
            "用户签字": "Y",
            "经销商回访": "Y",
        }
    )
    frame.to_csv(path, index=False, encoding="utf-8")
    return frame


def _roster(wh):
    return wh.dealers(*[[f"JX{100 + i}", f"经销商{i}", "urban"] for i in range(50)])


def test_the_writer_keeps_duckdb_within_the_setting(tmp_path):
    with writer(tmp_path / "w.duckdb", _with_memory(100)) as con:
        # 100 MB = 95.4 MiB, which DuckDB prints rounded down to a tenth
        assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == "95.3 MiB"


def test_a_load_larger_than_the_memory_setting_spills_and_loads_every_row_exactly(wh):
    _roster(wh)
    path = wh.folder / "repairs_2026-10.csv"
    frame = _big_repairs(path)
    (result,) = wh.load(path, rules=_with_memory(48))
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("loaded", ROWS, 0), result.message
    count, labor, parts, dealers = wh.query(
        "SELECT count(*), sum(labor_fee), sum(parts_fee), count(DISTINCT dealer_id) FROM repairs"
    )[0]
    assert count == ROWS
    assert labor == int(frame["人工费"].sum()) and float(parts) == 12.5 * ROWS
    assert dealers == frame["经销商编号"].nunique()


def test_a_setting_too_small_for_any_load_is_named_and_raising_it_loads_the_file(wh):
    """Spilling makes a file's size matter little (100,000 rows load in 48 MB above); DuckDB's own
    working set does not spill, so 24 MB is too little even for one row."""
    _roster(wh)
    path = wh.file(
        "repairs_2026-09.csv",
        [
            [
                "维修单号",
                "经销商编号",
                "报表月份",
                "提交日期",
                "用户姓名",
                "联系电话",
                "地址",
                "产品型号",
                "机身编号",
                "服务类型",
                "报修时间",
                "上门时间",
                "完成时间",
                "状态",
                "保修期内",
                "人工费",
                "配件费",
                "维修人员",
                "用户签字",
                "经销商回访",
            ],
            [
                "WX1",
                "JX100",
                "2026-09",
                "2026-10-05",
                "王建国",
                "13800000000",
                "杭州",
                "KFR-35GW",
                "SN1",
                "维修",
                "2026-09-03 09:00",
                "2026-09-03 11:00",
                "2026-09-03 12:00",
                "已完成",
                "是",
                "80",
                "0",
                "赵师傅",
                "Y",
                "Y",
            ],
        ],
    )
    (refused,) = wh.load(path, rules=_with_memory(24))
    assert refused.status == "rejected"
    assert refused.message == (
        "could not be loaded, nothing of it was stored: it needed more memory than load_memory_mb (24 MB) of the "
        "rules' [limits] allows even after spilling to disk (raise it, or split the file) while checking its rows"
    )
    assert wh.query("SELECT count(*) FROM repairs") == [(0,)]
    failure = wh.query("SELECT status, details->>'$.failure.error' FROM load_log WHERE file_name = ?", [path.name])
    assert failure == [("rejected", "OutOfMemoryException")]
    (loaded,) = wh.load(path)
    assert (loaded.status, loaded.rows_loaded) == ("loaded", 1)
    assert wh.query("SELECT report_month, labor_fee FROM repairs") == [(dt.date(2026, 9, 1), 80)]
