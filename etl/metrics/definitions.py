"""Each rate of spec section 3 as a numerator / denominator pair: the one home of its definition.

The view `dealer_month_metrics` and every roll-up (any dealers, any months) are generated
from RATES, so a rate is always sum(numerator) / sum(denominator) and empty when the
denominator is 0. Each rate also carries its Wilson score interval (`<rate>_low`, `<rate>_high`,
issue 6), from the same pair through the SQL macros wilson_low / wilson_high of views.sql.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    name: str
    numerator: str
    denominator: str
    scale: int = 1
    threshold: str | None = None   # rules key of the threshold it is judged against
    good_when: str = ""            # "below" or "at_least": which side of the threshold is good

    def sql(self, num: str | None = None, den: str | None = None) -> str:
        """The rate over (possibly summed) counts; NULL when the denominator is 0."""
        num, den = num or self.numerator, den or self.denominator
        scale = f" * {self.scale}" if self.scale != 1 else ""
        return f"CAST({num} AS DOUBLE){scale} / nullif({den}, 0)"

    def interval_sql(self, z: str, num: str | None = None, den: str | None = None) -> tuple[str, str]:
        """The rate's Wilson interval (low, high) at normal quantile z, on the rate's scale (x 1000 per mille).

        z is an expression evaluated once per query (a column of a one-row join, or a literal): the
        rule() lookup inside interval_z() costs more than the whole view when repeated on every row.
        """
        num, den = num or self.numerator, den or self.denominator
        scale = f"{self.scale} * " if self.scale != 1 else ""
        return f"{scale}wilson_low({num}, {den}, {z})", f"{scale}wilson_high({num}, {den}, {z})"

    def columns_sql(self, z: str, num: str | None = None, den: str | None = None) -> list[str]:
        """SELECT items: the rate, then its interval's low and high ends."""
        low, high = self.interval_sql(z, num, den)
        return [f"{self.sql(num, den)} AS {self.name}", f"{low} AS {self.name}_low", f"{high} AS {self.name}_high"]


# Codes only: a rate's name, in each language, is the catalogs' rate.<name> (locale/, i18n).
RATES: tuple[Rate, ...] = (
    Rate("complaints_per_1000_sales", "complaints", "units_sold", 1000,
         "award.max_complaints_per_1000_sales", "below"),
    Rate("complaint_rate", "complaints", "services", 1, "controls.complaint_rate_max", "below"),
    Rate("miss_rate", "misses", "requests", 1, "controls.miss_rate_max", "below"),
    Rate("satisfaction_rate", "satisfied", "callbacks_answered", 1, "award.min_satisfaction_rate", "at_least"),
    Rate("dissatisfaction_rate", "dissatisfied", "callbacks_answered", 1, "controls.dissatisfaction_rate_max",
         "below"),
    Rate("fake_rate", "fake_records", "callbacks_reached", 1, None, "below"),
    Rate("on_time_rate", "on_time", "on_time_base", 1, None, "at_least"),
    Rate("dealer_callback_rate", "dealer_callbacks", "services", 1, "controls.dealer_callback_rate_min",
         "at_least"),
    Rate("hq_callback_coverage", "callbacks", "services", 1, "controls.hq_callback_coverage_min", "at_least"),
    Rate("repeat_repair_rate", "repeat_repairs", "repeat_base", 1, None, "below"),
)
RATE_BY_NAME = {rate.name: rate for rate in RATES}

# Award criterion status (award_evaluation's status_* columns, spelled as the SQL spells them).
MET, NOT_MET, NOT_DEMONSTRABLE = "met", "not met", "not demonstrable at this sample size"

# Counts that roll up by summing (numerators, denominators and a few more).
COUNTS: tuple[str, ...] = (
    "services", "complaints", "units_sold", "sales_amount", "requests", "misses", "callbacks",
    "callbacks_reached", "callbacks_answered", "satisfied", "dissatisfied", "fake_records", "on_time",
    "on_time_base", "dealer_callbacks", "repeat_repairs", "repeat_base", "open_records",
)

COLUMN_COMMENTS = {
    "services": "Repair records (services) of the dealer-month, by report_month.",
    "complaints": "Distinct complaints: HQ callbacks with complaint=Y and verified hotline complaint tickets, "
                  "merged per (dealer_id, record_no), in the month of the earliest event.",
    "units_sold": "Units sold (sales.units_sold); 0 when there is no sales row.",
    "sales_amount": "Sales settlement amount in yuan.",
    "requests": "Repair records plus hotline repair requests no repair record of the assigned dealer answers.",
    "misses": "Requests missed: record open, or an HQ callback found it unresolved; unanswered hotline requests.",
    "callbacks": "HQ callbacks made in the month (called_at).",
    "callbacks_reached": "HQ callbacks that reached the customer.",
    "callbacks_answered": "Reached HQ callbacks with a satisfaction answer.",
    "satisfied": "Reached callbacks answering 4 or 5.",
    "dissatisfied": "Reached callbacks answering 1 or 2.",
    "fake_records": "Reached callbacks with service_confirmed = N (the customer says the service never happened).",
    "on_time": "Records that arrived within the SLA hours (24 urban / 48 county; exactly on the hour is on time).",
    "on_time_base": "Records with arrived_at, or open (an open record without arrival is late).",
    "dealer_callbacks": "Records the dealer called back (dealer_callback = Y).",
    "repeat_repairs": "Repair records whose serial_no had another repair (any dealer) requested in the 30 days before.",
    "repeat_base": "Repair records with a serial_no.",
    "open_records": "Records with status open.",
    "report_submitted_on": "First submission date of the dealer-month's repair report (empty: no report).",
    "report_due_on": "The report's deadline: the 15th (rules) of the following month.",
    "report_on_time": "First submission on or before the deadline; false when there is no report.",
}


def dealer_month_metrics_sql() -> str:
    rates = ",\n       ".join(item for rate in RATES for item in rate.columns_sql("params.wilson_z"))
    return ("CREATE OR REPLACE VIEW dealer_month_metrics AS\nSELECT c.*,\n       " + rates +
            "\nFROM dealer_month_counts c CROSS JOIN (SELECT interval_z() AS wilson_z) params")


def rollup_select(group_by: list[str], z: float) -> str:
    """SELECT list summing every count over the group and recomputing each rate and interval from the sums.

    z: the normal quantile of the intervals, as this connection's rules hold it (SELECT interval_z()).
    """
    sums = [f"sum({c}) AS {c}" if c == "sales_amount" else f"CAST(sum({c}) AS BIGINT) AS {c}" for c in COUNTS]
    literal = f"CAST({float(z)!r} AS DOUBLE)"
    rates = [item for rate in RATES
             for item in rate.columns_sql(literal, f"sum({rate.numerator})", f"sum({rate.denominator})")]
    return ", ".join(group_by + sums + rates)
