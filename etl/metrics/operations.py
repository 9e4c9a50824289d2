"""Named queries for the daily operations pages: load history, rejects, missing reports, the
call center's callback list and the Callbacks page. Each takes an open connection and returns a
DataFrame; the SQL is in etl/metrics/sql/<name>.sql (etl.metrics.named), the scope's filter from
etl.metrics.scope, personal data masked by etl.metrics.privacy."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd

from etl.metrics import named, queries
from etl.metrics.privacy import HIDDEN, PERSONAL, masked_call_list, masked_rejects
from etl.metrics.scope import Scope, where
from etl.metrics.timeliness import report_status

__all__ = ["HIDDEN", "PERSONAL", "masked_call_list", "masked_rejects", "report_status"]  # their old home


def load_history(con, limit: int = 500) -> pd.DataFrame:
    return named.run(con, "load_history", {"limit": limit})


REJECT_COLUMNS = ["load_id", "file_name", "kind", "sheet", "row_no", "reason", "raw_values"]


def rejects(con, file_name: str | None = None) -> pd.DataFrame:
    """Rejected rows, newest load first, personal data masked (masked_rejects): REJECT_COLUMNS with the
    stored English reason, and `problems` (the reasons as data: codes, columns, values) from which
    etl.wording.rejects_in_words words them in a page's language."""
    found = masked_rejects(con, named.run(con, "rejects", {"file_name": file_name or None}))
    return found[REJECT_COLUMNS + ["problems"]]


# Problems whose detail names no value (the choices, another column, the date order): grouped by it too.
_DETAIL_KEPT = ("not_choice", "before", "date_order")


def reject_reason_kinds(con) -> pd.DataFrame:
    """Each kind of problem with how many rows have it: kind, code, col, detail, detail_zh (only where
    the detail names no value), reason, rows; etl.wording.reason_kinds_in_words words them with the
    values left out (`unknown dealer …`): the cells beyond the header (too_many_values) are values too,
    and may be anyone's name or address. Rows loaded before problems were kept as data have no code:
    `reason` is their English wording with its quoted values and numbers taken out."""
    return named.run(con, "reject_reason_kinds", {"detail_kept": list(_DETAIL_KEPT)})


def callback_list(
    con, report_month: dt.date, as_of: dt.date, share: float, no_repeat_days: int, seed: int = 1
) -> pd.DataFrame:
    """The call center's list: a reproducible random `share` of each dealer's records of the month
    (rounded up, so every dealer with records is called), stratified by dealer; records without a
    phone, customers HQ called in the `no_repeat_days` before `as_of`, and a second record of the
    same customer are left out. The draw is md5(seed, dealer, record): the same inputs give the
    same list. Personal data is NOT masked: this list is for calling customers."""
    drawn = named.run(
        con,
        "callback_list",
        {"seed": seed, "report_month": report_month, "share": share, "as_of": as_of, "no_repeat_days": no_repeat_days},
    )
    return with_rechecks(con, drawn)


def with_rechecks(con, drawn: pd.DataFrame) -> pd.DataFrame:
    """Issue 16: customers of closed complaint and fake-record cases still waiting for their re-check
    call first (recheck_case: the case), then the drawn sample without those customers."""
    from etl.metrics.cases import recheck_calls

    rechecks = recheck_calls(con)
    drawn = drawn.assign(recheck_case=pd.Series([None] * len(drawn), dtype="Int64"))
    if rechecks.empty:
        return drawn
    rest = drawn[~drawn["customer_phone"].isin(rechecks["customer_phone"])]
    rechecks["recheck_case"] = rechecks["recheck_case"].astype("Int64")
    return pd.concat([rechecks[drawn.columns], rest], ignore_index=True)


def call_list_summary(call_list: pd.DataFrame) -> dict[str, int]:
    """The call list's figures: records drawn, the month's records of the dealers drawn from, dealers."""
    return {
        "drawn": len(call_list),
        "dealers": int(call_list["dealer_id"].nunique()),
        "records": int(call_list.drop_duplicates("dealer_id")["dealer_records"].sum()),
    }


# The callback form's questions, left empty on the call list: the filled-in list loads back
# as a callbacks file (spec 2.4).
CALLBACK_FORM_QUESTIONS = [
    "called_at",
    "reached",
    "service_confirmed",
    "resolved",
    "on_time",
    "satisfaction",
    "complaint",
    "conduct_issue",
    "comment",
]


# --- the Callbacks page: answers, dissatisfaction, conduct issues, fake and unreached (issue 5) ---------

CALLBACK_QUESTIONS = ("reached", "service_confirmed", "resolved", "on_time", "satisfaction", "complaint")
# How a yes-no answer is told (answer.<code> in the catalogs); satisfaction answers 1..5 or blank.
ANSWER_CODES = {"yes": "yes", "no": "no", "blank": "blank"}


def _scope(first_month: dt.date | None, last_month: dt.date | None, dealers: dict[str, list[str]] | None) -> Scope:
    """Callbacks of the months (by call date) of dealers matching the filters ({"region": [...], ...})."""
    return replace(Scope.of(None, dealers), first_month=first_month, last_month=last_month)


def _callbacks_where(scope: Scope):
    """The scope over callback_facts f (dealers d): months by call date, bounding called_at itself too, so only
    those months' callbacks are read."""
    return where(scope, month="f.month", dealers="d", moment="f.called_at")


def answer_distribution(con, first_month=None, last_month=None, dealers=None) -> pd.DataFrame:
    """How the callbacks answered each question of the form: question, answer, callbacks, share.

    Answers are yes / no / blank for the yes-no questions and 1..5 / blank for satisfaction;
    the share is of all callbacks of the question."""
    scope = _scope(first_month, last_month, dealers)
    return named.run(
        con,
        "answer_distribution",
        {"questions": list(CALLBACK_QUESTIONS), **ANSWER_CODES},
        scope=_callbacks_where(scope),
    )


def callback_issues_by_dealer(con, first_month=None, last_month=None, dealers=None) -> pd.DataFrame:
    """Per dealer with callbacks: callbacks, reached, unreached, answered, dissatisfied (and the rate of
    the answered), fake records, callbacks with any conduct issue; worst dissatisfaction first."""
    scope = _scope(first_month, last_month, dealers)
    counts = queries.rollup_fragment(con, ["dealer_id", "dealer_name", "region", "province", "area_type"], scope)
    return named.run(con, "callback_issues_by_dealer", counts=counts, scope=_callbacks_where(scope))


# Conduct issues as the call center writes them -> a code whose words are the catalogs' conduct.<code>
# (issue 14: an English page names them in English); an issue written otherwise is shown as written.
CONDUCT_CODES = {"收礼": "gifts", "吸烟": "smoking", "未穿鞋套": "no_shoe_covers", "乱收费": "overcharging"}


def conduct_issues(con, first_month=None, last_month=None, dealers=None) -> pd.DataFrame:
    """Conduct issues reported at callbacks (收礼, 吸烟, 未穿鞋套 ...) counted per dealer and issue; an answer
    naming several issues (separated by 、 , ， ; ；/) counts once for each."""
    scope = _scope(first_month, last_month, dealers)
    return named.run(con, "conduct_issues", scope=_callbacks_where(scope))


def callback_people(
    con, listed: str, first_month=None, last_month=None, dealers=None, limit: int | None = None
) -> tuple[pd.DataFrame, int]:
    """One list of the scope's callbacks ('fake' or 'unreached'), personal data masked: its first `limit` rows
    (None: all) in the list's order (dealer, call time, callback), and how many the whole list holds. A page
    shows the first rows of a long list only: only their records are read (issue 13)."""
    scope = _scope(first_month, last_month, dealers)
    found = named.run(con, "callback_people", {"list": listed, "limit": limit}, scope=_callbacks_where(scope))
    total = int(found["listed"].iloc[0]) if len(found) else 0
    return found.drop(columns="listed"), total


def fake_callbacks(con, first_month=None, last_month=None, dealers=None) -> pd.DataFrame:
    """Callbacks that found a fake record (reached, the customer says the service did not happen); masked."""
    return callback_people(con, "fake", first_month, last_month, dealers)[0]


def unreached_callbacks(con, first_month=None, last_month=None, dealers=None) -> pd.DataFrame:
    """Callbacks that did not reach the customer; personal data masked."""
    return callback_people(con, "unreached", first_month, last_month, dealers)[0]


def repair_months(con) -> list[dt.date]:
    """Report months with repair records, newest first: what a callback list can be drawn from."""
    return [row[0].date() if isinstance(row[0], dt.datetime) else row[0] for row in named.rows(con, "repair_months")]
