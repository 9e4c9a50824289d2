"""The maintenance-fee settlement statement (维修费结算单) of one dealer for a year: the fee base, each
deduction with the months or records behind it, the net fee. Every amount is the settlement's
(queries.settlement, the Settlement page's and `report settlement`'s rows); the lists behind them are
the record lists of the Dealers page (etl.metrics.records) and the months the settlement counts as not on time
(etl/metrics/sql/settlement_months.sql, from views.sql's months_due)."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from etl import format as fmt
from etl.metrics import named, queries, records
from etl.metrics.scope import Scope, where
from etl.packs.context import Context, Period
from etl.packs.document import Column, Document, Table


def documents(ctx: Context, period: Period, scope: Scope) -> Iterator[Document]:
    """One statement per dealer of the scope under contract in the period's year."""
    con, year = ctx.con, period.last.year
    year_period = Period.year(year)
    dealers = queries.settlement(con, year, ctx.as_of, scope.dealers_only())
    status = named.run(
        con, "settlement_months", {"year": year, "as_of": ctx.as_of}, scope=where(scope.dealers_only(), dealers="d")
    )
    late = dict(tuple(status.groupby("dealer_id"))) if len(status) else {}
    rules = ctx.rules
    for row in dealers.to_dict("records"):
        dealer_id = row["dealer_id"]
        months = Scope(year_period.first, year_period.last, dealer_ids=(dealer_id,))
        name = f"{dealer_id} {row['dealer_name']}"
        document = Document(
            "settlement",
            dealer_id,
            name,
            ctx.t("pack.settlement_title", dealer=name, year=year),
            ctx.lang,
            ctx.header(months, year_period),
        )
        lines = pd.DataFrame(
            [
                {"item": ctx.t("col.sales_amount"), "basis": "", "amount": row["sales_amount"]},
                {
                    "item": ctx.t("col.fee_base"),
                    "amount": row["fee_base"],
                    "basis": ctx.t("pack.basis_fee", rate=fmt.percent(rules["settlement.fee_rate"], 2)),
                },
                {
                    "item": ctx.t("col.missing_deduction"),
                    "amount": -row["missing_deduction"],
                    "basis": ctx.t(
                        "pack.basis_missing",
                        run=int(row["max_consecutive_missing"]),
                        limit=rules["settlement.missing_months_in_a_row"],
                        rate=fmt.percent(rules["settlement.missing_deduction_rate"]),
                    ),
                },
                {
                    "item": ctx.t("col.fake_penalty"),
                    "amount": -row["fake_penalty"],
                    "basis": ctx.t(
                        "pack.basis_fake",
                        records=int(row["fake_records"]),
                        fees=fmt.money(row["fake_record_fees"]),
                        times=fmt.number(rules["settlement.fake_penalty_multiplier"], 0),
                    ),
                },
                {
                    "item": ctx.t("col.complaint_deduction"),
                    "amount": -row["complaint_deduction"],
                    "basis": ctx.t(
                        "pack.basis_complaints",
                        complaints=int(row["complaints"]),
                        each=fmt.money(rules["settlement.complaint_deduction_yuan"]),
                    ),
                },
            ]
        )
        statement = Table(
            ctx.t("pack.statement_title", year=year),
            lines,
            [
                Column("item", ctx.t("pack.item")),
                Column("basis", ctx.t("pack.basis")),
                Column("amount", ctx.t("pack.amount"), "money"),
            ],
            note=ctx.t("settlement.help.net_fee"),
            widths=[2.0, 5.0, 1.6],
            totals={"amount": row["net_fee"]},
        )
        fakes = records.record_list(con, "fake_records", dealer_id, months)
        complaints = records.record_list(con, "complaints", dealer_id, months)
        document.sections = [
            statement,
            parts_months(ctx, late.get(dealer_id, status.iloc[0:0]), year),
            Table(
                ctx.t("pack.fakes_behind", year=year),
                fakes,
                [
                    Column("called_at", ctx.t("col.called_at"), "day"),
                    Column("callback_id", ctx.t("col.callback_id")),
                    Column("record_no", ctx.t("col.record_no")),
                    Column("labor_fee", ctx.t("col.labor_fee"), "money"),
                    Column("parts_fee", ctx.t("col.parts_fee"), "money"),
                    Column("comment", ctx.t("col.comment")),
                ],
                empty=ctx.t("pack.no_fakes"),
                widths=[1.2, 1.2, 1.8, 1.0, 1.0, 3.0],
            ),
            Table(
                ctx.t("pack.complaints_behind", year=year),
                complaints,
                [
                    Column("month", ctx.t("col.month"), "month"),
                    Column("first_event_at", ctx.t("col.first_event_at"), "day"),
                    Column("record_no", ctx.t("col.record_no")),
                    Column("events", ctx.t("col.events"), "count"),
                    Column("event_ids", ctx.t("col.event_ids")),
                ],
                empty=ctx.t("pack.no_complaints"),
                widths=[0.9, 1.2, 1.8, 0.8, 4.0],
            ),
        ]
        yield document


def parts_months(ctx: Context, status: pd.DataFrame, year: int) -> Table:
    """The months of the year whose report was not on time (settlement_months.sql: what the missing-report
    deduction counts runs of), each with the length of its run."""
    frame = status.sort_values("month").reset_index(drop=True) if len(status) else status
    columns = [
        Column("month", ctx.t("col.month"), "month"),
        Column("report_due_on", ctx.t("col.report_due_on"), "day"),
        Column("report_submitted_on", ctx.t("col.report_submitted_on"), "day"),
        Column("missing_run_length", ctx.t("pack.run_length"), "count"),
        Column("status", ctx.t("col.status"), "code"),
    ]
    return Table(ctx.t("pack.months_behind", year=year), frame, columns, empty=ctx.t("pack.no_late_reports"))
