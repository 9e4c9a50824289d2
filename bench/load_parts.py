"""Where a load's time goes, against DuckDB's raw read of the same files (issue 13's two load ratios).

    .venv/bin/python bench/load_parts.py --data DIR [--workdir DIR]

DIR is a generated data set (`python -m etl sample --dealers 3000 --months 36 --out DIR`). The files are read
raw (read_csv of each file into a plain table, as bench/scale.py does), then loaded into a fresh warehouse as
bench/scale.py loads them: every month but the last in one command, then the last month on top. Each load is
split into its three parts, timed where the loader calls them: the stored counts' refresh (marts.before_apply
and marts.after_apply, inside each file's transaction), the cases' pass (cases.open_after_load, once per
command), and the rest: reading, checking and storing the rows, each file's transaction, archive and log line.
The last part alone against the raw read is the lowest ratio the loader could reach with a refresh and a cases
pass that cost nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scale import raw_read  # noqa: E402

from etl import cases, load, marts  # noqa: E402
from etl.rules import load_rules  # noqa: E402

PARTS = {"refresh": 0.0, "cases": 0.0}


def _timed_part(part: str, function):
    """function, adding its seconds to PARTS[part]."""

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            PARTS[part] += time.perf_counter() - started

    return timed


def _load(files: list[Path], database: Path) -> dict[str, float]:
    """Load the files in one command; its seconds: whole, refresh, cases, and the rest."""
    for part in PARTS:
        PARTS[part] = 0.0
    started = time.perf_counter()
    results = load.load_paths(sorted(files), database, load_rules())
    whole = time.perf_counter() - started
    failed = [r.file for r in results if r.status != "loaded"]
    if failed:
        raise SystemExit(f"not loaded: {failed}")
    return {"whole": whole, **PARTS, "rest": whole - PARTS["refresh"] - PARTS["cases"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    marts.before_apply = _timed_part("refresh", marts.before_apply)
    marts.after_apply = _timed_part("refresh", marts.after_apply)
    cases.open_after_load = _timed_part("cases", cases.open_after_load)
    files = sorted(p for p in args.data.iterdir() if p.suffix == ".csv")
    if len(files) != len(list(args.data.iterdir())):
        raise SystemExit("every file must be a CSV (the raw read is read_csv)")
    last = max(p.stem[-7:] for p in files if p.stem[-7:-3].isdigit())
    month = [p for p in files if p.stem.endswith(last)]
    earlier = [p for p in files if p not in month]
    with tempfile.TemporaryDirectory(dir=args.workdir) as folder:
        raw_all, raw_month = raw_read(files, Path(folder)), raw_read(month, Path(folder))
        database = Path(folder) / "warehouse.duckdb"
        first, then = _load(earlier, database), _load(month, database)
    whole = {part: first[part] + then[part] for part in first}
    print(f"{len(files)} files; load average {os.getloadavg()[0]:.1f} at the end")
    print("| part | whole set | ratio to raw | last month | ratio to raw |")
    print("|---|---|---|---|---|")
    print(f"| DuckDB raw read_csv | {raw_all:.1f} s | 1.00 x | {raw_month:.2f} s | 1.00 x |")
    for part, words in (
        ("rest", "read, check, store (no refresh, no cases)"),
        ("refresh", "stored counts' refresh"),
        ("cases", "cases' pass"),
        ("whole", "the load as it runs"),
    ):
        print(
            f"| {words} | {whole[part]:.1f} s | {whole[part] / raw_all:.2f} x "
            f"| {then[part]:.2f} s | {then[part] / raw_month:.2f} x |"
        )


if __name__ == "__main__":
    main()
