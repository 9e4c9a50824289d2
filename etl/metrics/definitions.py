"""Each rate of spec section 3 as a numerator / denominator pair: the one home of its definition.

Every rate is a SQL macro generated here (macros(), created with the views): `rate_<name>(x, n)`,
its Wilson score interval `rate_<name>_low(x, n, z)` / `rate_<name>_high(x, n, z)` (issue 6, through
wilson_low / wilson_high of views.sql) and, for a rate with a threshold in the rules, its verdicts
`rate_<name>_ok(x, n)` (the point value, exactly on the counts) and `rate_<name>_shown(low, high)`
(where the whole interval lies). The view `dealer_month_metrics`, every roll-up (any dealers, any
months), the award and the pages' judgements call them, so a rate is always sum(numerator) /
sum(denominator), empty when the denominator is 0, and judged one way everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass


def rule_variable(key: str) -> str:
    """The SQL variable holding a rules key (`award.min_report_rate` -> rule_award_min_report_rate, etl/db.py)."""
    return "rule_" + key.replace(".", "_")


def rule_sql(key: str) -> str:
    """The SQL reading a rules key as this connection sees it."""
    return f"rule('{rule_variable(key)}')"


@dataclass(frozen=True)
class Rate:
    name: str
    numerator: str
    denominator: str
    scale: int = 1
    threshold: str | None = None  # rules key of the threshold it is judged against
    good_when: str = ""  # "below" or "at_least": which side of the threshold is good
    upper: str | None = None  # rules key of an upper bound, for a rate judged against a range

    @property
    def macro(self) -> str:
        return f"rate_{self.name}"

    def sql(self, num: str | None = None, den: str | None = None) -> str:
        """The rate over (possibly summed) counts; NULL when the denominator is 0."""
        return f"{self.macro}({num or self.numerator}, {den or self.denominator})"

    def interval_sql(self, z: str, num: str | None = None, den: str | None = None) -> tuple[str, str]:
        """The rate's Wilson interval (low, high) at normal quantile z, on the rate's scale (x 1000 per mille).

        z is an expression evaluated once per query (a column of a one-row join, or a literal): the
        rule() lookup inside interval_z() costs more than the whole view when repeated on every row.
        """
        num, den = num or self.numerator, den or self.denominator
        return f"{self.macro}_low({num}, {den}, {z})", f"{self.macro}_high({num}, {den}, {z})"

    def columns_sql(self, z: str, num: str | None = None, den: str | None = None) -> list[str]:
        """SELECT items: the rate, then its interval's low and high ends."""
        low, high = self.interval_sql(z, num, den)
        return [f"{self.sql(num, den)} AS {self.name}", f"{low} AS {self.name}_low", f"{high} AS {self.name}_high"]

    def macros_sql(self) -> list[str]:
        """The rate's macros: its value, its interval's ends and, with a threshold, its two verdicts."""
        times = f" * {self.scale}" if self.scale != 1 else ""
        scaled = f"{self.scale} * " if self.scale != 1 else ""
        found = [
            f"CREATE OR REPLACE MACRO {self.macro}(x, n) AS CAST(x AS DOUBLE){times} / nullif(n, 0)",
            f"CREATE OR REPLACE MACRO {self.macro}_low(x, n, z) AS {scaled}wilson_low(x, n, z)",
            f"CREATE OR REPLACE MACRO {self.macro}_high(x, n, z) AS {scaled}wilson_high(x, n, z)",
        ]
        if self.threshold:
            limit, upper = rule_sql(self.threshold), rule_sql(self.upper) if self.upper else "NULL"
            found += [
                f"CREATE OR REPLACE MACRO {self.macro}_ok(x, n) AS "
                f"meets_threshold(x, n, {self.scale}, {limit}, '{self.good_when}', {upper})",
                f"CREATE OR REPLACE MACRO {self.macro}_shown(low, high) AS "
                f"interval_verdict(low, high, {limit}, '{self.good_when}')",
            ]
        return found


# How a rate is judged against its threshold, the one definition (the award, the pages' verdicts,
# the watchlist). meets_threshold: on the counts, exactly (x * scale against limit * n in decimals, so
# 49 of 50 passes ">= 98 %" and 5 complaints per 5,000 units are not below 1 per 1,000); empty when n
# is 0; an upper bound (a range) is inclusive. interval_verdict: 'good' when the whole Wilson interval
# (on the rate's scale) lies on the good side of the limit, 'bad' when it lies beyond it on the bad
# side, empty when it straddles the limit.
JUDGEMENT_MACROS: tuple[str, ...] = (
    """CREATE OR REPLACE MACRO meets_threshold(x, n, scale, lim, good_when, upper) AS
    CASE WHEN n > 0 THEN (CASE WHEN good_when = 'below' THEN x * scale < lim * n ELSE x * scale >= lim * n END)
                         AND (upper IS NULL OR x * scale <= upper * n) END""",
    """CREATE OR REPLACE MACRO interval_verdict(low, high, lim, good_when) AS
    CASE WHEN good_when = 'below' THEN CASE WHEN high < lim THEN 'good' WHEN low > lim THEN 'bad' END
         ELSE CASE WHEN low >= lim THEN 'good' WHEN high < lim THEN 'bad' END END""",
)


# Codes only: a rate's name, in each language, is the catalogs' rate.<name> (locale/, i18n).
RATES: tuple[Rate, ...] = (
    Rate("complaints_per_1000_sales", "complaints", "units_sold", 1000, "award.max_complaints_per_1000_sales", "below"),
    Rate("complaint_rate", "complaints", "services", 1, "controls.complaint_rate_max", "below"),
    Rate("miss_rate", "misses", "requests", 1, "controls.miss_rate_max", "below"),
    Rate("satisfaction_rate", "satisfied", "callbacks_answered", 1, "award.min_satisfaction_rate", "at_least"),
    Rate("dissatisfaction_rate", "dissatisfied", "callbacks_answered", 1, "controls.dissatisfaction_rate_max", "below"),
    Rate("fake_rate", "fake_records", "callbacks_reached", 1, None, "below"),
    Rate("on_time_rate", "on_time", "on_time_base", 1, None, "at_least"),
    Rate("dealer_callback_rate", "dealer_callbacks", "services", 1, "controls.dealer_callback_rate_min", "at_least"),
    Rate(
        "hq_callback_coverage",
        "callbacks",
        "services",
        1,
        "controls.hq_callback_coverage_min",
        "at_least",
        "controls.hq_callback_coverage_max",
    ),
    Rate("repeat_repair_rate", "repeat_repairs", "repeat_base", 1, None, "below"),
)
RATE_BY_NAME = {rate.name: rate for rate in RATES}
# Rates over other counts than a dealer-month's, with the same macros but no column in dealer_month_metrics:
# the award's share of months with the report on time (spec 3.1, over dealer_year_totals) and the share
# of a callback question's answers (the Callbacks page).
OTHER_RATES: tuple[Rate, ...] = (
    Rate("report_rate", "reports_on_time", "months_due", 1, "award.min_report_rate", "at_least"),
    Rate("answer_share", "callbacks", "question_callbacks"),
    # Issue 16's case figures (etl/metrics/cases.py): closed by the deadline, and reopened after closing.
    Rate("cases_closed_on_time_rate", "cases_closed_on_time", "cases_closed"),
    Rate("cases_reopened_share", "cases_reopened", "cases_ever_closed"),
)
# The three controls (三个控制): the Overview's breaches and the watchlist judge these.
CONTROL_RATES: tuple[str, ...] = ("complaint_rate", "miss_rate", "dissatisfaction_rate")

# Award criterion status (award_evaluation's status_* columns, spelled as the SQL spells them).
MET, NOT_MET, NOT_DEMONSTRABLE = "met", "not met", "not demonstrable at this sample size"

# Counts that roll up by summing (numerators, denominators and a few more).
COUNTS: tuple[str, ...] = (
    "services",
    "complaints",
    "units_sold",
    "sales_amount",
    "requests",
    "misses",
    "callbacks",
    "callbacks_reached",
    "callbacks_answered",
    "satisfied",
    "dissatisfied",
    "fake_records",
    "on_time",
    "on_time_base",
    "dealer_callbacks",
    "repeat_repairs",
    "repeat_base",
    "open_records",
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


def macros() -> list[str]:
    """Every rate's macros (after the judgement macros they call), for views.sql's `-- generated` line."""
    return list(JUDGEMENT_MACROS) + [statement for rate in RATES + OTHER_RATES for statement in rate.macros_sql()]


def dealer_month_metrics_sql() -> str:
    rates = ",\n       ".join(item for rate in RATES for item in rate.columns_sql("params.wilson_z"))
    return (
        "CREATE OR REPLACE VIEW dealer_month_metrics AS\nSELECT c.*,\n       "
        + rates
        + "\nFROM dealer_month_counts c CROSS JOIN (SELECT interval_z() AS wilson_z) params"
    )


def rollup_select(group_by: list[str], z: float) -> str:
    """SELECT list summing every count over the group and recomputing each rate and interval from the sums.

    z: the normal quantile of the intervals, as this connection's rules hold it (SELECT interval_z()).
    """
    sums = [f"sum({c}) AS {c}" if c == "sales_amount" else f"CAST(sum({c}) AS BIGINT) AS {c}" for c in COUNTS]
    literal = f"CAST({float(z)!r} AS DOUBLE)"
    rates = [
        item
        for rate in RATES
        for item in rate.columns_sql(literal, f"sum({rate.numerator})", f"sum({rate.denominator})")
    ]
    return ", ".join(group_by + sums + rates)
