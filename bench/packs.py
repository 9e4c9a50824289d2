"""Time a national burst of report packs (issue 17) on the demo data: every dealer's scorecard of the
last month with data (about 128 PDFs and workbooks), as `python -m etl report pack` writes them.

    python bench/packs.py [--db FILE] [--kind scorecard] [--workers 1 2]

Without --db the demo data set is generated and loaded into bench/out/demo.duckdb first (once).
Each line: wall seconds, CPU seconds of this process and its workers, files, pages, and the load
average before and after (the figure depends on what else the machine runs).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from etl import packs  # noqa: E402
from etl.db import reader  # noqa: E402
from etl.metrics import overview  # noqa: E402
from etl.metrics.scope import Scope  # noqa: E402
from etl.rules import load_rules  # noqa: E402

LIMIT_SECONDS = 60  # issue 17: a national burst of scorecards on the demo data, 2 cores


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def burst(database: Path, kind: str, workers: int, lang: str = "zh") -> dict:
    rules = load_rules()
    out = Path(tempfile.mkdtemp(prefix="packs_"))
    load_before = os.getloadavg()[0]
    started, cpu = time.perf_counter(), _cpu()
    try:
        with reader(database, rules) as con:
            last = overview.months_available(con)[-1]
            period = packs.Period.month(last) if kind in ("scorecard", "bulletin") else packs.Period.year(last.year)
            ctx = packs.Context.open(con, lang, dt.date.today(), rules)
            written = packs.write(packs.documents(ctx, kind, period, Scope()), out, workers=workers)
        seconds = time.perf_counter() - started
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {
        "kind": kind,
        "period": period.label,
        "workers": workers,
        "documents": len(written),
        "pages": sum(w.pages for w in written),
        "seconds": seconds,
        "cpu": _cpu() - cpu,
        "load": (load_before, os.getloadavg()[0]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--kind", default="scorecard", choices=packs.KINDS)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    if args.db:
        database = args.db
    else:
        from bench.page_data_times import demo_database

        database = demo_database()
    print(f"{os.cpu_count()} cores; limit {LIMIT_SECONDS} s for a national burst of scorecards")
    for workers in args.workers:
        result = burst(database, args.kind, workers)
        print(
            f"{result['kind']} {result['period']}, {result['workers']} worker(s): {result['documents']} PDFs + "
            f"workbooks, {result['pages']} pages in {result['seconds']:.1f} s (CPU {result['cpu']:.1f} s; "
            f"load average {result['load'][0]:.1f} -> {result['load'][1]:.1f})",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
