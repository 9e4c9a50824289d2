"""Data: upload files (loaded in a child process), then the load history, rejected rows and missing reports."""

import streamlit as st

from app import charts, data, signin, state, tables, ui, uploads
from app import format as fmt
from app.excel import Sheet
from etl import config

page = state.setup("data", require_data=False)
st.title(page.t("data.title"))

# --- upload: check first, then load -------------------------------------------------------------
RESULT_KEY, PREVIEW_KEY = "_data_upload_result", "_data_upload_preview"
if page.may("upload"):
    ui.uploader_words(page, uploads.SUFFIXES)
    files = st.file_uploader(
        page.t("data.upload"),
        type=list(uploads.SUFFIXES),
        accept_multiple_files=True,
        help=page.t("data.upload_help"),
        key="_data_upload_files",
    )
else:  # issue 15: uploads are the admins' and the analysts granted them
    files = []
    st.caption(page.t("data.upload_not_granted"))
chosen = [(f.name, f.getvalue()) for f in files]
if chosen:
    fingerprint = uploads.fingerprint(chosen)
    if st.session_state.get(PREVIEW_KEY, (None,))[0] != fingerprint:
        with st.spinner(page.t("data.checking")):
            st.session_state[PREVIEW_KEY] = (
                fingerprint,
                uploads.preview_uploaded(chosen, config.db_path(), config.rules_path(), page.lang),
            )
    reports = st.session_state[PREVIEW_KEY][1]
    st.subheader(page.t("data.check"))
    st.caption(page.t("data.check_help"))
    ui.table(page, uploads.preview_table(reports, page.lang), tables.PREVIEW, key="_data_preview_table")
    for report in reports:
        if report.get("status") == "rejected":
            continue
        with st.expander(page.t("data.check_details", file=report["file"])):
            st.markdown("\n".join(f"- {line}" for line in uploads.how_read(report, page.lang)))
            ui.table(page, uploads.mapping_table(report, page.lang), tables.HEADER_MAPPING)
            if report.get("first_rejects"):
                st.markdown("**" + page.t("data.first_rejects", rows=len(report["first_rejects"])) + "**")
                ui.table(page, uploads.first_rejects_table(report, page.lang), tables.PREVIEW_REJECTS)
if st.button(page.t("data.load"), type="primary", disabled=not chosen, icon=":material/upload:"):
    bar = st.progress(0.0, text=page.t("data.starting"))
    line = st.empty()
    loaded = uploads.load_uploaded(
        chosen,
        config.db_path(),
        config.rules_path(),
        on_progress=lambda done, total, name: bar.progress(
            done / total, text=page.t("data.progress", done=done, total=total, file=name)
        ),
        on_waiting=lambda message: line.warning(page.t("data.waiting"), icon=":material/hourglass_top:"),
        lang=page.lang,
    )
    signin.audit_upload(page, loaded)
    st.session_state[RESULT_KEY] = loaded
    st.session_state.pop(PREVIEW_KEY, None)
    st.rerun()  # the database changed: the lists below (and every page's cache) read it afresh

outcome = st.session_state.get(RESULT_KEY)
if outcome is not None:
    st.subheader(page.t("data.results"))
    counts = outcome.results["status"].value_counts()
    summary = page.t(
        "data.done",
        loaded=int(counts.get("loaded", 0)),
        already=int(counts.get("already_loaded", 0)),
        rejected=int(counts.get("rejected", 0)),
    )
    if outcome.failure:
        st.error(page.t("data.failed", message=outcome.failure), icon=":material/error:")
    elif counts.get("rejected", 0) or outcome.rejected_files:
        st.warning(summary, icon=":material/warning:")
    else:
        st.success(summary, icon=":material/check_circle:")
    ui.table(page, outcome.results, tables.LOAD_RESULT, key="_data_result_table")
    for name in outcome.rejected_files:
        with st.expander(page.t("data.rejected_rows_of", file=name)):
            ui.table(page, data.rejects(page, name, None), tables.REJECTS)
            ui.correction_download(page, name, key=f"_data_correction_{name}")

if page.catalog is None and not page.source.path.exists():
    st.info(page.t("data.no_database"), icon=":material/upload_file:")
    st.stop()

# --- history and rejects -----------------------------------------------------------------------
as_of = st.session_state.get("_data_as_of") or page.today  # the date input sits in the reports section
status = data.data_status(page, as_of)
history, rejects_tab, reports = st.container(), st.container(), st.container()
if page.scope.allowed is not None:  # issue 15: a dealer gets the correction sheets of its own rows
    names = data.correction_files(page) if page.may("correction_sheets") else None
    with history:
        if names is not None:
            st.subheader(page.t("data.corrections"))
            st.caption(page.t("data.corrections_help") if names else page.t("data.none_rejected"))
        for n, name in enumerate(names or []):
            with st.expander(page.t("data.rejected_rows_of", file=name)):
                ui.correction_download(page, name, key=f"_data_own_correction_{n}")
else:  # every file's history and rejects
    with history:
        st.subheader(page.t("data.history"))
        height = min(600, ui.rows_height(len(status.history), 12))
        shown, widths = tables.LOAD_HISTORY_SHOWN  # issue 14: fits 1440 px; every column in the expander
        ui.table(page, status.history, shown, height=height, key="_data_history", widths=widths)
        with ui.every_column(page, "_data_history_every_column") as wanted:
            if wanted:
                ui.table(page, status.history, tables.LOAD_HISTORY, height=height, key="_data_history_all")

    with rejects_tab:
        st.subheader(page.t("data.rejects"))
        files_with_rejects = (
            sorted(set(status.history.loc[status.history["rows_rejected"] > 0, "file_name"]))
            if len(status.history)
            else []
        )
        left, right = st.columns(2)
        chosen_file = left.selectbox(
            page.t("data.reject_file"),
            [""] + files_with_rejects,
            format_func=lambda f: f or page.t("filters.all"),
            key="_data_reject_file",
        )
        reason = right.text_input(page.t("data.reject_reason"), key="_data_reject_reason")
        rejected = data.rejects(page, chosen_file, reason.strip())
        if rejected.empty:
            st.caption(page.t("data.none_rejected"))
        else:
            st.caption(page.t("data.reject_count", rows=fmt.count(len(rejected))))
            height = min(600, len(rejected) * tables.WRAPPED_ROW_PX + 38)  # issue 14: each reason read whole
            ui.table(page, rejected, tables.REJECTS, height=height, widths=tables.REJECTS_WIDTHS, wrapped=True)
            ui.download(
                page,
                "rejects",
                [Sheet(page.t("data.rejects"), rejected, tables.REJECTS)],
                [
                    (page.t("data.reject_file"), chosen_file or page.t("filters.all")),
                    (page.t("data.reject_reason"), reason or fmt.EMPTY),
                ],
                months=False,
            )
            if chosen_file:
                ui.correction_download(page, chosen_file, key="_data_correction_chosen")
        if len(status.reason_kinds):
            st.markdown("**" + page.t("data.reason_kinds") + "**")
            ui.table(page, status.reason_kinds, tables.REASON_KINDS)

with reports:
    st.subheader(page.t("data.reports"))
    st.date_input(
        page.t("as_of"), value=page.today, format="YYYY-MM-DD", help=page.t("data.reports_help"), key="_data_as_of"
    )
    due = status.report_status  # the scope's dealers
    if due.empty:
        st.caption(page.t("data.none_missing"))
    else:
        missing = due[due["status"] == "missing"].sort_values(["days_overdue", "dealer_id"], ascending=[False, True])
        late = due[due["status"] == "late"].sort_values(["month", "days_late"], ascending=[False, False])
        a, b, c, chart = st.columns([1, 1, 1, 4])
        a.metric(page.t("data.missing"), fmt.count(status.report_counts["missing"]), border=True)
        b.metric(page.t("data.late"), fmt.count(status.report_counts["late"]), border=True)
        c.metric(page.t("data.on_time"), fmt.count(status.report_counts["on_time"]), border=True)
        ui.chart(charts.report_status_by_month(due, page.lang), where=chart)
        st.markdown("**" + page.t("data.missing_list") + "**")
        if missing.empty:
            st.caption(page.t("data.none_missing"))
        else:
            height = min(500, ui.rows_height(len(missing)))
            ui.table(page, missing, tables.MISSING_REPORTS, height=height, widths=tables.REPORTS_DUE_WIDTHS)
        st.markdown("**" + page.t("data.late_list") + "**")
        if late.empty:
            st.caption(page.t("data.none_late"))
        else:
            height = min(500, ui.rows_height(len(late)))
            ui.table(page, late, tables.LATE_REPORTS, height=height, widths=tables.REPORTS_DUE_WIDTHS)
        ui.download(
            page,
            "reports",
            [
                Sheet(page.t("data.missing_list"), missing, tables.MISSING_REPORTS),
                Sheet(page.t("data.late_list"), late, tables.LATE_REPORTS),
            ],
            [(page.t("as_of"), fmt.day(as_of))],
            months=False,
        )
