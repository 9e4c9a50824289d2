"""The Cases page's parts (issue 16): figures, the queue with its filters and bulk assign, one case with
its records, history and edit form. Words from the catalogs; the figures come computed from the metric
layer (etl/metrics/cases.py), edits go through app.data (etl/cases.py)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import data, links, state, tables, ui
from app import format as fmt
from app.excel import Sheet
from app.i18n import N_, has, t
from etl.cases import NEEDS_RECHECK, RECHECKS, TRANSITIONS
from etl.metrics.cases import STATUSES
from etl.rules import CASE_KINDS

KIND_WORDS = {
    "complaint": N_("case.kind.complaint"),
    "fake_record": N_("case.kind.fake_record"),
    "dissatisfied": N_("case.kind.dissatisfied"),
    "missed_request": N_("case.kind.missed_request"),
    "conduct_issue": N_("case.kind.conduct_issue"),
    "watchlist": N_("case.kind.watchlist"),
}
STATUS_WORDS = {
    "open": N_("case.status.open"),
    "in_progress": N_("case.status.in_progress"),
    "resolved": N_("case.status.resolved"),
    "closed": N_("case.status.closed"),
    "reopened": N_("case.status.reopened"),
    "withdrawn": N_("case.status.withdrawn"),
}
RECHECK_WORDS = {
    "callback": N_("case.recheck.callback"),
    "call_list": N_("case.recheck.call_list"),
    "not_possible": N_("case.recheck.not_possible"),
}
# The default root causes of rules.toml; a cause added there without words shows as its code.
CAUSE_WORDS = {
    "parts_shortage": N_("case.cause.parts_shortage"),
    "technician_skill": N_("case.cause.technician_skill"),
    "technician_conduct": N_("case.cause.technician_conduct"),
    "dispatch_delay": N_("case.cause.dispatch_delay"),
    "record_keeping": N_("case.cause.record_keeping"),
    "product_fault": N_("case.cause.product_fault"),
    "customer_expectation": N_("case.cause.customer_expectation"),
    "other": N_("case.cause.other"),
}
ERROR_WORDS = [
    N_("case.error.no_case"),
    N_("case.error.out_of_scope"),
    N_("case.error.stale"),
    N_("case.error.transition"),
    N_("case.error.needs_cause_action"),
    N_("case.error.unknown_cause"),
    N_("case.error.needs_recheck"),
    N_("case.error.no_callback"),
    N_("case.error.needs_note"),
    N_("case.error.unknown_field"),
]
FIELD_WORDS = {
    "owner": N_("col.owner"),
    "status": N_("col.status"),
    "root_cause": N_("col.root_cause"),
    "root_cause_text": N_("col.root_cause_text"),
    "action": N_("col.action"),
    "recheck": N_("col.recheck"),
    "recheck_note": N_("col.recheck_note"),
}
CASE = state.single("case", int)


def word(words: dict[str, str], value, lang: str) -> str:
    if value is None or value != value:
        return fmt.EMPTY
    key = words.get(value, "")
    return t(key, lang) if key and has(key) else str(value)


def detail_words(kind: str, detail, lang: str) -> str:
    """What the event says, in the page's language: the customer's own words (a conduct issue, a fake
    record's comment), a watchlist line's reason and rate; the other kinds' details are codes of the SQL."""
    if detail is None or detail != detail:
        return ""
    if kind in ("conduct_issue", "fake_record"):
        return str(detail)
    if kind == "watchlist":
        reason, _, metric = str(detail).partition(" ")
        words = [t(f"watchlist.reason.{reason}", lang) if has(f"watchlist.reason.{reason}") else reason]
        if has(f"rate.{metric}"):
            words.append(t(f"rate.{metric}", lang))
        return " · ".join(words)
    return ""


def in_words(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The queue with kind, status and root cause in words and the records joined."""
    if frame.empty:
        return frame
    return frame.assign(
        kind=frame["kind"].map(lambda v: word(KIND_WORDS, v, lang)),
        status=frame["status"].map(lambda v: word(STATUS_WORDS, v, lang)),
        records=frame["records"].map(lambda r: ", ".join(r) if r is not None else ""),
        owner=frame["owner"].map(lambda o: o if isinstance(o, str) and o else fmt.EMPTY),
        detail=[detail_words(k, d, lang) for k, d in zip(frame["kind"], frame["detail"])],
        case_id=frame["case_id"].map(str),
    )


def history_in_words(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    if frame.empty:
        return frame

    def value(row, column):
        words = {"status": STATUS_WORDS, "recheck": RECHECK_WORDS, "root_cause": CAUSE_WORDS}.get(row["field"])
        return word(words, row[column], lang) if words else row[column]

    return frame.assign(
        old_value=[value(r, "old_value") for r in frame.to_dict("records")],
        new_value=[value(r, "new_value") for r in frame.to_dict("records")],
        field=frame["field"].map(lambda f: word(FIELD_WORDS, f, lang)),
    )


def figures(page, view: data.CaseView) -> None:
    """Tiles: open, overdue, closed on time, median days to close, reopened share."""
    totals = view.totals
    cells = st.columns(5)
    cells[0].metric(page.t("col.cases_open"), fmt.count(totals["cases_open"]))
    cells[1].metric(page.t("col.cases_overdue"), fmt.count(totals["cases_overdue"]))
    cells[2].metric(page.t("col.cases_closed_on_time_rate"), fmt.percent(totals["cases_closed_on_time_rate"]))
    cells[3].metric(page.t("col.median_days_to_close"), fmt.number(totals["median_days_to_close"]))
    cells[4].metric(page.t("col.cases_reopened_share"), fmt.percent(totals["cases_reopened_share"]))
    st.caption(
        page.t("cases.figures_help", opened=fmt.count(totals["cases_opened"]), closed=fmt.count(totals["cases_closed"]))
    )


def filtered(page, queue: pd.DataFrame) -> pd.DataFrame:
    """The queue's filters: kind, status, owner, dealer, overdue only."""
    left, middle, right, dealer_col, late = st.columns([2, 2, 2, 2, 1])
    kinds = state.persisted(
        state.several("case_kind"),
        [],
        lambda **kw: left.multiselect(
            page.t("cases.kind"),
            list(CASE_KINDS),
            format_func=lambda k: word(KIND_WORDS, k, page.lang),
            placeholder=page.t("filters.all"),
            **kw,
        ),
        state.subset_of(CASE_KINDS),
    )
    statuses = state.persisted(
        state.several("case_status"),
        [],
        lambda **kw: middle.multiselect(
            page.t("cases.status"),
            list(STATUSES),
            format_func=lambda s: word(STATUS_WORDS, s, page.lang),
            placeholder=page.t("filters.all"),
            **kw,
        ),
        state.subset_of(STATUSES),
    )
    owners = sorted({o for o in queue["owner"].dropna()}) if len(queue) else []
    owner = right.selectbox(
        page.t("cases.owner"),
        ["*", ""] + owners,
        key="case_owner",
        format_func=lambda o: page.t("filters.all") if o == "*" else (o or page.t("cases.nobody")),
    )
    dealers = sorted(set(queue["dealer_id"])) if len(queue) else []
    dealer = dealer_col.selectbox(
        page.t("col.dealer_id"),
        ["*"] + dealers,
        key="case_dealer",
        format_func=lambda d: page.t("filters.all") if d == "*" else d,
    )
    overdue = late.toggle(page.t("cases.overdue_only"), key="case_overdue")
    shown = queue
    if kinds:
        shown = shown[shown["kind"].isin(kinds)]
    if statuses:
        shown = shown[shown["status"].isin(statuses)]
    if owner != "*":
        shown = shown[shown["owner"].fillna("") == owner]
    if dealer != "*":
        shown = shown[shown["dealer_id"] == dealer]
    if overdue:
        shown = shown[shown["overdue"]]
    return shown.reset_index(drop=True)


def queue(page, shown: pd.DataFrame) -> list[int]:
    """The queue (overdue first), rows selectable; the case ids selected."""
    st.caption(page.t("cases.shown", shown=fmt.count(len(shown)), overdue=fmt.count(int(shown["overdue"].sum()))))
    words = in_words(shown, page.lang)
    linked = links.wanted(page, words)  # issue 14: a dealer id opens its drill-down
    spec, widths = tables.CASE_QUEUE_SHOWN  # issue 14: fits 1440 px; records and detail below and in the download
    names = tables.headers(spec, page.lang)
    config: dict = {names[column]: st.column_config.Column(width=width) for column, width in widths.items()}
    if linked:
        config[names["dealer_id"]] = links.column(width=widths["dealer_id"])
    event = st.dataframe(
        tables.styled(links.linked(page, words) if linked else words, spec, page.lang),
        hide_index=True,
        key="case_queue",
        column_config=config,
        on_select="rerun",
        selection_mode="multi-row",
        height=min(460, ui.rows_height(len(shown), 12)),
    )
    rows = event.selection.rows if event and event.selection else []
    return [int(shown.iloc[row]["case_id"]) for row in rows if row < len(shown)]


def bulk_assign(page, shown: pd.DataFrame, chosen: list[int]) -> None:
    with st.form("case_assign", border=False):
        name, button = st.columns([3, 1], vertical_alignment="bottom")
        owner = name.text_input(page.t("cases.assign_to"), key="case_assign_owner")
        go = button.form_submit_button(page.t("cases.assign", count=len(chosen)))
    if go:
        if not chosen or not owner.strip():
            st.warning(page.t("cases.assign_help"))
            return
        versions = {case_id: int(shown.loc[shown["case_id"] == case_id, "version"].iloc[0]) for case_id in chosen}
        refused = data.assign_cases(page, versions, owner.strip())
        for case_id, why in refused.items():
            st.error(f"#{case_id}: {why}")
        if not refused:
            st.rerun()


def one(page, shown: pd.DataFrame, chosen: list[int]) -> None:
    """One case: what it is, its records and history, and the edit form."""
    ids = [int(i) for i in shown["case_id"]]
    if not ids:
        return
    default = chosen[0] if chosen else ids[0]
    if chosen and chosen[0] in ids:
        state.forget(CASE.name)
    case_id = state.persisted(
        CASE,
        default,
        lambda **kw: st.selectbox(page.t("cases.pick"), ids, format_func=lambda i: _label(page, shown, i), **kw),
        state.one_of(ids),
    )
    detail = data.case(page, case_id)
    case = detail.case
    if case is None:
        st.info(page.t("case.error.no_case", case_id=case_id))
        return
    st.subheader(page.t("cases.case_title", case_id=case_id, kind=word(KIND_WORDS, case["kind"], page.lang)))
    status = word(STATUS_WORDS, case["status"], page.lang)
    late = page.t("cases.overdue") if case["overdue"] else ""
    st.markdown(
        page.t(
            "cases.case_line",
            dealer=f"{case['dealer_id']} · {case['dealer_name']}",
            status=status,
            opened=fmt.moment(case["opened_at"]),
            due=fmt.moment(case["due_at"]),
            owner=case["owner"] or page.t("cases.nobody"),
            version=case["version"],
        )
        + f" {late}"
    )
    detail_word, evidence_word = page.t("col.detail"), page.t("col.evidence")
    said = detail_words(case["kind"], case["detail"], page.lang)
    st.caption(f"{evidence_word}: {case['evidence']}" + (f" · {detail_word}: {said}" if said else ""))
    if isinstance(case["recheck_callback"], str):
        st.caption(
            page.t("cases.later_callback", callback=case["recheck_callback"], at=fmt.moment(case["recheck_called_at"]))
        )
    # issue 14: the records and the history one under the other, each the page's width (side by side they scrolled)
    st.markdown("**" + page.t("cases.records") + "**")
    records, widths = tables.CASE_RECORDS_SHOWN  # the product model: in the Cases download and the dealer's records
    if detail.records.empty:  # a hotline ticket no record answered, a conduct issue of a lone callback ...
        st.caption(page.t("cases.no_records"))
    else:
        ui.table(page, detail.records, records, widths=widths)
    st.page_link(
        "pages/1_Dealers.py",
        label=page.t("cases.dealer_link"),
        icon=":material/storefront:",
        query_params={"dealer": case["dealer_id"]},
    )
    st.markdown("**" + page.t("cases.history") + "**")
    ui.table(page, history_in_words(detail.history, page.lang), tables.CASE_HISTORY)
    edit(page, case)


def _label(page, shown: pd.DataFrame, case_id: int) -> str:
    row = shown[shown["case_id"] == case_id].iloc[0]
    return (
        f"#{case_id} · {word(KIND_WORDS, row['kind'], page.lang)} · {row['dealer_id']} · "
        f"{word(STATUS_WORDS, row['status'], page.lang)}"
    )


def edit(page, case: dict) -> None:
    """The edit form: owner, status (the moves allowed from here), root cause, action, re-check."""
    if case["status"] == "withdrawn":
        st.info(page.t("cases.withdrawn"))
        return
    causes = list(page.rules["cases.root_causes"])
    moves = [case["status"], *TRANSITIONS[case["status"]]]
    # The version this person saw: the one the previous run showed (this run already reads the database as it
    # is now, so a change saved meanwhile by someone else makes the save stale instead of being lost).
    seen_key = f"_case_seen_{case['case_id']}"
    seen = int(st.session_state.get(seen_key, case["version"]))
    with st.form(f"case_edit_{case['case_id']}"):
        st.markdown("**" + page.t("cases.edit") + "**")
        left, right = st.columns(2)
        owner = left.text_input(page.t("col.owner"), value=case["owner"] or "")
        status = right.selectbox(page.t("col.status"), moves, format_func=lambda s: word(STATUS_WORDS, s, page.lang))
        cause = left.selectbox(
            page.t("col.root_cause"),
            [""] + causes,
            index=([""] + causes).index(case["root_cause"]) if case["root_cause"] in causes else 0,
            format_func=lambda c: word(CAUSE_WORDS, c, page.lang) if c else fmt.EMPTY,
        )
        cause_text = right.text_input(page.t("col.root_cause_text"), value=case["root_cause_text"] or "")
        action = st.text_area(page.t("col.action"), value=case["action"] or "", height=80)
        recheck, note = None, ""
        if case["kind"] in NEEDS_RECHECK:
            left, right = st.columns(2)
            recheck = left.radio(
                page.t("col.recheck"),
                [""] + list(RECHECKS),
                horizontal=True,
                index=([""] + list(RECHECKS)).index(case["recheck"]) if case["recheck"] else 0,
                format_func=lambda r: word(RECHECK_WORDS, r, page.lang) if r else fmt.EMPTY,
            )
            note = right.text_input(page.t("col.recheck_note"), value=case["recheck_note"] or "")
        saved = st.form_submit_button(page.t("cases.save"), type="primary")
    if saved:
        changes = {
            "owner": owner,
            "status": status,
            "root_cause": cause or None,
            "root_cause_text": cause_text,
            "action": action,
        }
        if case["kind"] in NEEDS_RECHECK:
            changes |= {"recheck": recheck or None, "recheck_note": note}
        problem = data.save_case(page, int(case["case_id"]), seen, changes)
        if problem:
            st.error(problem, icon=":material/block:")
        else:
            st.session_state["_case_saved"] = int(case["case_id"])
            st.rerun()
    st.session_state[seen_key] = int(case["version"])
    if st.session_state.pop("_case_saved", None) == case["case_id"]:
        st.success(page.t("cases.saved"), icon=":material/check:")


def downloads(page, view: data.CaseView, shown: pd.DataFrame) -> None:
    ui.download(
        page,
        "cases",
        [
            Sheet(page.t("cases.title"), in_words(shown, page.lang), tables.CASE_QUEUE),
            Sheet(page.t("cases.by_dealer"), view.by_dealer, tables.CASE_DEALERS),
            Sheet(page.t("cases.by_region"), view.by_region, tables.CASE_REGIONS),
        ],
        [],
        months=False,
    )


def by_dealer_and_region(page, view: data.CaseView) -> None:
    # issue 14: the figures that fit 1440 px; every column in the page's download
    with st.expander(page.t("cases.by_dealer")):
        spec, widths = tables.CASE_DEALERS_SHOWN
        ui.table(page, view.by_dealer, spec, widths=widths)
    with st.expander(page.t("cases.by_region")):
        spec, widths = tables.CASE_REGIONS_SHOWN
        ui.table(page, view.by_region, spec, widths=widths)


def overview_tile(page, totals: dict) -> None:
    """The Overview's tile: open and overdue cases of the scope, with a link to the Cases page (a bordered
    box, not a metric: the rate tiles above are the metrics)."""
    with st.container(border=True):
        text, link = st.columns([3, 1], vertical_alignment="center")
        text.markdown(
            page.t(
                "overview.cases_tile", open=fmt.count(totals["cases_open"]), overdue=fmt.count(totals["cases_overdue"])
            )
        )
        link.page_link("pages/8_Cases.py", label=page.t("overview.cases_link"), icon=":material/assignment_turned_in:")
