"""The rules file: load, check and hand the thresholds to SQL as DuckDB variables.

The bundled `rules.toml` holds the spec's defaults; another file (``--rules`` or
``SERVICE_QC_RULES``) overrides any of its keys. Unknown keys, wrong types and rates
outside 0..1 are refused with a message naming the key.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from i18n import N_, SaidError, later

DEFAULT_RULES = Path(__file__).resolve().parent.parent / "rules.toml"

# section.key -> (python type, bound). Bounds: "rate" 0..1, "probability" strictly between 0 and 1,
# "share" 0 up to (not including) 0.5, "positive" > 0, "nonneg" >= 0.
SCHEMA: dict[str, tuple[type, str]] = {
    "controls.complaint_rate_max": (float, "rate"),
    "controls.miss_rate_max": (float, "rate"),
    "controls.dissatisfaction_rate_max": (float, "rate"),
    "controls.dealer_callback_rate_min": (float, "rate"),
    "controls.hq_callback_coverage_min": (float, "rate"),
    "controls.hq_callback_coverage_max": (float, "rate"),
    "service.sla_hours_urban": (float, "positive"),
    "service.sla_hours_county": (float, "positive"),
    "service.report_due_day": (int, "day"),
    "service.repeat_repair_days": (float, "positive"),
    "award.max_complaints_per_1000_sales": (float, "nonneg"),
    "award.min_satisfaction_rate": (float, "rate"),
    "award.min_answered_callbacks": (int, "nonneg"),
    "award.min_report_rate": (float, "rate"),
    "award.min_technicians": (int, "nonneg"),
    "award.require_service_center": (bool, ""),
    "award.max_notices": (int, "nonneg"),
    "award.require_interval": (bool, ""),
    "settlement.fee_rate": (float, "rate"),
    "settlement.missing_months_in_a_row": (int, "positive"),
    "settlement.missing_deduction_rate": (float, "rate"),
    "settlement.fake_penalty_multiplier": (float, "nonneg"),
    "settlement.complaint_deduction_yuan": (float, "nonneg"),
    "dates.earliest": (dt.date, "date"),
    "dates.purchase_earliest": (dt.date, "date"),
    "dates.latest_years_after_load": (int, "positive"),
    "dates.request_window_months": (int, "positive"),
    "callbacks.sample_share": (float, "rate"),
    "callbacks.no_repeat_days": (int, "nonneg"),
    "statistics.interval_z": (float, "positive"),
    "statistics.funnel_inner": (float, "probability"),
    "statistics.funnel_outer": (float, "probability"),
    "statistics.winsorise": (float, "share"),
    "statistics.dispersion_test_level": (float, "probability"),
    "statistics.baseline_months": (int, "positive"),
    "statistics.control_sigma": (float, "positive"),
    "statistics.run_length": (int, "positive"),
    "statistics.laney_when_overdispersed": (bool, ""),
    "statistics.min_expected_count": (float, "nonneg"),
    "statistics.min_sample": (int, "nonneg"),
    "watchlist.funnel_months": (int, "positive"),
    "watchlist.funnel_overdispersion": (bool, ""),
    "explore.query_timeout_seconds": (float, "positive"),
    "explore.row_limit": (int, "positive"),
    "explore.memory_limit_mb": (int, "positive"),
    "explore.result_limit_mb": (int, "positive"),
    "limits.max_columns": (int, "positive"),
    "limits.max_cell_chars": (int, "positive"),
    "limits.max_rows": (int, "positive"),
    "limits.max_file_mb": (float, "positive"),
    "limits.max_seconds": (float, "positive"),
    "limits.load_memory_mb": (int, "positive"),
    "dashboard.default_language": (str, "language"),
    "dashboard.max_table_rows": (int, "positive"),
    "access.idle_minutes": (float, "positive"),
    "access.session_hours": (float, "positive"),
    "access.max_failures": (int, "positive"),
    "access.lock_minutes": (float, "positive"),
    "access.min_password_length": (int, "positive"),
    # Issue 16: the kinds of event that open a case, each kind's deadline in working days, the root causes.
    "cases.kinds": (list, "case_kinds"),
    "cases.due_days_complaint": (int, "positive"),
    "cases.due_days_fake_record": (int, "positive"),
    "cases.due_days_dissatisfied": (int, "positive"),
    "cases.due_days_missed_request": (int, "positive"),
    "cases.due_days_conduct_issue": (int, "positive"),
    "cases.due_days_watchlist": (int, "positive"),
    "cases.root_causes": (list, "codes"),
    "cases.edit_wait_seconds": (float, "positive"),
}
# The kinds of event a case can open for (etl/cases.py; words: case.kind.<kind> in the catalogs).
CASE_KINDS = ("complaint", "fake_record", "dissatisfied", "missed_request", "conduct_issue", "watchlist")


class RulesError(SaidError, ValueError):
    """A rules file that cannot be used; the message (a catalog message: said) names the file and the key."""


# A key's type in a RulesError ("must be float"): the catalogs' words for SCHEMA's types.
TYPE_WORDS = {
    float: N_("rules.type.float"),
    int: N_("rules.type.int"),
    bool: N_("rules.type.bool"),
    str: N_("rules.type.str"),
    list: N_("rules.type.list"),
    dt.date: N_("rules.type.date"),
}


@dataclass(frozen=True)
class Rules:
    values: dict[str, object]
    source: str

    def __getitem__(self, dotted_key: str):
        return self.values[dotted_key]

    def with_overrides(self, overrides: dict[str, object]) -> Rules:
        """A what-if copy (the award page's edited thresholds), checked like a file."""
        merged = dict(self.values)
        for key, value in overrides.items():
            merged[key] = _check(key, value, "what-if")
        return Rules(merged, self.source + " + what-if")

    def sql_variables(self) -> dict[str, object]:
        """Variables the metric views read with getvariable('rule_<section>_<key>')."""
        return {
            "rule_" + key.replace(".", "_"): value
            for key, value in self.values.items()
            if key.split(".")[0] not in {"dashboard", "explore", "dates", "limits", "cases", "access"}
        }


def _flatten(doc: dict, source: str) -> dict[str, object]:
    flat = {}
    for section, body in doc.items():
        if not isinstance(body, dict):
            raise RulesError(later.t("rules.not_a_section", source=source, section=section))
        for key, value in body.items():
            flat[f"{section}.{key}"] = value
    return flat


def _check(key: str, value: object, source: str) -> object:
    if key not in SCHEMA:
        raise RulesError(later.t("rules.unknown_key", source=source, key=key, known=", ".join(SCHEMA)))
    kind, bound = SCHEMA[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if kind is dt.date and isinstance(value, dt.datetime):
        raise RulesError(later.t("rules.not_a_date", source=source, key=key, value=repr(value)))
    if kind is list and isinstance(value, tuple):
        value = list(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        kind_words = later.t(TYPE_WORDS[kind]) if kind in TYPE_WORDS else kind.__name__
        raise RulesError(later.t("rules.wrong_type", source=source, key=key, kind=kind_words, value=repr(value)))
    if isinstance(value, int | float):
        _check_bound(key, value, bound, source)
    if isinstance(value, list):
        _check_list(key, value, bound, source)
        return tuple(value)  # hashable: the rules are part of the pages' cache keys
    if bound == "language" and value not in ("zh", "en"):
        raise RulesError(later.t("rules.not_a_language", source=source, key=key, value=repr(value)))
    return value


def _check_list(key: str, value: list, bound: str, source: str) -> None:
    """A list's bound: \"case_kinds\" (etl/cases.py's kinds), \"codes\" (lower-case codes, at least one)."""
    if bound == "case_kinds" and not set(value) <= set(CASE_KINDS):
        raise RulesError(
            later.t("rules.case_kinds", source=source, key=key, kinds=", ".join(CASE_KINDS), value=repr(value))
        )
    codes = all(isinstance(v, str) and re.fullmatch(r"[a-z0-9_]+", v) for v in value)
    if bound == "codes" and (not value or not codes):
        raise RulesError(later.t("rules.codes", source=source, key=key, value=repr(value)))


# A number's bound (SCHEMA) -> whether a value is within it, and the message when it is not.
BOUNDS = {
    "rate": (lambda value: 0 <= value <= 1, N_("rules.rate")),
    "probability": (lambda value: 0 < value < 1, N_("rules.probability")),
    "share": (lambda value: 0 <= value < 0.5, N_("rules.share")),
    "positive": (lambda value: value > 0, N_("rules.positive")),
    "nonneg": (lambda value: value >= 0, N_("rules.nonneg")),
    "day": (lambda value: 1 <= value <= 28, N_("rules.day")),
}


def _check_bound(key: str, value: float, bound: str, source: str) -> None:
    """A number's bound from SCHEMA ("rate", "positive" …); the type is checked already."""
    within, message = BOUNDS.get(bound, (None, ""))
    if within is not None and not within(value):
        raise RulesError(later.t(message, source=source, key=key, value=str(value)))


def _read(path: Path) -> dict[str, object]:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RulesError(later.t("rules.no_file", path=str(path))) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RulesError(later.t("rules.not_toml", path=str(path), error=str(exc))) from exc
    return {key: _check(key, value, str(path)) for key, value in _flatten(doc, str(path)).items()}


def load_rules(path: str | Path | None = None) -> Rules:
    """The bundled defaults, overridden by `path` when given."""
    values = _read(DEFAULT_RULES)
    missing = set(SCHEMA) - set(values)
    if missing:
        raise RulesError(later.t("rules.missing_keys", path=str(DEFAULT_RULES), keys=", ".join(sorted(missing))))
    source = str(DEFAULT_RULES)
    if path is not None and Path(path).resolve() != DEFAULT_RULES:
        values.update(_read(Path(path)))
        source = str(path)
    if _float(values, "controls.hq_callback_coverage_min") > _float(values, "controls.hq_callback_coverage_max"):
        raise RulesError(later.t("rules.coverage_min_above_max", source=source))
    if _float(values, "statistics.funnel_inner") >= _float(values, "statistics.funnel_outer"):
        raise RulesError(later.t("rules.funnel_inner_outer", source=source))
    if _date(values, "dates.purchase_earliest") > _date(values, "dates.earliest"):
        raise RulesError(later.t("rules.purchase_after_earliest", source=source))
    return Rules(values, source)


def _float(values: dict[str, object], key: str) -> float:
    value = values[key]
    assert isinstance(value, float), key  # _check made every float key of SCHEMA a float
    return value


def _date(values: dict[str, object], key: str) -> dt.date:
    value = values[key]
    assert isinstance(value, dt.date), key  # _check refused anything else for a date key
    return value
