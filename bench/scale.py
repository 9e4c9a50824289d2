"""How the cost grows with the data (issue 13): the same table at demo, 10 x demo and national scale.

    .venv/bin/python bench/scale.py [--scales demo,10x,national] [--out bench/scale_results.md]

For each scale: the data set is generated (sampledata; national = 3,000 dealers x 36 months), read
raw by DuckDB (read_csv of every file into a plain table: the floor any loader is measured
against), loaded by the loader into a fresh warehouse but for its last month, then the last month
loaded on top (refresh of the stored counts included), and the warehouse's size stated. Then every
report command runs as a command (seconds and peak memory), and every page's data work runs on a
cold cache (bench/page_data_times.py). The national scale takes a long time on 2 cores (the
generation and the raw reads alone are minutes); run it on a quiet machine.

--workdir DIR keeps the data, the warehouse and the load figures in DIR (one folder per scale): a
second run with the same DIR measures only the reports and the pages on the warehouse already built
(--load-only builds it and stops), so the long national build and the quick query timings can run at
different times; the table says when the load figures were measured and how busy the machine was.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from etl.load import load_paths  # noqa: E402
from etl.rules import load_rules  # noqa: E402
from sampledata import generate  # noqa: E402

# scale -> (dealers, months) for the national generator; None is the demo set.
SCALES: dict[str, tuple[int, int] | None] = {"demo": None, "10x": (340, 24), "national": (3000, 36)}
# Peak memory of a command: the child reports its own high-water resident set (VmHWM) at exit. Not getrusage's
# ru_maxrss: Linux keeps that across fork and exec, so a child of this process (gigabytes after a national load)
# reported this process's size, not its own.
MEASURED = (
    "import re, runpy, sys; sys.argv = ['etl'] + sys.argv[1:]\n"
    "try:\n    runpy.run_module('etl', run_name='__main__')\n"
    "finally:\n    status = open('/proc/self/status').read()\n"
    "    print('maxrss_kb', re.search(r'VmHWM:\\s+(\\d+)', status).group(1), file=sys.stderr)"
)


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def raw_read(files: list[Path], folder: Path) -> float:
    """DuckDB's own read_csv of each file into a plain table of a fresh database."""
    database = folder / "raw.duckdb"
    con = duckdb.connect(str(database))
    try:
        return sum(
            timed(lambda n=n, f=f: con.execute(f"CREATE TABLE t{n} AS SELECT * FROM read_csv('{f}')"))
            for n, f in enumerate(files)
        )
    finally:
        con.close()
        database.unlink()


def run_command(arguments: list[str]) -> tuple[float, float]:
    """Seconds and peak megabytes of `python -m etl ARGUMENTS`."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", MEASURED, *arguments], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"python -m etl {' '.join(arguments)} failed: {done.stderr[-2000:]}")
    peak = next(int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("maxrss_kb"))
    return seconds, peak / 1024


def measure(scale: str, folder: Path, load_only: bool = False) -> list[tuple[str, str]]:
    database = folder / "warehouse.duckdb"
    built = folder / "load_figures.json"
    if built.exists() and database.exists():
        rows_out = [tuple(row) for row in json.loads(built.read_text(encoding="utf-8"))]
    else:
        rows_out = build(scale, folder, database)
        built.write_text(json.dumps(rows_out, ensure_ascii=False), encoding="utf-8")
    if load_only:
        return rows_out
    return rows_out + query_times(folder, database)


def build(scale: str, folder: Path, database: Path) -> list[tuple[str, str]]:
    """Generate the data set, read it raw, load it (all but the last month, then that month)."""
    rules = load_rules()
    busy = os.getloadavg()[0]
    started = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    data = folder / "data"
    shape = SCALES[scale]
    generation = timed(lambda: generate(data) if shape is None else generate(data, dealers=shape[0], months=shape[1]))
    files = sorted(p for p in data.iterdir() if p.suffix == ".csv")
    last = max(p.stem[-7:] for p in files if p.stem[-7:-3].isdigit())
    new_month = [p for p in files if p.stem.endswith(last)]
    earlier = [p for p in data.iterdir() if p not in new_month]
    raw_all = raw_read(files, folder) if len(files) == len(list(data.iterdir())) else float("nan")
    raw_month = raw_read(new_month, folder)
    results: list = []
    first_load = timed(lambda: results.extend(load_paths(sorted(earlier), database, rules)))
    month_load = timed(lambda: results.extend(load_paths(new_month, database, rules)))
    rows = sum(r.rows_loaded for r in results)
    rows_out = [
        ("load figures measured", f"{started}, load average {busy:.1f} -> {os.getloadavg()[0]:.1f}"),
        ("generate", f"{generation:.1f} s"),
        ("files, rows loaded", f"{len(results)} files, {rows:,} rows"),
        ("load all but the last month", f"{first_load:.1f} s"),
        (f"load the last month ({last}) on top, refresh included", f"{month_load:.1f} s"),
        ("that month vs DuckDB raw read_csv of its files", f"{month_load / raw_month:.2f} x ({raw_month:.2f} s raw)"),
        ("warehouse file size", f"{database.stat().st_size / 1e6:,.0f} MB"),
    ]
    if raw_all == raw_all:  # every file is a CSV: the whole load against the raw read of every file
        rows_out.append(
            (
                "whole load vs DuckDB raw read_csv of every file",
                f"{(first_load + month_load) / raw_all:.2f} x ({raw_all:.1f} s raw)",
            )
        )
    return rows_out


def query_times(folder: Path, database: Path) -> list[tuple[str, str]]:
    """Every report command (seconds, peak memory) and every page's data work, cold, on the warehouse."""
    rules = load_rules()
    rows_out = [
        ("query figures measured", f"{dt.datetime.now():%Y-%m-%d %H:%M}, load average {os.getloadavg()[0]:.1f}")
    ]
    con = duckdb.connect(str(database), read_only=True)
    try:
        last = con.execute("SELECT strftime(max(report_month), '%Y-%m') FROM repairs").fetchall()[0][0]
    finally:
        con.close()
    year = str(int(last[:4]) - (1 if last.endswith("-01") else 0))
    for name, extra in (
        ("monthly", []),
        ("award", ["--year", year]),
        ("settlement", ["--year", year]),
        ("funnel", ["--metric", "complaint_rate", "--year", year]),
        ("watchlist", ["--month", last]),
    ):
        out = folder / f"{name}.csv"
        seconds, peak = run_command(["report", name, *extra, "--db", str(database), "--out", str(out)])
        rows_out.append((f"`report {name}` (whole command)", f"{seconds:.2f} s, {peak:,.0f} MB peak"))
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)  # "no runtime found": expected outside a server
    from page_data_times import page_work

    from app import data as app_data

    work = page_work(app_data.Source.of(database, rules), dt.date.today())
    for page, seconds in work.items():
        rows_out.append((f"page data work, cold: {page}", f"{statistics.median(seconds() for _ in range(3)):.2f} s"))
    return rows_out


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--scales", default="demo,10x", help="comma-separated: " + ", ".join(SCALES))
    options.add_argument("--out", type=Path, default=ROOT / "bench" / "scale_results.md")
    options.add_argument("--workdir", type=Path, help="keep (and reuse) each scale's data and warehouse here")
    options.add_argument("--load-only", action="store_true", help="build the warehouses (with --workdir) and stop")
    args = options.parse_args()
    scales = args.scales.split(",")
    table: dict[str, dict[str, str]] = {}
    for scale in scales:
        print(f"measuring {scale} ...", file=sys.stderr, flush=True)
        if args.workdir:
            folder = args.workdir / scale
            folder.mkdir(parents=True, exist_ok=True)
            figures = measure(scale, folder, args.load_only)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                figures = measure(scale, Path(tmp))
        for what, figure in figures:
            table.setdefault(what, {})[scale] = figure
    lines = [
        f"Measured {dt.date.today()} on {platform.machine()}, {__import__('os').cpu_count()} cores, "
        f"DuckDB {duckdb.__version__}.",
        "",
        "| measure | " + " | ".join(scales) + " |",
        "|---|" + "---|" * len(scales),
    ]
    lines += [f"| {what} | " + " | ".join(row.get(s, "") for s in scales) + " |" for what, row in table.items()]
    text = "\n".join(lines) + "\n"
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
