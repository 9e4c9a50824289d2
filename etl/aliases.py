"""Header spellings HQ adds without touching code: header_aliases.toml at the project root.

etl/schema.py stays the one home of the header map; the aliases file only adds spellings to
it. Its place is a setting: SERVICE_QC_HEADER_ALIASES, else <project root>/header_aliases.toml.
A missing default file means no added spellings; a mistake in the file (unknown kind or
column, a spelling another column already uses) stops the load with AliasesError, which
names the file and the key, so a typo never maps a column silently.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from etl.config import PROJECT_ROOT
from etl.schema import KIND_BY_NAME, Kind, date_part_map, header_map, normalise_header
from i18n import SaidError, later

DEFAULT_ALIASES = PROJECT_ROOT / "header_aliases.toml"
ALIASES_SETTING = "SERVICE_QC_HEADER_ALIASES"


class AliasesError(SaidError, ValueError):
    """The aliases file cannot be used; the message (a catalog message: said) names the file and the key."""


@dataclass(frozen=True)
class HeaderMaps:
    """One kind's header spellings, normalised: whole columns and date parts of DATETIME columns."""

    columns: dict[str, str]  # normalised spelling -> column name
    date_parts: dict[str, str]  # normalised spelling -> DATETIME column whose date part it is


def aliases_path() -> Path:
    """SERVICE_QC_HEADER_ALIASES when set, else header_aliases.toml at the project root."""
    chosen = os.environ.get(ALIASES_SETTING)
    return Path(chosen) if chosen else DEFAULT_ALIASES


_cache: dict[tuple, dict[str, dict[str, tuple[str, ...]]]] = {}


def load_aliases(path: Path | None = None) -> dict[str, dict[str, tuple[str, ...]]]:
    """kind -> column -> added spellings, checked against the schema (cached per file version)."""
    path = path or aliases_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        if path == DEFAULT_ALIASES and ALIASES_SETTING not in os.environ:
            return {}
        raise AliasesError(later.t("aliases.no_file", path=str(path), setting=ALIASES_SETTING)) from None
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _cache:
        _cache.clear()
        _cache[key] = _parse(path)
    return _cache[key]


def _parse(path: Path) -> dict[str, dict[str, tuple[str, ...]]]:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise AliasesError(later.t("aliases.not_utf8", path=str(path), position=exc.start)) from None
    except tomllib.TOMLDecodeError as exc:
        raise AliasesError(later.t("aliases.not_toml", path=str(path), error=str(exc))) from None
    except OSError as exc:
        raise AliasesError(later.t("aliases.unreadable", path=str(path), reason=str(exc.strerror or exc))) from None
    added: dict[str, dict[str, tuple[str, ...]]] = {}
    for kind_name, columns in document.items():
        kind = KIND_BY_NAME.get(kind_name)
        if kind is None:
            raise AliasesError(
                later.t("aliases.unknown_kind", path=str(path), kind=kind_name, kinds=", ".join(KIND_BY_NAME))
            )
        if not isinstance(columns, dict):
            raise AliasesError(later.t("aliases.not_a_table", path=str(path), kind=kind_name))
        added[kind_name] = _kind_aliases(path, kind, columns)
    return added


def _kind_aliases(path: Path, kind: Kind, columns: dict) -> dict[str, tuple[str, ...]]:
    """One [kind] table: every key a column of the kind, every spelling new to the kind."""
    builtin = {spelling: ("column", name) for spelling, name in header_map(kind).items()}
    builtin |= {spelling: ("date part", name) for spelling, name in date_part_map(kind).items()}
    names = {c.name for c in kind.columns}
    taken: dict[str, str] = {}
    result = {}
    for column, spellings in columns.items():
        where = later.t("aliases.where", path=str(path), kind=kind.name, column=column)
        if column not in names:
            columns_of_kind = ", ".join(c.name for c in kind.columns)
            raise AliasesError(
                later.t("aliases.unknown_column", where=where, kind=kind.name, column=column, columns=columns_of_kind)
            )
        if isinstance(spellings, str):
            spellings = [spellings]
        if not isinstance(spellings, list) or not all(isinstance(s, str) for s in spellings):
            raise AliasesError(later.t("aliases.not_a_list", where=where, column=column))
        for spelling in spellings:
            normal = normalise_header(spelling)
            if not normal:
                raise AliasesError(later.t("aliases.empty_spelling", where=where, spelling=spelling))
            role, owner = builtin.get(normal, (None, None))
            if owner is not None and (owner != column or role != "column"):
                which = owner if role == "column" else later.t("aliases.date_part_of", column=owner)
                raise AliasesError(later.t("aliases.taken", where=where, spelling=spelling, which=which))
            if taken.get(normal, column) != column:
                given = f"{kind.name}.{taken[normal]}"
                raise AliasesError(later.t("aliases.given_twice", where=where, spelling=spelling, other=given))
            taken[normal] = column
        result[column] = tuple(spellings)
    return result


def header_maps(kind: Kind) -> HeaderMaps:
    """The schema's spellings of a kind plus those the aliases file adds."""
    columns = header_map(kind)
    for column, spellings in load_aliases().get(kind.name, {}).items():
        columns |= {normalise_header(s): column for s in spellings}
    return HeaderMaps(columns, date_part_map(kind))
