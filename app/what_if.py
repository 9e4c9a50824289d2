"""The award page's what-if thresholds: inputs prefilled from the rules, applied without touching the rules file.

Changed values sit in the URL under their rules key (?award.min_satisfaction_rate=0.95), in the
rules' own units, so a what-if can be shared as a link.
"""

from __future__ import annotations

import streamlit as st

from app import format as fmt
from app import state
from app.state import Choice, PageContext
from etl.rules import Rules

# rules key -> how the input shows it: percent (0.98 shown as 98), per_mille, count, switch
AWARD_THRESHOLDS = {
    "award.max_complaints_per_1000_sales": "per_mille",
    "award.min_satisfaction_rate": "percent",
    "award.min_answered_callbacks": "count",
    "award.min_report_rate": "percent",
    "award.min_technicians": "count",
    "award.max_notices": "count",
    "award.require_service_center": "switch",
    "award.require_interval": "switch",  # issue 6: complaints and satisfaction judged with their interval
}


def shown(value, unit: str):
    """A rules value in the unit of its input."""
    if unit == "percent":
        return round(float(value) * 100, 4)
    if unit == "per_mille":
        return float(value)
    if unit == "count":
        return int(value)
    return bool(value)


def stored(value, unit: str):
    """An input's value back in the rules' units."""
    if unit == "percent":
        return round(float(value) / 100, 6)
    if unit == "switch":
        return bool(value)
    return shown(value, unit)


def text(value, unit: str, lang: str) -> str:
    """A threshold as a person reads it: 98 %, 1 ‰, 30, yes."""
    if unit == "percent":
        return fmt.limit(value, 1)
    if unit == "per_mille":
        return fmt.limit(value, 1000)
    if unit == "switch":
        return fmt.check(value)
    return fmt.count(value)


def _choice(key: str, unit: str, base) -> Choice:
    def read(url):
        if not url.get(key):
            return None
        raw = url[key][-1]
        try:
            value = raw.lower() in ("true", "1", "yes") if unit == "switch" else float(raw)
        except ValueError:
            return None
        return shown(value, unit)

    def write(value):
        return {key: "" if stored(value, unit) == base else str(stored(value, unit)).lower()}

    return Choice(key, read, write)


def _input(page: PageContext, key: str, unit: str, column):
    label = page.t(f"what_if.{key}")
    help_text = page.t("what_if.input_help", value=text(page.rules[key], unit, page.lang))
    if unit == "switch":
        return lambda **kw: column.toggle(label, help=help_text, **kw)
    if unit == "count":
        return lambda **kw: column.number_input(label, min_value=0, step=1, help=help_text, **kw)
    top = 100.0 if unit == "percent" else None
    step = 0.5 if unit == "percent" else 0.1
    return lambda **kw: column.number_input(
        label, min_value=0.0, max_value=top, step=step, format="%.2f", help=help_text, **kw
    )


def _clean(unit: str):
    if unit == "switch":
        return lambda value: value if isinstance(value, bool) else None
    kind = int if unit == "count" else float
    return lambda value: (
        kind(value)
        if isinstance(value, (int, float))
        and not isinstance(value, bool)
        and value >= 0
        and (unit != "percent" or value <= 100)
        else None
    )


def thresholds(page: PageContext) -> tuple[Rules, list[tuple[str, str, str]]]:
    """The rules with the page's what-if values, and each change as (label, what-if, rules file)."""
    overrides, changes = {}, []
    with st.expander(page.t("what_if.title"), icon=":material/tune:"):
        st.caption(page.t("what_if.help"))
        columns = st.columns(4)
        for n, (key, unit) in enumerate(AWARD_THRESHOLDS.items()):
            base = page.rules[key]
            value = state.persisted(
                _choice(key, unit, base), shown(base, unit), _input(page, key, unit, columns[n % 4]), _clean(unit)
            )
            if stored(value, unit) != base:
                overrides[key] = stored(value, unit)
                changes.append(
                    (page.t(f"what_if.{key}"), text(overrides[key], unit, page.lang), text(base, unit, page.lang))
                )
    if changes:
        lines = [page.t("what_if.change", label=label, value=value, rules=rules) for label, value, rules in changes]
        st.warning(page.t("what_if.active", changes="; ".join(lines)), icon=":material/science:")
        st.button(
            page.t("what_if.reset"), on_click=state.forget, args=tuple(AWARD_THRESHOLDS), icon=":material/restart_alt:"
        )
    return (page.rules.with_overrides(overrides) if overrides else page.rules), changes
