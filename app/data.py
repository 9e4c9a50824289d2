"""What each page reads, through the named queries, cached per filter set and database state.

The cache key holds the database file's fingerprint (size and modification time of the file
and its write-ahead log), so a load by another process invalidates every entry at once. Reads go through
app/connections.py: a read-only connection per script thread (DuckDB refuses one connection
shared across Streamlit's session threads), reused within a page run and closed when idle.

load_* are plain functions (timed by bench/page_data_times.py); the page-facing functions
wrap them in st.cache_data and turn a busy database into a message instead of a traceback.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

import pandas as pd
import streamlit as st

from app import connections, i18n, tables
from etl import corrections, explore, wording
from etl.db import DatabaseBusy
from etl.metrics import award as awards
from etl.metrics import operations, quality, queries, thresholds, timeliness
from etl.metrics import overview as metrics_overview
from etl.metrics import records as record_lists
from etl.metrics.scope import Scope
from etl.rules import Rules


class CacheSettings(TypedDict):
    max_entries: int
    show_spinner: bool


CACHE: CacheSettings = {"max_entries": 256, "show_spinner": False}
WAIT_SECONDS = 20


@dataclass(frozen=True)
class Source:
    """A database file in a given state, read with given rules: the part of every cache key that is not a filter."""

    db: str
    stamp: tuple
    rules: tuple  # the rules' (key, value) pairs, what-if included
    rules_source: str

    @classmethod
    def of(cls, db: Path, rules: Rules) -> Source:
        return cls(str(db), fingerprint(db), tuple(sorted(rules.values.items())), rules.source)

    @property
    def path(self) -> Path:
        return Path(self.db)

    def read_rules(self) -> Rules:
        return Rules(dict(self.rules), self.rules_source)

    def with_rules(self, rules: Rules) -> Source:
        return Source.of(self.path, rules)


def fingerprint(db: Path) -> tuple:
    """Size and modification time of the database and its WAL: changes whenever a load commits."""
    parts = []
    for path in (db, db.with_name(db.name + ".wal")):
        if path.exists():
            info = path.stat()
            parts.append((path.name, info.st_size, info.st_mtime_ns))
    return tuple(parts)


def _connect(source: Source):
    return connections.read_connection(source.path, source.read_rules(), WAIT_SECONDS)


# --- the bundles each page reads ---------------------------------------------------------------


@dataclass(frozen=True)
class Catalog:
    """What the filters offer: dealers, months and years with data, and when data was last loaded."""

    roster: pd.DataFrame
    months: tuple[dt.date, ...]
    years: tuple[int, ...]
    last_load: dt.datetime | None

    def regions(self) -> list[str]:
        return sorted(self.roster["region"].dropna().unique())

    def provinces(self, regions: list[str]) -> list[str]:
        chosen = self.roster[self.roster["region"].isin(regions)] if regions else self.roster
        return sorted(chosen["province"].dropna().unique())


@dataclass(frozen=True)
class Overview:
    tiles: pd.DataFrame
    monthly: pd.DataFrame
    breaches: pd.DataFrame


@dataclass(frozen=True)
class DealerDetail:
    tiles: pd.DataFrame
    monthly: pd.DataFrame
    timeliness: pd.DataFrame
    record_counts: dict[str, int]  # rows of each record list (the lists load one at a time)


@dataclass(frozen=True)
class Settlement:
    dealers: pd.DataFrame
    totals: dict[str, float]  # queries.settlement_totals


def load_catalog(source: Source) -> Catalog | None:
    """None when there is nothing to show yet: no database file, or no month with any data."""
    if not source.path.exists():
        return None
    with _connect(source) as con:
        months = metrics_overview.months_available(con)
        if not months:
            return None
        return Catalog(
            metrics_overview.dealer_roster(con),
            tuple(months),
            tuple(metrics_overview.years_available(con)),
            metrics_overview.last_load(con),
        )


def load_metric_rows(source: Source, scope: Scope):
    """dealer_month_metrics for the scope's months and the period before: computed once, shared by the pages."""
    with _connect(source) as con:
        return metrics_overview.metric_rows(con, scope)


def _tiles(con, scope: Scope, current: pd.DataFrame, limits, stored: str) -> pd.DataFrame:
    previous = scope.previous()
    before = metrics_overview.scope_totals(con, previous, stored) if previous else None
    tiles = metrics_overview.tiles(current, before, limits)
    if scope.allowed is None:
        return tiles
    # issue 15: a user limited to some dealers sees each rate of all dealers beside theirs, naming none
    return metrics_overview.with_all_dealers(
        tiles, metrics_overview.scope_totals(con, Scope(scope.first_month, scope.last_month), stored)
    )


# The loaders below take the rows of load_metric_rows as `_rows`: the leading underscore keeps
# Streamlit from hashing them; they are fixed by the source and the scope's months, both in the key.
# metrics_overview.use_metric_rows keeps them on the read's connection and names the table the roll-ups read.


def load_overview(source: Source, scope: Scope, _rows) -> Overview:
    with _connect(source) as con:
        stored = metrics_overview.use_metric_rows(con, _rows)
        limits = thresholds.thresholds(con)
        ranking = metrics_overview.dealer_ranking(con, scope, stored)
        months = metrics_overview.dealer_months(con, scope, stored)
        breaches = metrics_overview.control_breaches(ranking, months, limits)
        tiles = _tiles(con, scope, metrics_overview.scope_totals(con, scope, stored), limits, stored)
        return Overview(tiles, metrics_overview.monthly_trend(con, scope, stored), breaches)


def load_ranking(source: Source, scope: Scope, _rows) -> pd.DataFrame:
    """Every dealer of the scope with every measure and a pass flag per threshold."""
    with _connect(source) as con:
        stored = metrics_overview.use_metric_rows(con, _rows)
        return thresholds.judge(metrics_overview.dealer_ranking(con, scope, stored), thresholds.thresholds(con))


def load_dealer(source: Source, scope: Scope, dealer_id: str, today: dt.date, _rows) -> DealerDetail:
    dealer_scope = scope.for_dealer(dealer_id)
    with _connect(source) as con:
        stored = metrics_overview.use_metric_rows(con, _rows)
        totals = metrics_overview.scope_totals(con, dealer_scope, stored)
        return DealerDetail(
            _tiles(con, dealer_scope, totals, thresholds.thresholds(con), stored),
            metrics_overview.monthly_trend(con, dealer_scope, stored),
            timeliness.report_timeliness(con, dealer_id, scope, today),
            record_lists.record_counts(totals),
        )


def load_records(source: Source, scope: Scope, dealer_id: str, name: str) -> pd.DataFrame:
    """One list of the records behind a dealer's numbers, personal data masked."""
    with _connect(source) as con:
        return record_lists.record_list(con, name, dealer_id, scope)


def load_award(source: Source, year: int, as_of: dt.date, lang: str, scope: Scope) -> pd.DataFrame:
    """The award of the scope's dealers (every month of the year), ranked, with its reasons in words."""
    with _connect(source) as con:
        return wording.award_in_words(awards.award_ranked(con, year, as_of, scope.dealers_only()), lang)


def load_settlement(source: Source, year: int, as_of: dt.date, scope: Scope) -> Settlement:
    with _connect(source) as con:
        dealers = queries.settlement(con, year, as_of, scope.dealers_only())
    return Settlement(dealers, queries.settlement_totals(dealers))


# --- cached, for the pages ---------------------------------------------------------------------

_catalog = st.cache_data(**CACHE)(load_catalog)
_metric_rows = st.cache_data(**CACHE)(load_metric_rows)
_overview = st.cache_data(**CACHE)(load_overview)
_ranking = st.cache_data(**CACHE)(load_ranking)
_dealer = st.cache_data(**CACHE)(load_dealer)
_records = st.cache_data(**CACHE)(load_records)
_award = st.cache_data(**CACHE)(load_award)
_settlement = st.cache_data(**CACHE)(load_settlement)


def _guarded(lang: str, load, *args):
    """Run a cached load; a database held by a load in another process becomes a friendly message."""
    try:
        with st.spinner(i18n.t("loading", lang)):
            return load(*args)
    except DatabaseBusy:
        st.warning(i18n.t("busy", lang), icon=":material/hourglass_top:")
        st.stop()


def catalog(source: Source, lang: str) -> Catalog | None:
    return _guarded(lang, _catalog, source)


def _rows(page):
    return _guarded(page.lang, _metric_rows, page.source, Scope(page.scope.first_month, page.scope.last_month))


def overview(page) -> Overview:
    return _guarded(page.lang, _overview, page.source, page.scope, _rows(page))


def ranking(page) -> pd.DataFrame:
    return _guarded(page.lang, _ranking, page.source, page.scope, _rows(page))


def dealer(page, dealer_id: str) -> DealerDetail:
    return _guarded(page.lang, _dealer, page.source, page.scope, dealer_id, page.today, _rows(page))


def records(page, dealer_id: str, name: str) -> pd.DataFrame:
    return _guarded(page.lang, _records, page.source, page.scope, dealer_id, name)


def award(page, year: int, as_of: dt.date, rules: Rules) -> pd.DataFrame:
    return _guarded(page.lang, _award, page.source.with_rules(rules), year, as_of, page.lang, page.scope)


def settlement(page, year: int, as_of: dt.date) -> Settlement:
    return _guarded(page.lang, _settlement, page.source, year, as_of, page.scope)


# --- statistics (issue 6) ------------------------------------------------------------------------
# Funnels, control charts and the watchlist read the page's stored metric rows (load_metric_rows:
# the scope's months and the baseline months before them) through the temporary table
# overview.use_metric_rows names, instead of recomputing the view: quality.* with source=stored.

CHART_METHODS = ("auto", "p", "laney")


def chart_method_default(rules: Rules) -> str:
    """The control charts' method when nobody chose: auto (Laney's p' where overdispersed) or p, per the rules."""
    return "auto" if rules["statistics.laney_when_overdispersed"] else "p"


def load_funnels(source: Source, scope: Scope, overdispersion: bool, _rows) -> dict[str, quality.Funnel]:
    """The Dealers page's funnel plots (quality.FUNNEL_RATES) over the scope's months and dealers."""
    with _connect(source) as con:
        stored = metrics_overview.use_metric_rows(con, _rows)
        return quality.funnels(
            con, quality.FUNNEL_RATES, scope.months, scope.dealer_filters(), overdispersion, source=stored
        )


def load_attention(source: Source, scope: Scope, metric: str, _rows) -> pd.DataFrame:
    """The Dealers page's dealers needing attention on one rate (quality.attention): funnel and interval signals."""
    with _connect(source) as con:
        stored = metrics_overview.use_metric_rows(con, _rows)
        ranking = metrics_overview.dealer_ranking(con, scope, stored)
        plot = (
            quality.funnels(con, (metric,), scope.months, scope.dealer_filters(), source=stored)[metric]
            if metric in quality.STAT_RATES
            else None
        )
        return quality.attention(ranking, metric, plot, thresholds.thresholds(con).get(metric), quality.settings(con))


def load_control_chart(
    source: Source, scope: Scope, by: str, key: str, metric: str, method: str, _rows
) -> pd.DataFrame:
    """One dealer's or region's p / p' chart of one rate: baseline months and the scope's months."""
    months = scope.months
    if months is None:  # the pages always choose a span of months
        raise ValueError("a control chart needs a span of months")
    with _connect(source) as con:
        stored = metrics_overview.use_metric_rows(con, _rows)
        return quality.control_charts(
            con, metric, months, by=by, keys=[key], dealers=scope.dealer_filters(), method=method, source=stored
        )


def load_watchlist(source: Source, scope: Scope, month: dt.date, as_of: dt.date, lang: str, _rows) -> pd.DataFrame:
    """quality.watchlist of one month of the scope (national funnels), lines of the scope's dealers only."""
    with _connect(source) as con:
        stored = metrics_overview.use_metric_rows(con, _rows)
        config = quality.settings(con)
        covered = config["watchlist.funnel_months"] <= config["statistics.baseline_months"] + 1
        lines = quality.watchlist(
            con, month, as_of, source=stored if covered else quality.SOURCE, scope=scope.dealers_only()
        )
    if lines.empty:
        return lines
    return wording.watchlist_in_words(lines, lang)


_funnels = st.cache_data(**CACHE)(load_funnels)
_control_chart = st.cache_data(**CACHE)(load_control_chart)
_attention = st.cache_data(**CACHE)(load_attention)
_watchlist = st.cache_data(**CACHE)(load_watchlist)


def funnels(page, overdispersion: bool) -> dict[str, quality.Funnel]:
    return _guarded(page.lang, _funnels, page.source, page.scope, overdispersion, _rows(page))


def attention(page, metric: str) -> pd.DataFrame:
    return _guarded(page.lang, _attention, page.source, page.scope, metric, _rows(page))


def control_chart(page, by: str, key: str, metric: str, method: str) -> pd.DataFrame:
    return _guarded(page.lang, _control_chart, page.source, page.scope, by, key, metric, method, _rows(page))


def watchlist(page, month: dt.date) -> pd.DataFrame:
    return _guarded(page.lang, _watchlist, page.source, page.scope, month, page.today, page.lang, _rows(page))


# --- operations pages (issue 5) ----------------------------------------------------------------


@dataclass(frozen=True)
class DataStatus:
    """What the Data page lists below the upload: loads, rejected rows' reasons, reports due."""

    history: pd.DataFrame
    reason_kinds: pd.DataFrame
    report_status: pd.DataFrame  # of the scope's dealers
    report_counts: dict[str, int]  # timeliness.status_counts: missing, late, on_time


@dataclass(frozen=True)
class CallbackAnalysis:
    """The Callbacks page's analysis. fakes and unreached hold the rows the page draws (the first
    tables.shown_rows of each list); fakes_total and unreached_total count the whole lists, which
    load_callback_people reads for the download."""

    answers: pd.DataFrame
    by_dealer: pd.DataFrame
    issues: pd.DataFrame
    fakes: pd.DataFrame
    unreached: pd.DataFrame
    fakes_total: int
    unreached_total: int


def load_data_status(source: Source, as_of: dt.date, lang: str = "en", scope: Scope | None = None) -> DataStatus:
    """Empty lists while there is no database file (the Data page is where the first load starts).
    The reports due are those of the scope's dealers (every month up to as_of)."""
    if not source.path.exists():
        empty = pd.DataFrame()
        return DataStatus(empty, empty, empty, timeliness.status_counts(empty))
    with _connect(source) as con:
        due = timeliness.report_status(con, as_of, scope)
        return DataStatus(
            wording.load_log_in_words(operations.load_history(con), lang),
            wording.reason_kinds_in_words(operations.reject_reason_kinds(con), lang),
            due,
            timeliness.status_counts(due),
        )


def load_rejects(source: Source, file_name: str | None, reason: str | None, lang: str = "en") -> pd.DataFrame:
    """Rejected rows as the Data page shows and exports them: names, phones and addresses masked
    (operations.masked_rejects); only the dealer's correction sheet has them whole."""
    if not source.path.exists():
        return pd.DataFrame()
    with _connect(source) as con:
        found = operations.rejects(con, file_name or None)
    return wording.rejects_in_words(found, lang, reason or None)[operations.REJECT_COLUMNS]


def load_pack(
    source: Source, lang: str, kind: str, period, scope: Scope, as_of: dt.date, by: str | None = None
) -> bytes:
    """A report pack (etl.packs, issue 17) of the scope as a zip: each recipient's PDF and workbook and index.csv,
    under the source's rules (what-if included); made when its button is clicked, not cached."""
    from etl import packs

    with _connect(source) as con:
        ctx = packs.Context.open(con, lang, as_of, source.read_rules())
        return packs.zip_bytes(packs.documents(ctx, kind, period, scope, by))[0]


def load_correction_sheet(source: Source, file_name: str, lang: str, allowed: tuple[str, ...] | None = None) -> bytes:
    """The dealer's correction sheet of a file (etl.corrections); built when its button is clicked.
    allowed: the user's dealers (Scope.allowed): their rows only."""
    with _connect(source) as con:
        return corrections.correction_workbook(con, file_name, lang, allowed)


def load_correction_files(source: Source, scope: Scope) -> list[str]:
    """The files with rejected rows naming the scope's dealers (a dealer's or a region's correction sheets)."""
    with _connect(source) as con:
        return corrections.files_naming(con, scope)


def callback_people_shown(rules: Rules) -> int:
    """How many rows of the fake and unreached lists the Callbacks page draws (app.ui.table's cap)."""
    return tables.shown_rows(len(tables.CALLBACK_PEOPLE_SHOWN[0]), int(rules["dashboard.max_table_rows"]))


def load_callback_analysis(source: Source, scope: Scope) -> CallbackAnalysis:
    """Issue 13: the fake and unreached lists as far as the page draws them, with their lengths (a national
    year has 0.2 M unreached callbacks: reading every one's record took more than a second)."""
    args = (scope.first_month, scope.last_month, scope.dealer_filters())
    shown = callback_people_shown(source.read_rules())
    with _connect(source) as con:
        fakes, fakes_total = operations.callback_people(con, "fake", *args, limit=shown)
        unreached, unreached_total = operations.callback_people(con, "unreached", *args, limit=shown)
        return CallbackAnalysis(
            operations.answer_distribution(con, *args),
            operations.callback_issues_by_dealer(con, *args),
            operations.conduct_issues(con, *args),
            fakes,
            unreached,
            fakes_total,
            unreached_total,
        )


def load_callback_people(source: Source, scope: Scope) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The whole fake and unreached lists (the Callbacks page's download, read when it is clicked)."""
    args = (scope.first_month, scope.last_month, scope.dealer_filters())
    with _connect(source) as con:
        return operations.fake_callbacks(con, *args), operations.unreached_callbacks(con, *args)


def load_repair_months(source: Source) -> list[dt.date]:
    with _connect(source) as con:
        return operations.repair_months(con)


def load_call_list(
    source: Source,
    month: dt.date,
    as_of: dt.date,
    share: float,
    no_repeat_days: int,
    seed: int,
    allowed: tuple[str, ...] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The call center's list: (unmasked, for the download; masked, for the screen). allowed: the
    user's dealers (Scope.allowed): their lines of the national draw, None for every dealer."""
    with _connect(source) as con:
        full = operations.callback_list(con, month, as_of, share, no_repeat_days, seed)
        if allowed is not None:
            full = full[full["dealer_id"].isin(allowed)].reset_index(drop=True)
        return full, operations.masked_call_list(con, full)


def load_explore_catalog(source: Source, allowed: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The tables and views; the query sandbox (of the user's dealers) starts building meanwhile, for the first Run."""
    explore.warm(source.path, source.read_rules(), allowed)
    with _connect(source) as con:
        return explore.catalog(con)


def load_query(source: Source, sql: str, allowed: tuple[str, ...] | None = None) -> explore.QueryResult:
    """A guarded ad-hoc SELECT (etl.explore): QueryRefused for anything else, a time-out or a busy database.
    allowed: the user's dealers (Scope.allowed): the sandbox holds only their rows."""
    return explore.run_query(source.path, source.read_rules(), sql, allowed=allowed)


def load_pivot(source: Source, group_by: tuple[str, ...], months: tuple[dt.date, dt.date], scope: Scope):
    with _connect(source) as con:
        return queries.rollup(con, list(group_by), months, scope.dealer_filters())


_data_status = st.cache_data(**CACHE)(load_data_status)
_rejects = st.cache_data(**CACHE)(load_rejects)
_callback_analysis = st.cache_data(**CACHE)(load_callback_analysis)
_repair_months = st.cache_data(**CACHE)(load_repair_months)
_call_list = st.cache_data(**CACHE)(load_call_list)
_explore_catalog = st.cache_data(**CACHE)(load_explore_catalog)
_query = st.cache_data(**CACHE)(load_query)
_pivot = st.cache_data(**CACHE)(load_pivot)


def data_status(page, as_of: dt.date) -> DataStatus:
    return _guarded(page.lang, _data_status, page.source, as_of, page.lang, page.scope.dealers_only())


def rejects(page, file_name: str | None, reason: str | None) -> pd.DataFrame:
    return _guarded(page.lang, _rejects, page.source, file_name, reason, page.lang)


def correction_sheet(page, file_name: str, lang: str) -> bytes:
    return load_correction_sheet(page.source, file_name, lang, page.scope.allowed)


def correction_files(page) -> list[str]:
    return _guarded(page.lang, load_correction_files, page.source, page.scope.dealers_only())


def callback_analysis(page) -> CallbackAnalysis:
    return _guarded(page.lang, _callback_analysis, page.source, page.scope)


def callback_people(page) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read when the download is clicked (not through _guarded: no spinner or stop while a file is built)."""
    return load_callback_people(page.source, page.scope)


def repair_months(page) -> list[dt.date]:
    return _guarded(page.lang, _repair_months, page.source)


def call_list(page, month: dt.date, as_of: dt.date, share: float, no_repeat_days: int, seed: int):
    return _guarded(page.lang, _call_list, page.source, month, as_of, share, no_repeat_days, seed, page.scope.allowed)


def explore_catalog(page) -> pd.DataFrame:
    return _guarded(page.lang, _explore_catalog, page.source, page.scope.allowed)


def query(page, sql: str) -> explore.QueryResult:
    """Raises explore.QueryRefused (the page shows its message); not cached when refused."""
    with st.spinner(i18n.t("loading", page.lang)):
        return _query(page.source, sql, page.scope.allowed)


def pivot(page, group_by: tuple[str, ...], months: tuple[dt.date, dt.date]) -> pd.DataFrame:
    return _guarded(page.lang, _pivot, page.source, group_by, months, page.scope)


# --- the audit trail (issue 15) --------------------------------------------------------------------


def load_audit_events(
    trail: Path, since: dt.date, until: dt.date, user_name: str, kinds: tuple[str, ...], lang: str
) -> pd.DataFrame:
    """The audit trail's events from `since` to `until` (both whole days, local time), newest first,
    the event in words and its time local; not cached: the trail grows with every page's sign-in."""
    from etl import audit

    start = dt.datetime.combine(since, dt.time()).astimezone()
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time()).astimezone()
    found = audit.events(trail, start, end, user_name.strip().lower() or None, list(kinds) or None)
    found["at"] = found["at"].dt.tz_convert(dt.datetime.now().astimezone().tzinfo).dt.tz_localize(None)
    found["event_code"] = found["event"]
    found["event"] = found["event"].map(lambda code: i18n.t(f"audit.event.{code}", lang))
    return found


def audit_events(page, since: dt.date, until: dt.date, user_name: str, kinds: tuple[str, ...]) -> pd.DataFrame:
    from etl import config

    return load_audit_events(config.audit_path(page.source.path), since, until, user_name, kinds, page.lang)


# --- issue 16: cases ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseView:
    """The Cases page: the queue of the scope's dealers, the figures in total, by dealer and by region."""

    queue: pd.DataFrame
    totals: dict
    by_dealer: pd.DataFrame
    by_region: pd.DataFrame


@dataclass(frozen=True)
class CaseDetail:
    """One case: its row of the queue (None when the scope does not see it), records and history."""

    case: dict | None
    records: pd.DataFrame
    history: pd.DataFrame


def case_clock() -> dt.datetime:
    """Now, to the minute: what overdue and age are counted against (a minute's reads share a cache entry)."""
    return dt.datetime.now().replace(second=0, microsecond=0)


def load_cases(source: Source, scope: Scope, now: dt.datetime) -> CaseView:
    from etl.metrics import cases as case_metrics

    with _connect(source) as con:
        return CaseView(
            case_metrics.queue(con, now, scope),
            case_metrics.totals(con, now, scope),
            case_metrics.figures(con, now, "dealer", scope),
            case_metrics.figures(con, now, "region", scope),
        )


def load_case(source: Source, scope: Scope, case_id: int, now: dt.datetime) -> CaseDetail:
    from etl.metrics import cases as case_metrics

    with _connect(source) as con:
        found = case_metrics.one(con, case_id, now, scope)
        if found is None:
            return CaseDetail(None, pd.DataFrame(), pd.DataFrame())
        return CaseDetail(found, case_metrics.records(con, case_id), case_metrics.history(con, case_id))


def load_case_totals(source: Source, scope: Scope, now: dt.datetime) -> dict:
    """The scope's case figures alone (the Overview's tile): one aggregate, not the queue of every case."""
    from etl.metrics import cases as case_metrics

    with _connect(source) as con:
        return case_metrics.totals(con, now, scope)


def load_dealer_cases(source: Source, scope: Scope, dealer_id: str, now: dt.datetime) -> pd.DataFrame:
    """One dealer's rows of the queue, the dealer narrowed in SQL (the scope's other filters and access kept)."""
    from etl.metrics import cases as case_metrics

    with _connect(source) as con:
        return case_metrics.queue(con, now, dataclasses.replace(scope, dealer_ids=(dealer_id,)))


_cases = st.cache_data(**CACHE)(load_cases)
_case = st.cache_data(**CACHE)(load_case)
_case_totals = st.cache_data(**CACHE)(load_case_totals)
_dealer_cases = st.cache_data(**CACHE)(load_dealer_cases)


def cases(page) -> CaseView:
    return _guarded(page.lang, _cases, page.source, page.scope, case_clock())


def case_totals(page) -> dict:
    """The Overview's case tile: open and overdue cases of the scope (issue 16)."""
    return _guarded(page.lang, _case_totals, page.source, page.scope, case_clock())


def dealer_cases(page, dealer_id: str) -> pd.DataFrame:
    """The dealer drill-down's cases: the queue's rows of one dealer."""
    return _guarded(page.lang, _dealer_cases, page.source, page.scope, dealer_id, case_clock())


def case(page, case_id: int) -> CaseDetail:
    return _guarded(page.lang, _case, page.source, page.scope, case_id, case_clock())


def case_author(page) -> str:
    """Who an edit is recorded as: the signed-in user, or "local" with open access (issue 15)."""
    return page.user.name if getattr(page, "user", None) else "local"


def save_case(page, case_id: int, version: int, changes: dict) -> str | None:
    """Save one case's edit as the page's user, within the page's scope; None, or why it was not saved
    (in the page's language). Waits for a load at most [cases] edit_wait_seconds."""
    from etl import cases as case_edits

    connections.close_all()  # this process's idle readers would keep the writer waiting
    try:
        case_edits.edit(page.source.path, page.rules, case_id, version, case_author(page), changes, page.scope)
    except case_edits.CaseError as exc:
        return i18n.t(f"case.error.{exc.code}", page.lang, **{k: str(v) for k, v in exc.values.items()})
    except DatabaseBusy:
        return i18n.t("busy", page.lang)
    return None


def assign_cases(page, versions: dict[int, int], owner: str) -> dict[int, str]:
    """Give the cases (case_id -> the version shown) to `owner`; the ones refused, with why in words."""
    from etl import cases as case_edits

    connections.close_all()
    try:
        refused = case_edits.assign(page.source.path, page.rules, versions, owner, case_author(page), page.scope)
    except DatabaseBusy:
        return {case_id: i18n.t("busy", page.lang) for case_id in versions}
    return {
        case_id: i18n.t(f"case.error.{exc.code}", page.lang, **{k: str(v) for k, v in exc.values.items()})
        for case_id, exc in refused.items()
    }
