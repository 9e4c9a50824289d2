"""The project's demo data set (`python -m etl demo`: generated, then loaded), built once and kept.

Generating and loading it takes 20-30 s, so tests/conftest.py's `demo_warehouse` fixture builds it
once into a folder named by a key and every later user, the other xdist worker and later test runs
included, reuses it. The key is a hash of what decides the database's content: the generator's and
the loader's sources (sampledata/, etl/ with its SQL, i18n/ and locale/ for the words the load log
keeps), rules.toml, header_aliases.toml, the DuckDB and Python versions and today's date (the
data set ends last month, the loader checks dates against today). A file lock makes one process
build while the others wait; a folder counts only once its `complete` marker is written.

The built database is a template: open it read-only, or copy it to change it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import os
import shutil
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("sampledata", "etl", "i18n", "locale", "rules.toml", "header_aliases.toml")
SUFFIXES = {".py", ".sql", ".toml", ".po"}
SETTINGS = ("SERVICE_QC_DB", "SERVICE_QC_RULES", "SERVICE_QC_HEADER_ALIASES")  # the build uses the defaults
STALE_SECONDS = 6 * 3600  # older folders of other keys are removed


def demo_key(today: dt.date | None = None) -> str:
    digest = hashlib.sha256(f"{today or dt.date.today()} {sys.version} {duckdb.__version__}".encode())
    for source in SOURCES:
        top = ROOT / source
        files = sorted(p for p in top.rglob("*") if p.suffix in SUFFIXES) if top.is_dir() else [top]
        for path in files:
            if path.is_file():
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:20]


def _build(folder: Path) -> None:
    """Generate the demo files into folder/demo and load them into folder/warehouse.duckdb."""
    from etl.load import collect_paths, load_paths
    from etl.rules import load_rules
    from sampledata import generate

    saved = {name: os.environ.pop(name) for name in SETTINGS if name in os.environ}
    try:
        generate(folder / "demo")
        results = load_paths(collect_paths([str(folder / "demo")]), folder / "warehouse.duckdb", load_rules())
    finally:
        os.environ.update(saved)
    # it rejects a file on purpose; a load that read nothing means the build is broken
    assert sum(r.rows_loaded for r in results), "the demo data set loaded nothing"


def _remove_stale(cache: Path, keep: str) -> None:
    for other in cache.iterdir():
        if other.name.split(".")[0] != keep and time.time() - other.stat().st_mtime > STALE_SECONDS:
            if other.is_dir():
                shutil.rmtree(other, ignore_errors=True)
            else:
                other.unlink(missing_ok=True)


def demo_database(cache: Path) -> Path:
    """The demo warehouse under `cache`, built unless a process built it already for the same key."""
    cache.mkdir(parents=True, exist_ok=True)
    key = demo_key()
    folder = cache / key
    with (cache / f"{key}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (folder / "complete").exists():
            shutil.rmtree(folder, ignore_errors=True)  # a build that died half-way
            folder.mkdir()
            _build(folder)
            (folder / "complete").write_text(f"built {dt.datetime.now():%Y-%m-%d %H:%M:%S}\n", encoding="utf-8")
            _remove_stale(cache, key)
    return folder / "warehouse.duckdb"


def copy_database(template: Path, target: Path) -> Path:
    """A private, writable copy of a built database (its write-ahead log too, if it has one)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)
    wal = template.with_name(template.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, target.with_name(target.name + ".wal"))
    return target
