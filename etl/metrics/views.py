"""Create the metric views and macros in a database, with comments a manager can read."""

from __future__ import annotations

import hashlib
from pathlib import Path

from etl.metrics import definitions, privacy
from etl.metrics.definitions import COLUMN_COMMENTS, RATES, dealer_month_metrics_sql
from etl.warehouse import quote
from i18n import t

VIEWS_SQL = Path(__file__).with_name("views.sql")
# Macros generated from Python, each standing in views.sql where a comment line "-- generated: <name>" says.
GENERATED = {"definitions.macros": definitions.macros, "privacy.macros": privacy.macros}

VIEW_COMMENTS = {
    "latest_repairs": "One row per (dealer_id, record_no): the latest loaded version of each record.",
    "superseded_repairs_view": "The repair rows a later version of their record superseded (the definition; loads "
    "store its rows in the table superseded_repairs).",
    "callback_records_view": "Each callback on a loaded record with the month, load and row of that record's latest "
    "version (the definition; loads store its rows in the table callback_records).",
    "repair_facts": "Each repair record with its SLA, on-time, repeat-repair and miss flags.",
    "repair_flags_view": "The repair records with a repeat-repair or found-unresolved flag (the flags that search "
    "other records), keyed by dealer, month and record (the definition; loads store its rows in the table "
    "repair_flags).",
    "repair_records": "repair_facts served from the stored flags (repair_flags): what the record lists read.",
    "request_records": "requests served from the stored flags (repair_flags): what the missed-requests list and "
    "the cases read.",
    "requests": "Every request (repair records and unanswered hotline repair requests), missed or not, with why.",
    "complaint_events": "Complaint events: callbacks with complaint=Y and verified hotline complaint tickets.",
    "complaints": "Distinct complaints after merging events about the same record of the same dealer.",
    "callback_facts": "Each HQ callback with reached/answered/satisfied/dissatisfied/fake flags.",
    "dealer_month_keys": "Dealer-months with any repair record, callback, hotline ticket or sales row.",
    "dealer_month_counts_view": "Per dealer and month: every numerator and denominator of spec section 3 (the "
    "definition; loads store its rows in the table dealer_month_counts).",
    "dealer_month_metrics": "Per dealer and month: the counts and every rate (empty when its denominator is 0).",
}


def _label(rate) -> str:
    """A rate's name in its column comment: English (Chinese), from the catalogs."""
    return f"{t(f'rate.{rate.name}', 'en')} ({t(f'rate.{rate.name}', 'zh')})"


def version() -> str:
    """A fingerprint of the metric definitions: readers refresh views made by older code."""
    from etl import marts, warehouse

    generated = "\n".join(statement for make in GENERATED.values() for statement in make())
    text = (
        VIEWS_SQL.read_bytes()
        + Path(definitions.__file__).read_bytes()
        + Path(__file__).read_bytes()
        + Path(warehouse.__file__).read_bytes()
        + Path(marts.__file__).read_bytes()
        + "".join(map(_label, RATES)).encode("utf-8")
        + generated.encode("utf-8")
    )
    return hashlib.sha256(text).hexdigest()[:16]


def is_current(con) -> bool:
    try:
        row = next(iter(con.execute("SELECT value FROM metric_layer_version").fetchall()), None)
    except Exception:  # noqa: BLE001 - no such table yet: an empty or older database
        return False
    return row is not None and row[0] == version()


def statements() -> list[str]:
    """views.sql's statements in order, each `-- generated: <name>` replaced by the macros it names."""
    text = VIEWS_SQL.read_text(encoding="utf-8")
    found = []
    for part in (p.strip() for p in text.split(";\n\n")):
        lines = part.splitlines()
        for line in lines:  # a marker sits in the comments before a statement: its macros come first
            if line.startswith("-- generated: "):
                found += GENERATED[line.removeprefix("-- generated: ").strip()]()
        if part and not all(line.startswith("--") for line in lines):
            found.append(part)
    return found


def create_views(con) -> None:
    """The views and macros, then the stored dealer-month counts rebuilt from their definition."""
    from etl import marts

    for statement in statements():
        con.execute(statement)
        if f"VIEW {marts.DEFINITION} AS" in statement:  # what the macros below read must exist
            marts.rebuild(con)
    con.execute(dealer_month_metrics_sql())
    for view, comment in VIEW_COMMENTS.items():
        con.execute(f"COMMENT ON VIEW {view} IS {quote(comment)}")
    for column, comment in COLUMN_COMMENTS.items():
        for view in ("dealer_month_counts_view", "dealer_month_counts", "dealer_month_metrics"):
            con.execute(f"COMMENT ON COLUMN {view}.{column} IS {quote(comment)}")
    for rate in RATES:
        scale = " x 1000" if rate.scale != 1 else ""
        text = f"{_label(rate)} = {rate.numerator}{scale} / {rate.denominator}; empty when {rate.denominator} is 0."
        con.execute(f"COMMENT ON COLUMN dealer_month_metrics.{rate.name} IS {quote(text)}")
        for bound, word in (("low", "lower"), ("high", "upper")):
            comment = (
                f"{word} bound of the 95 % Wilson score interval of {rate.name}; empty when {rate.denominator} is 0."
            )
            con.execute(f"COMMENT ON COLUMN dealer_month_metrics.{rate.name}_{bound} IS {quote(comment)}")
    con.execute("CREATE OR REPLACE TABLE metric_layer_version AS SELECT ? AS value", [version()])
