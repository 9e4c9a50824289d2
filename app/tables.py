"""Which columns each table shows and in which unit: one spec used by the page table and the Excel download.

A spec is a list of (column, kind); the kind picks the formatter (app.format) and the Excel
number format, and headers come from app.i18n ("col.<column>").
"""

from __future__ import annotations

import pandas as pd

from app import format as fmt
from app.i18n import STRINGS, code, t
from etl.metrics.definitions import CONTROL_RATES, MET, NOT_DEMONSTRABLE, NOT_MET, RATE_BY_NAME, RATES

Spec = list[tuple[str, str]]

FORMATTERS = {
    "text": fmt.text,
    "long_text": fmt.text,
    "count": fmt.count,
    "percent": fmt.percent,
    "per_mille": fmt.per_mille,
    "money": fmt.money,
    "month": fmt.month,
    "day": fmt.day,
    "moment": fmt.moment,
    "check": fmt.check,
    "number": fmt.number,
}
FAIL_STYLE = "color: #c62828; font-weight: 600"
PASS_STYLE = "color: #2e7d32"


def rate_kind(rate: str) -> str:
    return "per_mille" if RATE_BY_NAME[rate].scale == 1000 else "percent"


def formatter(kind: str, lang: str):
    if kind == "code":
        return lambda value: fmt.EMPTY if fmt.is_empty(value) else code(value, lang)
    return FORMATTERS[kind]


DEALER: Spec = [
    ("dealer_id", "text"),
    ("dealer_name", "text"),
    ("region", "text"),
    ("province", "text"),
    ("area_type", "code"),
]
RANKING: Spec = (
    DEALER
    + [
        ("services", "count"),
        ("complaints", "count"),
        ("units_sold", "count"),
        ("requests", "count"),
        ("misses", "count"),
        ("callbacks", "count"),
        ("callbacks_answered", "count"),
    ]
    + [(r.name, rate_kind(r.name)) for r in RATES]
)
RANKING_VERDICTS = {r.name: f"{r.name}_ok" for r in RATES if r.threshold}
BREACHES: Spec = (
    DEALER
    + [
        (c, kind)
        for rate in CONTROL_RATES
        for c, kind in (
            (RATE_BY_NAME[rate].numerator, "count"),
            (RATE_BY_NAME[rate].denominator, "count"),
            (rate, "percent"),
        )
    ]
    + [("breach_months", "count")]
)
TIMELINESS: Spec = [
    ("month", "month"),
    ("report_due_on", "day"),
    ("first_submitted_on", "day"),
    ("last_submitted_on", "day"),
    ("submissions", "count"),
    ("days_late", "count"),
    ("status", "code"),
]
PEOPLE: Spec = [("customer_name", "text"), ("customer_phone", "text")]
RECORDS: dict[str, Spec] = {
    "open_records": [
        ("record_no", "text"),
        ("report_month", "month"),
        ("requested_at", "moment"),
        ("service_type", "code"),
        ("product_model", "text"),
        ("fault_category", "text"),
        ("technician", "text"),
        ("hq_ticket_id", "text"),
    ]
    + PEOPLE,
    "misses": [
        ("month", "month"),
        ("request_source", "code"),
        ("request_id", "text"),
        ("requested_at", "moment"),
        ("is_open", "check"),
        ("found_unresolved", "check"),
        ("service_type", "code"),
        ("product_model", "text"),
    ]
    + PEOPLE,
    "complaints": [
        ("month", "month"),
        ("first_event_at", "moment"),
        ("record_no", "text"),
        ("events", "count"),
        ("via_callback", "check"),
        ("via_hotline", "check"),
        ("event_ids", "text"),
        ("product_model", "text"),
    ]
    + PEOPLE,
    "fake_records": [
        ("month", "month"),
        ("called_at", "moment"),
        ("callback_id", "text"),
        ("record_no", "text"),
        ("report_month", "month"),
        ("service_type", "code"),
        ("labor_fee", "money"),
        ("parts_fee", "money"),
        ("comment", "text"),
    ]
    + PEOPLE,
    "late_arrivals": [
        ("record_no", "text"),
        ("report_month", "month"),
        ("requested_at", "moment"),
        ("arrived_at", "moment"),
        ("hours_to_arrive", "number"),
        ("sla_hours", "number"),
        ("status", "code"),
        ("technician", "text"),
    ]
    + PEOPLE,
    "repeat_repairs": [
        ("record_no", "text"),
        ("report_month", "month"),
        ("requested_at", "moment"),
        ("serial_no", "text"),
        ("product_model", "text"),
        ("fault_category", "text"),
        ("earlier_dealer_id", "text"),
        ("earlier_record_no", "text"),
        ("earlier_requested_at", "moment"),
    ]
    + PEOPLE,
}
# Each criterion's status (issue 6): met / not met / not demonstrable at this sample size, coloured by STATUS_STYLES;
# the sampled criteria with their Wilson interval; pass_* (what eligibility counts) colours the values.
AWARD: Spec = [
    ("dealer_id", "text"),
    ("dealer_name", "text"),
    ("region", "text"),
    ("eligible", "check"),
    ("reasons", "long_text"),
    ("cautions", "long_text"),
    ("complaints_per_1000_sales", "per_mille"),
    ("complaints_per_1000_sales_low", "per_mille"),
    ("complaints_per_1000_sales_high", "per_mille"),
    ("complaints_threshold", "per_mille"),
    ("status_complaints", "code"),
    ("satisfaction_rate", "percent"),
    ("satisfaction_low", "percent"),
    ("satisfaction_high", "percent"),
    ("satisfaction_threshold", "percent"),
    ("status_satisfaction", "code"),
    ("callbacks_answered", "count"),
    ("evidence_threshold", "count"),
    ("status_evidence", "code"),
    ("report_rate", "percent"),
    ("report_threshold", "percent"),
    ("status_reports", "code"),
    ("technicians", "count"),
    ("has_service_center", "check"),
    ("status_network", "code"),
    ("notices", "count"),
    ("status_notices", "code"),
]
AWARD_VERDICTS = {
    "eligible": "eligible",
    "complaints_per_1000_sales": "pass_complaints",
    "satisfaction_rate": "pass_satisfaction",
    "callbacks_answered": "pass_evidence",
    "report_rate": "pass_reports",
    "technicians": "pass_network",
    "notices": "pass_notices",
}
AMBER_STYLE = "color: #b26a00; font-weight: 600"
STATUS_STYLES = {MET: PASS_STYLE, NOT_MET: FAIL_STYLE, NOT_DEMONSTRABLE: AMBER_STYLE}


def with_intervals(spec: Spec, rates) -> Spec:
    """The spec with each of `rates` followed by its Wilson interval columns (<rate>_low, <rate>_high)."""
    out: Spec = []
    for column, kind in spec:
        out.append((column, kind))
        if column in rates:
            out += [(f"{column}_low", kind), (f"{column}_high", kind)]
    return out


RANKING_EXPORT: Spec = with_intervals(RANKING, [r.name for r in RATES])
SETTLEMENT: Spec = [
    ("dealer_id", "text"),
    ("dealer_name", "text"),
    ("region", "text"),
    ("sales_amount", "money"),
    ("fee_base", "money"),
    ("max_consecutive_missing", "count"),
    ("missing_deduction", "money"),
    ("fake_records", "count"),
    ("fake_penalty", "money"),
    ("complaints", "count"),
    ("complaint_deduction", "money"),
    ("net_fee", "money"),
]
# The Settlement page's total tiles, row by row: col.<column> and settlement.help.<column>; "dealers" counts them.
SETTLEMENT_TILES = (("fee_base", "net_fee", "dealers"), ("missing_deduction", "fake_penalty", "complaint_deduction"))
# What the Explore page's pivot can group by, each named col.<dimension>.
PIVOT_DIMENSIONS = ("region", "province", "area_type", "dealer_id", "month")


def long_text_headers(spec: Spec, lang: str) -> list[str]:
    """Headers of columns holding sentences (award reasons), which a table should draw wide."""
    return [t(f"col.{column}", lang) for column, kind in spec if kind == "long_text"]


def headers(spec: Spec, lang: str) -> dict[str, str]:
    """Translated headers; a column without one (an ad-hoc query's) keeps its own name."""
    return {column: t(f"col.{column}", lang) if f"col.{column}" in STRINGS else str(column) for column, _ in spec}


# pandas styles at most this many cells (its styler.render.max_elements); a larger table fails to draw.
STYLED_CELLS = 262_144


def shown_rows(columns: int, most: int) -> int:
    """How many rows of a table a page draws: the rules' max_table_rows, fewer when the table is
    so wide that its styled cells would pass pandas' limit."""
    return max(1, min(most, STYLED_CELLS // max(columns, 1)))


def styled(frame: pd.DataFrame, spec: Spec, lang: str, verdicts: dict[str, str] | None = None):
    """The spec's columns, translated headers, values formatted for reading; failing values in red.

    The numbers stay numbers underneath, so sorting a column sorts by value.
    """
    names = headers(spec, lang)
    shown = frame[[column for column, _ in spec]].copy()
    for column, kind in spec:
        if kind == "check":  # a table draws booleans as grey checkboxes: a ✓ / ✗ reads better and can be coloured
            shown[column] = shown[column].map(fmt.check)
    shown = shown.rename(columns=names)
    styler = shown.style.format({names[c]: formatter(kind, lang) for c, kind in spec if kind != "check"})
    statuses = [column for column, _ in spec if column.startswith("status_")]
    if verdicts or statuses:

        def colours(_):
            css = pd.DataFrame("", index=shown.index, columns=shown.columns)
            for column, verdict in (verdicts or {}).items():
                if column in names and verdict in frame:
                    css[names[column]] = (
                        frame[verdict]
                        .map(lambda ok: "" if fmt.is_empty(ok) else PASS_STYLE if ok else FAIL_STYLE)
                        .values
                    )
            for column in statuses:
                css[names[column]] = frame[column].map(lambda status: STATUS_STYLES.get(status, "")).values
            return css

        styler = styler.apply(colours, axis=None)
    return styler.hide(axis="index")


# --- operations pages (issue 5) ----------------------------------------------------------------

LOAD_RESULT: Spec = [
    ("file_name", "text"),
    ("kind", "code"),
    ("status", "code"),
    ("rows_read", "count"),
    ("rows_loaded", "count"),
    ("rows_rejected", "count"),
    ("message", "long_text"),
    ("warnings", "long_text"),
    ("notes", "long_text"),
]
PREVIEW: Spec = [
    ("file_name", "text"),
    ("kind", "code"),
    ("status", "code"),
    ("rows_read", "count"),
    ("rows_loaded", "count"),
    ("rows_rejected", "count"),
    ("message", "long_text"),
    ("notes", "long_text"),
]
PREVIEW_REJECTS: Spec = [("sheet", "text"), ("row_no", "count"), ("reason", "long_text")]
HEADER_MAPPING: Spec = [("source_header", "text"), ("column", "text")]
LOAD_HISTORY: Spec = [("load_id", "count"), ("started_at", "moment")] + LOAD_RESULT + [("finished_at", "moment")]
REJECTS: Spec = [
    ("load_id", "count"),
    ("file_name", "text"),
    ("kind", "code"),
    ("sheet", "text"),
    ("row_no", "count"),
    ("reason", "long_text"),
    ("raw_values", "text"),
]
REASON_KINDS: Spec = [("reason_kind", "long_text"), ("rows", "count")]
AUDIT: Spec = [("id", "count"), ("at", "moment"), ("user_name", "text"), ("event", "text"), ("detail", "long_text")]
MISSING_REPORTS: Spec = DEALER + [("month", "month"), ("report_due_on", "day"), ("days_overdue", "count")]
LATE_REPORTS: Spec = DEALER + [
    ("month", "month"),
    ("report_due_on", "day"),
    ("report_submitted_on", "day"),
    ("days_late", "count"),
]
ANSWERS: Spec = [("question", "text"), ("answer", "text"), ("callbacks", "count"), ("share", "percent")]
CALLBACK_DEALERS: Spec = DEALER + [
    ("callbacks", "count"),
    ("callbacks_reached", "count"),
    ("unreached", "count"),
    ("callbacks_answered", "count"),
    ("dissatisfied", "count"),
    ("dissatisfaction_rate", "percent"),
    ("fake_records", "count"),
    ("conduct_issues", "count"),
]
CONDUCT: Spec = [("dealer_id", "text"), ("dealer_name", "text"), ("conduct_issue", "text"), ("callbacks", "count")]
CALLBACK_PEOPLE: Spec = (
    [
        ("callback_id", "text"),
        ("called_at", "moment"),
        ("dealer_id", "text"),
        ("dealer_name", "text"),
        ("record_no", "text"),
        ("report_month", "month"),
        ("service_type", "code"),
    ]
    + PEOPLE
    + [("comment", "text")]
)
CALL_LIST: Spec = (
    [
        ("callback_id", "text"),
        ("recheck_case", "text"),
        ("record_no", "text"),
        ("dealer_id", "text"),
        ("dealer_name", "text"),
        ("dealer_records", "count"),
        ("dealer_quota", "count"),
    ]
    + PEOPLE
    + [("product_model", "text"), ("service_type", "code"), ("requested_at", "moment"), ("completed_at", "moment")]
)
CATALOG: Spec = [("column_name", "text"), ("data_type", "text"), ("comment", "long_text")]
# Issue 16: the cases (kind, status and root cause arrive in words: app/cases_ui.py).
CASE_QUEUE: Spec = [
    ("case_id", "text"),
    ("kind", "text"),
    ("status", "text"),
    ("dealer_id", "text"),
    ("dealer_name", "text"),
    ("region", "text"),
    ("owner", "text"),
    ("opened_at", "moment"),
    ("due_at", "moment"),
    ("age_days", "count"),
    ("overdue", "check"),
    ("records", "text"),
    ("detail", "long_text"),
]
CASE_COUNTS: Spec = [
    ("cases_opened", "count"),
    ("cases_open", "count"),
    ("cases_overdue", "count"),
    ("cases_closed", "count"),
    ("cases_closed_on_time", "count"),
    ("cases_closed_on_time_rate", "percent"),
    ("median_days_to_close", "number"),
    ("cases_reopened", "count"),
    ("cases_reopened_share", "percent"),
]
CASE_DEALERS: Spec = [("dealer_id", "text"), ("dealer_name", "text"), ("region", "text")] + CASE_COUNTS
CASE_REGIONS: Spec = [("region", "text")] + CASE_COUNTS
CASE_HISTORY: Spec = [
    ("changed_at", "moment"),
    ("author", "text"),
    ("field", "text"),
    ("old_value", "text"),
    ("new_value", "text"),
]
CASE_RECORDS: Spec = [
    ("record_no", "text"),
    ("report_month", "month"),
    ("service_type", "code"),
    ("product_model", "text"),
    ("status", "code"),
    ("requested_at", "moment"),
    ("completed_at", "moment"),
] + PEOPLE


# --- what a page shows of a wide table (issue 14) -----------------------------------------------
# At 1440 px the main column is about 980 px wide: a page shows these columns at these widths (pixels) without
# scrolling sideways; every column stays in the page's Excel download and in its "all columns" expander.
Widths = dict[str, int]
SHORT = {"dealer_id": 84, "dealer_name": 190, "region": 64}


def brief(spec: Spec, widths: Widths) -> tuple[Spec, Widths]:
    """The columns of `spec` named in `widths`, in the spec's order, and their widths."""
    return [(column, kind) for column, kind in spec if column in widths], widths


SETTLEMENT_SHOWN = brief(
    SETTLEMENT,
    SHORT | {c: 118 for c in ("fee_base", "missing_deduction", "fake_penalty", "complaint_deduction", "net_fee")},
)
# A rate's column as wide as its header ("Complaint rate per service" needs 200 px), the others 140.
BREACHES_SHOWN = brief(
    BREACHES,
    SHORT | {rate: 200 if rate == "complaint_rate" else 140 for rate in CONTROL_RATES} | {"breach_months": 110},
)


# The interval's ends beside the rate they bound: short headers (col.ci_low, col.ci_high), the rate named once.
INTERVAL_ENDS = ("ci_low", "ci_high")


def ranking_shown(rate: str) -> tuple[Spec, Widths]:
    """The ranking by one rate: the dealer, the rate's numerator and denominator, the rate and its interval
    (the interval's columns named as ranking_brief names them)."""
    definition, kind = RATE_BY_NAME[rate], rate_kind(rate)
    spec: Spec = [(c, kind) for c, kind in DEALER if c in SHORT]
    spec += [(definition.numerator, "count"), (definition.denominator, "count"), (rate, kind)]
    spec += [(column, kind) for column in INTERVAL_ENDS]
    widths = SHORT | {definition.numerator: 100, definition.denominator: 100, rate: 210}
    return spec, widths | {"ci_low": 104, "ci_high": 104}


def ranking_brief(frame: pd.DataFrame, rate: str) -> pd.DataFrame:
    """The ranking with the chosen rate's interval as the columns ranking_shown shows."""
    return frame.rename(columns={f"{rate}_low": "ci_low", f"{rate}_high": "ci_high"})


# The Cases queue: overdue beside the status (it was the cut-off last column); the records and the detail are in the
# chosen case's view below the queue and in the download. 34 px of the width is the selection column's.
CASE_QUEUE_SHOWN = brief(
    [(c, kind) for c, kind in CASE_QUEUE if c in ("case_id", "kind", "status")]
    + [("overdue", "check")]
    + [(c, kind) for c, kind in CASE_QUEUE if c not in ("case_id", "kind", "status", "overdue")],
    {
        "case_id": 60,
        "kind": 96,
        "status": 70,
        "overdue": 52,
        "dealer_id": 80,
        "dealer_name": 150,
        "region": 52,
        "owner": 70,
        "opened_at": 120,
        "due_at": 120,
        "age_days": 64,
    },
)

# The Overview's watchlist: its detail is a sentence; rows this tall (over Streamlit's 4 rem) let a cell wrap.
WRAPPED_ROW_PX = 66
WATCHLIST_WIDTHS: Widths = {"link": 84, "dealer_name": 190, "reason": 130, "detail": 560}
CALLBACK_DEALERS_SHOWN = brief(
    CALLBACK_DEALERS,
    SHORT
    | {"callbacks": 104, "callbacks_answered": 140, "dissatisfaction_rate": 124, "fake_records": 104}
    | {"conduct_issues": 116},
)
LOAD_HISTORY_SHOWN = brief(
    LOAD_HISTORY,
    {"load_id": 60, "started_at": 150, "file_name": 230, "kind": 90, "status": 80, "rows_loaded": 100}
    | {"rows_rejected": 110, "message": 140},
)
CASE_RECORDS_SHOWN = brief(
    CASE_RECORDS,
    {"record_no": 130, "report_month": 96, "service_type": 100, "status": 80, "requested_at": 150}
    | {"completed_at": 150, "customer_name": 90, "customer_phone": 120},
)
_CASE_FIGURES = {"cases_opened": 100, "cases_open": 96, "cases_overdue": 110}
_CASE_FIGURES |= {"cases_closed_on_time_rate": 160, "median_days_to_close": 160}
CASE_DEALERS_SHOWN = brief(CASE_DEALERS, SHORT | _CASE_FIGURES)
CASE_REGIONS_SHOWN = brief(
    CASE_REGIONS, {"region": 80, "cases_closed": 70, "cases_reopened_share": 120} | _CASE_FIGURES
)
CALLBACK_PEOPLE_SHOWN = brief(
    CALLBACK_PEOPLE,
    {"callback_id": 100, "called_at": 140, "dealer_id": 84, "dealer_name": 160, "record_no": 120}
    | {"customer_name": 80, "customer_phone": 110, "comment": 160},
)
CALL_LIST_SHOWN = brief(
    CALL_LIST,
    {"callback_id": 100, "recheck_case": 80, "record_no": 120, "dealer_id": 84, "dealer_name": 160}
    | {"customer_name": 80, "customer_phone": 110, "service_type": 90, "requested_at": 140},
)
# The Data page's rejected rows and reports due: every column, at widths that fit 1440 px.
REJECTS_WIDTHS: Widths = {"load_id": 60, "file_name": 200, "kind": 90, "sheet": 80, "row_no": 70, "reason": 300}
REJECTS_WIDTHS |= {"raw_values": 170}
REPORTS_DUE_WIDTHS: Widths = SHORT | {"province": 70, "area_type": 70, "month": 80, "report_due_on": 110}
REPORTS_DUE_WIDTHS |= {"report_submitted_on": 110, "days_overdue": 100, "days_late": 90}
