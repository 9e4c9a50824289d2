"""Where the database and the rules file are: defaults, environment variables, options (spec 5)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = PROJECT_ROOT / "data" / "warehouse.duckdb"
DEFAULT_SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"


def db_path(option: str | None = None) -> Path:
    """--db FILE, else SERVICE_QC_DB, else data/warehouse.duckdb."""
    return Path(option or os.environ.get("SERVICE_QC_DB") or DEFAULT_DB)


def rules_path(option: str | None = None) -> Path | None:
    """--rules FILE, else SERVICE_QC_RULES, else None (the bundled rules.toml)."""
    chosen = option or os.environ.get("SERVICE_QC_RULES")
    return Path(chosen) if chosen else None


def users_path(option: str | None = None) -> Path:
    """--users FILE, else SERVICE_QC_USERS, else data/users.toml (git-ignored): who may sign in (docs/access.md)."""
    return Path(option or os.environ.get("SERVICE_QC_USERS") or PROJECT_ROOT / "data" / "users.toml")


def audit_path(database: Path | None = None) -> Path:
    """SERVICE_QC_AUDIT, else audit.sqlite beside the warehouse: the append-only audit trail (docs/access.md)."""
    chosen = os.environ.get("SERVICE_QC_AUDIT")
    return Path(chosen) if chosen else (database or db_path()).parent / "audit.sqlite"


def archive_dir(database: Path) -> Path:
    """Original files are archived beside the database they were loaded into."""
    return database.parent / "archive"
