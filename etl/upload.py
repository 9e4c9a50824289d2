"""Loads started from the dashboard run as `python -m etl load --json` in a child process.

The dashboard process then only ever holds short read-only connections, and one writer at a
time is guaranteed by DuckDB's file lock across processes: an upload and a terminal load (or two
uploads) wait for each other with a visible message instead of failing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from etl.config import PROJECT_ROOT
from i18n import later, say


def inspect_files(
    paths: list[Path], database: Path, rules_file: Path | None = None, timeout_seconds: float = 600
) -> list[dict]:
    """`python -m etl inspect --json` on `paths` in a child process: one report per file, nothing written.
    A file that breaks the child (it should not) leaves a report saying so instead of the page failing."""
    command = [sys.executable, "-m", "etl", "inspect", "--json", "--db", str(database), *map(str, paths)]
    if rules_file:
        command += ["--rules", str(rules_file)]
    finished = subprocess.run(
        command, cwd=PROJECT_ROOT, capture_output=True, text=True, encoding="utf-8", timeout=timeout_seconds
    )
    reports = []
    for line in finished.stdout.splitlines():
        try:
            reports.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    seen = {r.get("file") for r in reports}
    problem = (finished.stderr.strip().splitlines() or ["the check stopped unexpectedly"])[-1]
    for path in paths:
        if path.name not in seen:
            could_not = later.t("inspect.could_not_check", problem=problem)
            reports.append(
                {
                    "file": path.name,
                    "status": "rejected",
                    "kind": None,
                    "message": say(could_not, "en"),
                    "said": {"message": could_not},
                }
            )
    return reports


def load_files(
    paths: list[Path], database: Path, rules_file: Path | None = None, on_event=None, timeout_seconds: float = 1800
) -> list[dict]:
    """Load `paths`; `on_event(event)` gets each JSON event as it happens: {"file": ...} per file
    result, {"waiting": message} while another process holds the database. Returns the file results."""
    command = [sys.executable, "-m", "etl", "load", "--json", "--db", str(database), *map(str, paths)]
    if rules_file:
        command += ["--rules", str(rules_file)]
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8"
    )
    results = []
    assert process.stdout is not None  # stdout=PIPE
    try:
        for line in process.stdout:
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                event = {"message": line.rstrip()}
            if "file" in event:
                results.append(event)
            if on_event:
                on_event(event)
        process.wait(timeout=timeout_seconds)
    finally:
        if process.poll() is None:
            process.kill()
    return results
