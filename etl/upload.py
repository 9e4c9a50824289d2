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


def _child(command: str, paths: list[Path], database: Path, rules_file: Path | None, lang: str | None) -> list[str]:
    """`python -m etl <command> --json` on `paths`; its own messages (a broken rules or aliases file) in `lang`
    (the page's) when given, else in the environment's."""
    line = [sys.executable, "-m", "etl", command, "--json", "--db", str(database), *map(str, paths)]
    if rules_file:
        line += ["--rules", str(rules_file)]
    return line + ["--lang", lang] if lang else line


def inspect_files(
    paths: list[Path],
    database: Path,
    rules_file: Path | None = None,
    timeout_seconds: float = 600,
    lang: str | None = None,
) -> list[dict]:
    """`python -m etl inspect --json` on `paths` in a child process: one report per file, nothing written.
    A file that breaks the child (it should not) leaves a report saying so instead of the page failing; the child's
    own last words (its error, in `lang` when given) are kept in it."""
    command = _child("inspect", paths, database, rules_file, lang)
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
    last_words = finished.stderr.strip().splitlines()
    problem = last_words[-1] if last_words else later.t("inspect.stopped_unexpectedly")
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
    paths: list[Path],
    database: Path,
    rules_file: Path | None = None,
    on_event=None,
    timeout_seconds: float = 1800,
    lang: str | None = None,
) -> list[dict]:
    """Load `paths`; `on_event(event)` gets each JSON event as it happens: {"file": ...} per file
    result, {"waiting": message} while another process holds the database, {"message": line} for any other line
    (the child's error, in `lang` when given). Returns the file results."""
    command = _child("load", paths, database, rules_file, lang)
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
