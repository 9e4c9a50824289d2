"""The loaded tables: their DDL, generated from etl/schema.py, plus the load log and rejects."""

from __future__ import annotations

from etl.schema import BOOLEAN, CHOICE, DATE, DATETIME, INTEGER, KINDS, MONEY, MONTH, SATISFACTION, TEXT, Kind

SQL_TYPES = {
    TEXT: "VARCHAR",
    CHOICE: "VARCHAR",
    INTEGER: "BIGINT",
    MONEY: "DECIMAL(18,2)",
    DATE: "DATE",
    DATETIME: "TIMESTAMP",
    MONTH: "DATE",
    BOOLEAN: "BOOLEAN",
    SATISFACTION: "TINYINT",
}

TABLE_COMMENTS = {
    "dealers": "Dealer roster (经销商档案), one row per dealer_id; the latest load wins.",
    "sales": "Monthly sales (销量) per dealer; month is the first day of the month.",
    "repairs": "Repair records (维修记录) from the dealers' monthly reports; "
    "a resubmitted dealer-month replaces the earlier one.",
    "callbacks": "HQ call-center callback results (总部回访记录), one row per callback_id.",
    "hotline": "HQ 400 hotline tickets (热线工单), one row per ticket_id.",
    "notices": "Media exposure and regulator notices (媒体曝光/通报).",
}


def quote(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _column_comment(kind: Kind, name: str) -> str:
    col = kind.column(name)
    note = " Personal data: masked on the dashboard." if col.personal else ""
    month = " First day of the month." if col.type == MONTH else ""
    return f"{col.chinese}.{month}{note}"


def table_ddl(kind: Kind) -> list[str]:
    cols = [f'"{c.name}" {SQL_TYPES[c.type]}' for c in kind.columns]
    cols += ["extra_columns JSON", "load_id BIGINT", "row_no BIGINT"]
    statements = [
        f"CREATE TABLE IF NOT EXISTS {kind.table} ({', '.join(cols)})",
        f"COMMENT ON TABLE {kind.table} IS {quote(TABLE_COMMENTS[kind.table])}",
    ]
    for c in kind.columns:
        statements.append(f"COMMENT ON COLUMN {kind.table}.{c.name} IS {quote(_column_comment(kind, c.name))}")
    statements += [
        f"COMMENT ON COLUMN {kind.table}.extra_columns IS "
        "'Columns of the file that are not part of the spec, kept aside as JSON.'",
        f"COMMENT ON COLUMN {kind.table}.load_id IS 'The load (load_log.load_id) that delivered this row.'",
        f"COMMENT ON COLUMN {kind.table}.row_no IS 'Row number of this row in its file.'",
    ]
    return statements


BOOKKEEPING_DDL = [
    """CREATE TABLE IF NOT EXISTS load_log (
        load_id BIGINT, file_name VARCHAR, archived_as VARCHAR, sha256 VARCHAR, kind VARCHAR,
        status VARCHAR, rows_read BIGINT, rows_loaded BIGINT, rows_rejected BIGINT,
        message VARCHAR, warnings VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP)""",
    "COMMENT ON TABLE load_log IS "
    "'Every load attempt: one row per file, whether loaded, rejected whole or already loaded.'",
    "COMMENT ON COLUMN load_log.status IS "
    "'loaded, rejected (the whole file; message says why) or already_loaded (same content loaded before).'",
    "COMMENT ON COLUMN load_log.archived_as IS 'Where the original file was archived, so it can be loaded again.'",
    """CREATE TABLE IF NOT EXISTS rejects (
        load_id BIGINT, file_name VARCHAR, kind VARCHAR, row_no BIGINT, reason VARCHAR, raw_values JSON)""",
    "COMMENT ON TABLE rejects IS "
    "'Rows not loaded, with their file, row number in that file, raw values and the reason.'",
    """CREATE TABLE IF NOT EXISTS report_submissions (
        dealer_id VARCHAR, report_month DATE, first_submitted_on DATE, first_load_id BIGINT,
        last_submitted_on DATE, last_load_id BIGINT, submissions BIGINT)""",
    "COMMENT ON TABLE report_submissions IS "
    "'Each dealer-month repair report: its first submission (which timeliness counts) and its latest.'",
    "CREATE SEQUENCE IF NOT EXISTS load_ids START 1",
    # Added by issue 10; ADD COLUMN IF NOT EXISTS brings a database made by an older version along.
    "ALTER TABLE load_log ADD COLUMN IF NOT EXISTS notes VARCHAR",
    "ALTER TABLE load_log ADD COLUMN IF NOT EXISTS details JSON",
    "COMMENT ON COLUMN load_log.notes IS "
    "'How the file was read: sheets, header rows, date order, rows ignored, columns absent or kept aside.'",
    "COMMENT ON COLUMN load_log.details IS "
    "'The same as data: format, encoding, delimiter, sheets read and skipped, header mapping (source header -> "
    "column), columns kept aside, optional columns absent, date order, rows after the totals row.'",
    "ALTER TABLE rejects ADD COLUMN IF NOT EXISTS sheet VARCHAR",
    "ALTER TABLE rejects ADD COLUMN IF NOT EXISTS problems JSON",
    "COMMENT ON COLUMN rejects.sheet IS 'The workbook sheet the row is on (empty for text files).'",
    "COMMENT ON COLUMN rejects.problems IS "
    "'The reasons as data (code, column, value, detail), from which the reason and the correction sheet are worded.'",
]


# Issue 16: tracked cases (etl/cases.py opens them after every load and edits them) and their history.
CASE_DDL = [
    "CREATE SEQUENCE IF NOT EXISTS case_ids START 1",
    """CREATE TABLE IF NOT EXISTS cases (
        case_id BIGINT PRIMARY KEY, event_key VARCHAR UNIQUE NOT NULL, kind VARCHAR NOT NULL,
        dealer_id VARCHAR, records VARCHAR[], evidence VARCHAR, event_at TIMESTAMP, month DATE, detail VARCHAR,
        opened_at TIMESTAMP NOT NULL, due_at TIMESTAMP NOT NULL, owner VARCHAR, status VARCHAR NOT NULL,
        root_cause VARCHAR, root_cause_text VARCHAR, action VARCHAR, recheck VARCHAR, recheck_note VARCHAR,
        resolved_at TIMESTAMP, closed_at TIMESTAMP, times_closed INTEGER NOT NULL DEFAULT 0,
        times_reopened INTEGER NOT NULL DEFAULT 0, version INTEGER NOT NULL DEFAULT 1,
        updated_by VARCHAR, updated_at TIMESTAMP)""",
    "COMMENT ON TABLE cases IS 'Tracked cases: one per complaint, fake record, dissatisfied answer, missed request, "
    "conduct issue and watchlist line (event_key), opened after the load that brought the event (issue 16).'",
    "COMMENT ON COLUMN cases.event_key IS "
    "'The event behind the case, stable across reloads: a reload never opens a second case.'",
    "COMMENT ON COLUMN cases.status IS "
    "'open, in_progress, resolved, closed, reopened, or withdrawn (the event went with a corrected file).'",
    "COMMENT ON COLUMN cases.recheck IS 'How a closed case was re-checked: callback (a later callback on the record), "
    "call_list (the customer goes on the next call list), not_possible (recheck_note says why).'",
    "COMMENT ON COLUMN cases.version IS 'Raised by every change: a save made from an older version is refused.'",
    """CREATE TABLE IF NOT EXISTS case_history (
        case_id BIGINT NOT NULL, changed_at TIMESTAMP NOT NULL, author VARCHAR NOT NULL, field VARCHAR NOT NULL,
        old_value VARCHAR, new_value VARCHAR, version INTEGER NOT NULL)""",
    "COMMENT ON TABLE case_history IS "
    "'Every change of every case (who, when, field, from, to): only ever appended to.'",
]


def create_tables(con) -> None:
    for statement in CASE_DDL:
        con.execute(statement)
    for statement in BOOKKEEPING_DDL:
        con.execute(statement)
    for kind in KINDS:
        for statement in table_ddl(kind):
            con.execute(statement)
