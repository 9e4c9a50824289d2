"""The Data page's upload: save the uploaded files under their own names, load them in a child process.

No Streamlit here (the page passes callbacks for its progress bar and status line), so the
handler is tested as a plain function. The dashboard process never opens a write connection:
etl.upload.load_files runs `python -m etl load --json`, and DuckDB's file lock makes that load
and any other (a terminal, another upload) wait for each other.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from app import connections
from etl import upload
from etl.reject_reasons import render_all
from etl.wording import inspect_message, inspect_words
from i18n import say, t

SUFFIXES = ("csv", "tsv", "txt", "xlsx", "xlsm", "xls", "xlsb", "ods")  # = etl.read.DATA_SUFFIXES


@dataclass
class Upload:
    """The result of one upload: one row per file (LOAD_RESULT columns), or why nothing loaded."""

    results: pd.DataFrame
    failure: str = ""
    waited: bool = False
    rejected_files: list[str] = field(default_factory=list)  # files with rejected rows


def safe_name(name: str) -> str:
    """The file's own name (the loader reads kind and month from it), without any folder part."""
    base = re.split(r"[\\/]", name)[-1].strip() or "upload"
    return re.sub(r"[\x00-\x1f]", "", base).lstrip(".") or "upload"


def save(files: list[tuple[str, bytes]], folder: Path) -> list[Path]:
    """Write (name, bytes) pairs into `folder` under their names (a repeated name gets a number)."""
    paths, taken = [], set()
    for name, content in files:
        name = safe_name(name)
        stem, dot, suffix = name.rpartition(".")
        candidate, n = name, 2
        while candidate in taken:
            candidate = f"{stem}_{n}.{suffix}" if dot else f"{name}_{n}"
            n += 1
        taken.add(candidate)
        target = folder / candidate
        target.write_bytes(content)
        paths.append(target)
    return paths


PREVIEW_COLUMNS = ["file_name", "kind", "status", "rows_read", "rows_loaded", "rows_rejected", "message", "notes"]


def preview_uploaded(
    files: list[tuple[str, bytes]], database: Path, rules_file: Path | None, lang: str | None = None
) -> list[dict]:
    """What loading the files would do (python -m etl inspect in a child process); writes nothing. The child's own
    error (a broken aliases file) in `lang`, the page's, when given."""
    with tempfile.TemporaryDirectory(prefix="preview_") as folder:
        paths = save(files, Path(folder))
        try:
            connections.close_all()
            return upload.inspect_files(paths, database, rules_file, lang=lang)
        except Exception as exc:  # noqa: BLE001 - the page shows why, never a traceback
            return [{"file": p.name, "status": "rejected", "kind": None, "message": str(exc)} for p in paths]


def preview_table(reports: list[dict], lang: str = "en") -> pd.DataFrame:
    """One row per file, as the page's preview table shows it (its sentences in `lang`)."""
    separator = t("said.separator", lang)
    rows = [
        {
            "file_name": r.get("file", ""),
            "kind": r.get("kind") or "",
            "status": r.get("status"),
            "rows_read": r.get("rows_read", 0),
            "rows_loaded": r.get("rows_loaded", 0),
            "rows_rejected": r.get("rows_rejected", 0),
            "message": inspect_message(r, lang),
            "notes": separator.join(inspect_words(r, "warnings", lang) + inspect_words(r, "notes", lang)),
        }
        for r in reports
    ]
    return pd.DataFrame(rows, columns=PREVIEW_COLUMNS)


def fingerprint(files: list[tuple[str, bytes]]) -> str:
    """Names and contents of the chosen files: the preview is redone only when they change."""
    digest = hashlib.sha256()
    for name, content in files:
        digest.update(name.encode("utf-8") + b"\0" + hashlib.sha256(content).digest())
    return digest.hexdigest()


def how_read(report: dict, lang: str = "en") -> list[str]:
    """The preview's lines about how a file is read: the loader's own notes and warnings, as the
    command line prints them, in `lang` (markdown-escaped, since a sheet or header name may hold * or _)."""
    escape = str.maketrans({c: "\\" + c for c in "\\`*_{}[]<>()#+-.!|"})
    lines = inspect_words(report, "warnings", lang) + inspect_words(report, "notes", lang)
    return [line.translate(escape) for line in lines]


def first_rejects_table(report: dict, lang: str) -> pd.DataFrame:
    """The first rows a load would reject, each reason in the page's language."""
    rows = [
        {
            "sheet": r.get("sheet"),
            "row_no": r.get("row_no"),
            "reason": render_all(r["problems"], report.get("kind"), lang) if r.get("problems") else r.get("reason"),
        }
        for r in report.get("first_rejects", [])
    ]
    return pd.DataFrame(rows, columns=["sheet", "row_no", "reason"])


def mapping_table(report: dict, lang: str = "en") -> pd.DataFrame:
    """Source header -> column, as read from the file (date parts included: "repaired_at (date)", in `lang`)."""
    details = report.get("details") or {}
    pairs = details.get("mapping", []) + [
        [source, t("data.mapping_date_part", lang, column=column)] for source, column in details.get("date_parts", [])
    ]
    return pd.DataFrame(pairs, columns=["source_header", "column"])


def _row(event: dict, lang: str) -> dict:
    """A file's result line of the child's JSON as the page's table shows it, its sentences in `lang`."""
    said = event.get("said") or {}
    warnings = event.get("warnings") or []
    notes = event.get("notes") or []
    if said.get("warnings") and len(said["warnings"]) == len(warnings):
        warnings = [say(item, lang, str(plain)) for item, plain in zip(said["warnings"], warnings, strict=True)]
    if said.get("notes") and len(said["notes"]) == len(notes):
        notes = [say(item, lang, str(plain)) for item, plain in zip(said["notes"], notes, strict=True)]
    separator = t("said.separator", lang)
    return {
        "file_name": event.get("file", ""),
        "kind": event.get("kind") or "",
        "status": event.get("status"),
        "rows_read": event.get("rows_read", 0),
        "rows_loaded": event.get("rows_loaded", 0),
        "rows_rejected": event.get("rows_rejected", 0),
        "message": say(said.get("message"), lang, event.get("message") or ""),
        "warnings": separator.join(map(str, warnings)) if isinstance(warnings, list) else str(warnings),
        "notes": separator.join(map(str, notes)),
    }


def load_uploaded(
    files: list[tuple[str, bytes]],
    database: Path,
    rules_file: Path | None,
    on_progress: Callable[[int, int, str], object] = lambda done, total, name: None,
    on_waiting: Callable[[str], object] = lambda message: None,
    lang: str = "en",
) -> Upload:
    """Save and load the files; on_progress(done, total, file) after each file, on_waiting(message)
    while another process holds the database; the files' sentences in `lang`."""
    columns = [
        "file_name",
        "kind",
        "status",
        "rows_read",
        "rows_loaded",
        "rows_rejected",
        "message",
        "warnings",
        "notes",
    ]
    rows, other, waited = [], [], False
    with tempfile.TemporaryDirectory(prefix="upload_") as folder:
        paths = save(files, Path(folder))

        def on_event(event: dict) -> None:
            nonlocal waited
            if "file" in event:
                rows.append(_row(event, lang))
                on_progress(len(rows), len(paths), event["file"])
            elif "waiting" in event:
                waited = True
                on_waiting(event["waiting"])
            elif "message" in event:
                other.append(event["message"])

        try:
            connections.close_all()  # this process's idle readers would make the load wait
            upload.load_files(paths, database, rules_file, on_event, lang=lang)
        except Exception as exc:  # noqa: BLE001 - the page shows why, never a traceback
            other.append(str(exc))
    results = pd.DataFrame(rows, columns=columns)
    failure = "" if len(rows) == len(paths) else "; ".join(line for line in other if line)[-500:] or "?"
    rejected = [r["file_name"] for r in rows if r["rows_rejected"]]
    return Upload(results, failure, waited, rejected)
