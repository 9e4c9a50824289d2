"""Measure the loader and the reports on this machine; results go to bench/results.md.

1. Seconds to load the demo data set (python -m etl sample) into a fresh database.
2. A 1,000,000-row repairs CSV: rows per second of the loader (validation included) against
   DuckDB's own read_csv of the same file into a plain table.
3. Seconds for each report command on the demo data.

Run: .venv/bin/python bench/benchmark.py [--rows N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from etl.load import collect_paths, load_paths  # noqa: E402
from etl.rules import load_rules  # noqa: E402
from sampledata import generate  # noqa: E402

RUNS = 3


def big_repairs_csv(path: Path, rows: int, dealers: int = 500) -> None:
    """A realistic wide repairs file, written vectorised (same columns as a dealer's report)."""
    rng = np.random.default_rng(7)
    requested = pd.Timestamp("2025-03-01") + pd.to_timedelta(rng.integers(0, 30 * 86400, rows), unit="s")
    arrived = requested + pd.to_timedelta(rng.integers(600, 60 * 3600, rows), unit="s")
    completed = arrived + pd.to_timedelta(rng.integers(600, 4 * 3600, rows), unit="s")
    frame = pd.DataFrame(
        {
            "维修单号": [f"WX{i:08d}" for i in range(rows)],
            "经销商编号": np.char.add("JX", (rng.integers(0, dealers, rows) + 1000).astype(str)),
            "报表月份": "2025-03",
            "提交日期": "2025/4/10",
            "用户姓名": rng.choice(["王建国", "李秀英", "陈伟", "张敏", "刘洋"], rows),
            "联系电话": (13800000000 + rng.integers(0, 99999999, rows)).astype(str),
            "地址": "浙江省杭州市西湖区文三路 100 号",
            "产品型号": rng.choice(["KFR-35GW", "XQG100-B14", "BCD-470W"], rows),
            "机身编号": np.char.add("SN", rng.integers(0, rows * 5, rows).astype(str)),
            "服务类型": rng.choice(["维修", "安装", "保养"], rows),
            "报修时间": requested.strftime("%Y/%-m/%-d %H:%M"),
            "上门时间": arrived.strftime("%Y-%m-%d %H:%M"),
            "完成时间": completed.strftime("%Y-%m-%d %H:%M:%S"),
            "状态": rng.choice(["已完成", "返厂", "未完成"], rows, p=[0.9, 0.05, 0.05]),
            "保修期内": rng.choice(["是", "否"], rows),
            "人工费": rng.integers(0, 300, rows),
            "配件费": np.round(rng.random(rows) * 500, 2),
            "维修人员": rng.choice(["赵师傅", "钱师傅", "孙师傅"], rows),
            "用户签字": rng.choice(["Y", "N"], rows),
            "经销商回访": rng.choice(["Y", "N"], rows),
        }
    )
    frame.to_csv(path, index=False, encoding="utf-8")


def roster_csv(path: Path, dealers: int = 500) -> None:
    pd.DataFrame(
        {
            "dealer_id": [f"JX{1000 + i}" for i in range(dealers)],
            "dealer_name": [f"经销商{i}" for i in range(dealers)],
            "area_type": ["urban", "county"] * (dealers // 2),
        }
    ).to_csv(path, index=False)


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    options = argparse.ArgumentParser()
    options.add_argument("--rows", type=int, default=1_000_000)
    args = options.parse_args()
    rules = load_rules()
    lines = [
        f"Measured {dt.date.today()} on {platform.processor() or platform.machine()}, "
        f"{__import__('os').cpu_count()} cores, Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}.",
        "",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        sample_dir = tmp / "sample"
        generation = timed(lambda: generate(sample_dir))
        demo_db = tmp / "demo.duckdb"
        results = []
        demo_load = timed(lambda: results.extend(load_paths(collect_paths([str(sample_dir)]), demo_db, rules)))
        rows = sum(r.rows_read for r in results)
        lines += [
            "| step | figure |",
            "|---|---|",
            f"| generate the demo set (`python -m etl sample`) | {generation:.1f} s |",
            f"| load the demo set: {len(results)} files, {rows:,} rows | {demo_load:.1f} s |",
        ]

        last_month = max(p.stem[-7:] for p in sample_dir.glob("repairs_20??-??.csv"))
        for name, extra in (
            ("monthly", []),
            ("award", ["--year", "2025"]),
            ("settlement", ["--year", "2025"]),
            ("funnel", ["--metric", "complaint_rate", "--year", "2025"]),
            ("watchlist", ["--month", last_month]),
        ):
            out = tmp / f"{name}.csv"
            command = [sys.executable, "-m", "etl", "report", name, *extra, "--db", str(demo_db), "--out", str(out)]
            seconds = timed(lambda command=command: subprocess.run(command, check=True, cwd=ROOT, capture_output=True))
            lines.append(
                f"| `{' '.join(['python -m etl report', name, *extra])}` on the demo data (whole command) "
                f"| {seconds:.2f} s |"
            )

        big = tmp / "repairs_2025-03_big.csv"
        big_repairs_csv(big, args.rows)
        roster = tmp / "dealers.csv"
        roster_csv(roster)
        # Cases open after a load (issue 16), in their own transaction: timed apart from the load itself.
        from etl import cases

        case_times: list[float] = []
        open_after_load = cases.open_after_load

        def timed_cases(*args, **kwargs):
            started = time.perf_counter()
            try:
                return open_after_load(*args, **kwargs)
            finally:
                case_times.append(time.perf_counter() - started)

        cases.open_after_load = timed_cases
        raw_times, our_times, cases_after, loaded = [], [], [], []
        for attempt in range(RUNS):  # the median of a few runs: one run on 2 cores is noisy
            raw_db = tmp / f"raw{attempt}.duckdb"
            con = duckdb.connect(str(raw_db))
            raw_times.append(timed(lambda con=con: con.execute(f"CREATE TABLE raw AS SELECT * FROM read_csv('{big}')")))
            con.close()
            raw_db.unlink()
            loader_db = tmp / f"loader{attempt}" / "loader.duckdb"  # its own archive folder each run
            loader_db.parent.mkdir()
            load_paths([roster], loader_db, rules)
            loaded.clear()
            case_times.clear()
            total = timed(lambda db=loader_db: loaded.extend(load_paths([big], db, rules)))
            our_times.append(total - sum(case_times))
            cases_after.append(sum(case_times))
            loader_db.unlink()
        raw, ours = float(np.median(raw_times)), float(np.median(our_times))
        size = big.stat().st_size / 1e6
        lines += [
            f"| DuckDB `read_csv` of a {args.rows:,}-row repairs CSV ({size:.0f} MB) into a plain table | "
            f"{raw:.1f} s ({args.rows / raw:,.0f} rows/s) |",
            f"| our loader on the same file (decode, header, parse, validate, load, log, archive) | "
            f"{ours:.1f} s ({args.rows / ours:,.0f} rows/s; {loaded[0].rows_loaded:,} loaded, "
            f"{loaded[0].rows_rejected:,} rejected) |",
            f"| then the cases its rows open (issue 16: {loaded[0].rows_loaded:,} records, their own transaction) | "
            f"{float(np.median(cases_after)):.1f} s |",
            f"| ratio loader / raw read (median of {RUNS} runs each: raw "
            f"{', '.join(f'{t:.1f}' for t in raw_times)} s; loader {', '.join(f'{t:.1f}' for t in our_times)} s) "
            f"| {ours / raw:.2f} x |",
        ]
    text = "\n".join(lines) + "\n"
    (ROOT / "bench" / "results.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
