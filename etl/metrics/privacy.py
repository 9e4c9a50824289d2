"""Personal data leaves the database masked (spec 4): the one definition of each mask, and the rejected
rows and call lists as the screen shows them.

masked_phone() and masked_name() write the SQL of each mask over any expression; macros() makes the
same SQL the warehouse's macros masked_phone(v) / masked_name(v), which the named queries call, and
the Explore sandbox masks its copy with them too (etl/explore.py).
"""

from __future__ import annotations

import json

import pandas as pd

from etl.metrics import named
from etl.schema import KIND_BY_NAME, KINDS, header_map, normalise_header


def masked_phone(expression: str) -> str:
    """SQL for a phone shown as 138****5678: the first three and last four digits of a mobile number.

    Shorter numbers keep only their last four characters; four or fewer are hidden whole.
    """
    text = f"trim(CAST({expression} AS VARCHAR))"
    return (
        f"CASE WHEN {expression} IS NULL THEN NULL "
        f"WHEN length({text}) >= 11 THEN left({text}, 3) || '****' || right({text}, 4) "
        f"WHEN length({text}) > 4 THEN repeat('*', length({text}) - 4) || right({text}, 4) "
        f"ELSE repeat('*', length({text})) END"
    )


def masked_name(expression: str) -> str:
    """SQL for a name shortened to its first character and a star: 张三丰 -> 张*."""
    text = f"trim(CAST({expression} AS VARCHAR))"
    return f"CASE WHEN {expression} IS NULL OR {text} = '' THEN NULL ELSE left({text}, 1) || '*' END"


def macros() -> list[str]:
    """The masks as the warehouse's macros (views.sql's `-- generated: privacy.macros`)."""
    return [
        f"CREATE OR REPLACE MACRO masked_phone(v) AS {masked_phone('v')}",
        f"CREATE OR REPLACE MACRO masked_name(v) AS {masked_name('v')}",
    ]


# --- personal data in rejected rows (issue 11) ---------------------------------------------------
# A rejected row keeps its cells as written (raw_values: header as written -> value). The dashboard
# shows them with the cells under a personal column's header masked as every other page masks
# them; the dealer's correction sheet (etl/corrections.py) is the one place they stay whole.

PERSONAL = {c.name for kind in KINDS for c in kind.columns if c.personal}
HIDDEN = "***"  # personal columns without a mask of their own (the address): not shown, as on every page


def _personal_spellings(kind_name: str | None) -> dict[str, str]:
    """Normalised header spelling -> personal column, the aliases file's spellings included."""
    from etl.aliases import AliasesError, header_maps

    spellings: dict[str, str] = {}
    for kind in [KIND_BY_NAME[kind_name]] if kind_name in KIND_BY_NAME else KINDS:
        try:
            columns = header_maps(kind).columns
        except AliasesError:  # a broken aliases file stops loads, not the list of what they rejected
            columns = header_map(kind)
        spellings |= {spelling: column for spelling, column in columns.items() if column in PERSONAL}
    return spellings


def _personal_headers(kind_name: str | None, details, headers) -> dict[str, str]:
    """Header as written -> personal column: the load's own header mapping, headers kept aside that
    resemble a personal column, and any header whose spelling names one."""
    details = json.loads(details) if isinstance(details, str) else (details or {})
    found = {
        header: column
        for header, column in details.get("mapping", []) + details.get("resembles", [])
        if column in PERSONAL
    }
    spellings = _personal_spellings(kind_name)
    for header in headers:
        column = spellings.get(normalise_header(header))
        if column and header not in found:
            found[header] = column
    return found


def _masks(con, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(column, value) -> the value masked by masked_phone / masked_name, the dashboard's one
    definition of each; other personal columns are hidden whole. Any connection does: the masks'
    SQL is written here, not read from the warehouse's macros (the Explore sandbox masks too)."""
    if not pairs:
        return {}
    con.register("_personal_values", pd.DataFrame(sorted(pairs), columns=["personal_column", "value"]))
    try:
        rows = named.rows(
            con, "personal_values_masked", {"hidden": HIDDEN}, phone=masked_phone("value"), name=masked_name("value")
        )
    finally:
        con.unregister("_personal_values")
    return {(column, value): masked for column, value, masked in rows}


def _overflow_cells(value: str) -> list[tuple[str, str]]:
    """The cells beyond the header (too_many_values, tab-joined): no header says what they hold, so
    each is masked, as a phone when it has a digit, else as a name."""
    return [
        ("customer_phone" if any(c.isdigit() for c in cell) else "customer_name", cell) for cell in value.split("\t")
    ]


def _swapped(text, swaps: list[tuple[str, str]]):
    """Text with each quoted personal value replaced by its mask; `swaps` come longest first, so a
    name inside a longer quoted value is not masked half-way."""
    if not isinstance(text, str):
        return text
    for value, masked in swaps:
        text = text.replace(value, masked)
    return text


def masked_rejects(con, rows: pd.DataFrame) -> pd.DataFrame:
    """Rejected rows (kind, reason, raw_values; problems and the load's details when at hand) with
    names, phones and addresses masked: in raw_values under the headers of personal columns, and
    wherever the problems or the reason quote one of those values or the cells beyond the header."""
    out = rows.copy()
    if out.empty:
        return out
    cells = [json.loads(v) if isinstance(v, str) else (v or {}) for v in out["raw_values"]]
    problems = (
        [json.loads(v) if isinstance(v, str) else (v or []) for v in out["problems"]]
        if "problems" in out
        else [[] for _ in cells]
    )
    details = out["details"] if "details" in out else [None] * len(cells)
    headers_of: dict[tuple, dict[str, str]] = {}
    found, pairs = [], set()
    for kind, values, listed, detail in zip(out["kind"], cells, problems, details):
        key = (kind, detail if isinstance(detail, str) else None, tuple(values))
        if key not in headers_of:
            headers_of[key] = _personal_headers(kind, detail, values)
        personal = {
            h: (column, str(values[h]).strip())
            for h, column in headers_of[key].items()
            if values.get(h) is not None and str(values[h]).strip()
        }
        quoted = [[(p["col"], str(p["value"]))] for p in listed if p.get("col") in PERSONAL and p.get("value")]
        quoted += [
            _overflow_cells(str(p["value"])) for p in listed if p.get("code") == "too_many_values" and p.get("value")
        ]
        found.append((personal, quoted))
        pairs |= set(personal.values()) | {pair for group in quoted for pair in group}
    masks = _masks(con, pairs)

    def masked(pair: tuple[str, str]) -> str:
        return masks.get(pair) or pair[1]

    raw_out, reasons, problems_out = [], [], []
    stored = out["problems"] if "problems" in out else [None] * len(cells)
    for (personal, quoted), values, listed, reason, raw, kept in zip(
        found, cells, problems, out["reason"], out["raw_values"], stored
    ):
        if personal:
            raw = json.dumps(
                {h: masked(personal[h]) if h in personal else v for h, v in values.items()},
                ensure_ascii=False,
                separators=(",", ":"),
            )
        replacing = {value: masked((column, value)) for column, value in personal.values() if len(value) > 1}
        replacing |= {
            "\t".join(value for _, value in group): "\t".join(masked(pair) for pair in group) for group in quoted
        }
        swaps = sorted(replacing.items(), key=lambda swap: -len(swap[0]))
        if swaps:
            reason = _swapped(reason, swaps)
            if listed:
                kept = json.dumps(
                    [
                        {
                            field: _swapped(text, swaps) if field in ("value", "detail", "detail_zh") else text
                            for field, text in p.items()
                        }
                        for p in listed
                    ],
                    ensure_ascii=False,
                )
        raw_out.append(raw)
        reasons.append(reason)
        problems_out.append(kept)
    out["raw_values"], out["reason"] = raw_out, reasons
    if "problems" in out:
        out["problems"] = problems_out
    return out


def masked_call_list(con, call_list: pd.DataFrame) -> pd.DataFrame:
    """The call list as the screen shows it: names and phones masked, addresses left out. Only the two columns
    masked go through DuckDB (issue 13: a national list has 75 k rows of 14 columns)."""
    con.register("_call_list", call_list[["customer_name", "customer_phone"]])
    try:
        masks = named.run(
            con, "call_list_masked", phone=masked_phone("customer_phone"), name=masked_name("customer_name")
        )
    finally:
        con.unregister("_call_list")
    shown = call_list.copy()
    for column in ("customer_name", "customer_phone"):
        shown[column] = masks[column].to_numpy()
    shown["address"] = None
    return shown
