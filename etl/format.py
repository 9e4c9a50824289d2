"""Numbers as people read them: 96.4 %, ¥12,345.00, 0.82 ‰, 1,234; anything empty is "—".

Pure functions (no Streamlit), used by tables, tiles, charts and reasons alike so a figure reads
the same everywhere.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

EMPTY = "—"


def is_empty(value) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value) or (isinstance(value, float) and math.isnan(value))
    except (TypeError, ValueError):  # pandas NA refuses comparison to a bool
        return True


def percent(value, decimals: int = 1) -> str:
    """A fraction as a percentage: 0.964 -> 96.4 %."""
    if is_empty(value):
        return EMPTY
    return f"{float(value) * 100:,.{decimals}f} %"


def per_mille(value, decimals: int = 2) -> str:
    """A value already per 1,000 (complaints per 1,000 units sold): 0.82 -> 0.82 ‰."""
    if is_empty(value):
        return EMPTY
    return f"{float(value):,.{decimals}f} ‰"


def money(value) -> str:
    """Yuan with two decimals: 12345 -> ¥12,345.00; -12 -> -¥12.00."""
    if is_empty(value):
        return EMPTY
    amount = float(value)
    return f"{'-' if amount < 0 else ''}¥{abs(amount):,.2f}"


def count(value) -> str:
    """A whole number with thousands separators: 1234 -> 1,234."""
    if is_empty(value):
        return EMPTY
    return f"{int(value):,}"


def number(value, decimals: int = 1) -> str:
    """A measured quantity such as hours: 54.7."""
    if is_empty(value):
        return EMPTY
    return f"{float(value):,.{decimals}f}"


def rate(value, scale: int) -> str:
    """A rate of etl.metrics.definitions.RATES in its unit: per mille when scaled by 1,000, else percent."""
    return per_mille(value) if scale == 1000 else percent(value)


def rate_change(value, scale: int, points: str = "pp") -> str:
    """The change of a rate between two periods, signed, in percentage points with two decimals (+1.23 pp: a
    rate of 1.5 % against 1.4 % is not ±0.0) or per mille (-0.05 ‰); ±0.00 when it shows no change.
    points: the word for percentage points (the catalogs' unit.points: pp, 个百分点)."""
    if is_empty(value):
        return EMPTY
    text = per_mille(abs(value)) if scale == 1000 else f"{abs(float(value)) * 100:,.2f} {points}"
    if shows_no_change(value, scale):
        return "±" + text
    return ("+" if value > 0 else "-") + text


def shows_no_change(value, scale: int) -> bool:
    """Whether a change rounds to zero at the precision changes are shown with (0.01 pp, 0.01 ‰)."""
    return abs(float(value)) < (0.005 if scale == 1000 else 0.00005)


def limit(value, scale: int) -> str:
    """A threshold as written in the rules: 98 %, 97.5 %, 1 ‰ (no trailing zeros)."""
    if is_empty(value):
        return EMPTY
    shown = Decimal(str(value)) * (1 if scale == 1000 else 100)
    text = format(shown.quantize(Decimal("0.0001")).normalize(), "f")
    return f"{text} {'‰' if scale == 1000 else '%'}"


def threshold(good_when: str, low, high, scale: int) -> str:
    """A rate's rule in symbols: < 10 %, ≥ 98 %, 10 %–20 %."""
    if is_empty(low):
        return EMPTY
    if not is_empty(high):
        return f"{limit(low, scale)}–{limit(high, scale)}"
    return f"{'<' if good_when == 'below' else '≥'} {limit(low, scale)}"


def month(value) -> str:
    """2025-03."""
    if is_empty(value):
        return EMPTY
    return f"{value:%Y-%m}"


def day(value) -> str:
    """2025-03-05."""
    if is_empty(value):
        return EMPTY
    return f"{value:%Y-%m-%d}"


def moment(value) -> str:
    """2025-03-05 14:30."""
    if is_empty(value):
        return EMPTY
    return f"{value:%Y-%m-%d %H:%M}"


def check(value) -> str:
    """A pass/fail as a mark: ✓, ✗, or — when there is nothing to judge."""
    if is_empty(value):
        return EMPTY
    return "✓" if bool(value) else "✗"


def text(value) -> str:
    return EMPTY if is_empty(value) or value == "" else str(value)


def parse_month(value: str) -> dt.date | None:
    """'2025-03' -> 2025-03-01; anything else -> None (a URL parameter a person may have edited)."""
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except (TypeError, ValueError):
        return None


def interval(low, high, scale: int) -> str:
    """A rate's confidence interval in its unit (issue 6): 91.8 %–92.8 %, 0.12 ‰–0.95 ‰; — when there is none."""
    if is_empty(low) or is_empty(high):
        return EMPTY
    return f"{rate(low, scale)}–{rate(high, scale)}"


def level(probability: float) -> str:
    """A coverage level: 0.95 -> 95 %, 0.998 -> 99.8 %."""
    return f"{float(probability) * 100:.4f}".rstrip("0").rstrip(".") + " %"
