"""The set-up every page runs first: language, filters, database and rules, remembered across pages and in the URL.

With st.navigation a file under pages/ can still be opened by its own URL, so each page calls
setup() itself instead of relying on the entry point.

Choices live in one session-state dictionary (widgets on different pages are different widgets
to Streamlit, so their own state would be lost on a page switch). Each run writes the choices
into st.query_params, so the address bar always holds a link that reproduces the view; a new
session (an opened link) starts from that link.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
import streamlit as st

from app import data, i18n, layout, signin
from app import format as fmt
from app import months as month_presets
from etl import access, config
from etl.metrics.scope import Scope
from etl.rules import Rules, RulesError, load_rules
from etl.users import User

STORE_KEY = "_dashboard_choices"
URL_KEY = "_dashboard_url_at_start"
DEFAULT_SPAN_MONTHS = 12

UrlValues = dict[str, list[str]]


@dataclass(frozen=True)
class PageContext:
    """What a page needs after set-up: the language, the rules, where the data is, and the filters.

    user: the signed-in user (None: open access, no users file); scope: the filters already narrowed to
    the user's dealers (Scope.allowed), and catalog.roster holds only those dealers (docs/access.md)."""

    lang: str
    rules: Rules
    source: data.Source
    catalog: data.Catalog | None  # None only on a page set up with require_data=False, before any load
    scope: Scope
    today: dt.date
    user: User | None = None

    def may(self, right: str) -> bool:
        """etl.access.may for the signed-in user: "upload", "unmasked_call_list", "audit", "users"."""
        return access.may(self.user, right)

    def may_open(self, name: str) -> bool:
        """Whether the user's navigation has the page `name` (st.page_link to one it lacks raises)."""
        return access.may_open(self.user, name)

    def t(self, key: str, **values) -> str:
        return i18n.t(key, self.lang, **values)


@dataclass(frozen=True)
class Choice:
    """One remembered choice: its name, and how it is read from and written to the URL.

    The value's type is the choice's own (a code, a year, a date, a list, a span of months): Any."""

    name: str
    read: Callable[[UrlValues], Any]
    write: Callable[[Any], dict[str, str | list[str]]]


def single(name: str, parse: Callable[[str], Any] = str, dump: Callable[[Any], str] = str) -> Choice:
    """A choice held in one URL parameter of the same name."""

    def read(url: UrlValues):
        try:
            return parse(url[name][-1]) if url.get(name) else None
        except (TypeError, ValueError):
            return None

    return Choice(name, read, lambda value: {name: "" if value is None else dump(value)})


def several(name: str) -> Choice:
    """A list choice held in a repeated URL parameter (?region=华东&region=华南)."""
    return Choice(name, lambda url: list(url[name]) if name in url else None, lambda value: {name: list(value or [])})


def _store() -> dict:
    return st.session_state.setdefault(STORE_KEY, {})


def _url_at_start() -> UrlValues:
    """The URL the session was opened with: what a shared link asks for."""
    if URL_KEY not in st.session_state:
        st.session_state[URL_KEY] = {key: st.query_params.get_all(key) for key in st.query_params}
    return st.session_state[URL_KEY]


def remembered(choice: Choice, default, clean: Callable[[object], object] = lambda value: value):
    """The stored value, else the opening link's, else the default; `clean` drops what no longer fits."""
    store = _store()
    value = clean(store[choice.name]) if choice.name in store else None
    if value is None:
        from_url = choice.read(_url_at_start())
        value = clean(from_url) if from_url is not None else None
    if value is None:
        value = default
    store[choice.name] = value
    return value


def publish(choice: Choice, value) -> None:
    """Put a choice into the address bar (an empty one is left out)."""
    for key, text in choice.write(value).items():
        if text in ("", []):
            st.query_params.pop(key, None)
        else:
            st.query_params[key] = text


def _keep(name: str, widget_key: str) -> None:
    _store()[name] = st.session_state[widget_key]


def keep(name: str, value) -> None:
    """Remember a choice a widget's callback has worked out (its own value is not the choice: a tab's label)."""
    _store()[name] = value


def persisted(choice: Choice, default, render: Callable, clean: Callable[[object], object] = lambda value: value):
    """Render a widget whose value survives page switches and sits in the URL.

    `render(key=..., on_change=..., args=...)` draws the widget; its value is set through
    session state only, never through a default argument.
    """
    value = remembered(choice, default, clean)
    widget_key = f"_widget_{choice.name}"
    st.session_state[widget_key] = value
    chosen = render(key=widget_key, on_change=_keep, args=(choice.name, widget_key))
    publish(choice, chosen)
    return chosen


def forget(*names: str) -> None:
    """Drop remembered choices (a reset button): they fall back to their defaults."""
    store = _store()
    for name in names:
        store.pop(name, None)
        st.session_state.pop(f"_widget_{name}", None)


def one_of(options) -> Callable[[object], object]:
    allowed = list(options)
    return lambda value: value if value in allowed else None


def subset_of(options) -> Callable[[object], object]:
    allowed = list(options)
    return lambda values: [v for v in values if v in allowed] if isinstance(values, (list, tuple)) else None


# --- language ----------------------------------------------------------------------------------

LANGUAGE = single("lang")


def _rules() -> Rules:
    return load_rules(config.rules_path())


def current_language() -> str:
    """The language before any widget is drawn (the entry point titles the pages with it)."""
    stored = _store().get(LANGUAGE.name)
    if stored in i18n.LANGUAGES:
        return stored
    asked = st.query_params.get(LANGUAGE.name)
    if asked in i18n.LANGUAGES:
        return asked
    try:
        return _rules()["dashboard.default_language"]
    except RulesError:
        return i18n.LANGUAGES[0]


def _language_switch(default: str) -> str:
    lang = remembered(LANGUAGE, default, one_of(i18n.LANGUAGES))
    return persisted(
        LANGUAGE,
        lang,
        lambda **kw: st.sidebar.segmented_control(
            i18n.t("language", lang), i18n.LANGUAGES, format_func=i18n.LANGUAGE_NAMES.__getitem__, required=True, **kw
        ),
        one_of(i18n.LANGUAGES),
    )


# --- filters -----------------------------------------------------------------------------------

MONTHS = Choice(
    "months",
    lambda url: (url["from"][-1], url["to"][-1]) if url.get("from") and url.get("to") else None,
    lambda span: {"from": span[0], "to": span[1]} if span else {"from": "", "to": ""},
)
REGIONS, PROVINCES, AREA_TYPES = several("region"), several("province"), several("area")
AREA_TYPE_CODES = ("urban", "county")


def _month_span(months: list[str]) -> Callable[[object], object]:
    def clean(span):
        if not isinstance(span, (list, tuple)) or len(span) != 2 or not set(span) <= set(months):
            return None
        return tuple(sorted(span))

    return clean


def _filters(catalog: data.Catalog, lang: str, with_months: bool = True) -> Scope:
    t = lambda key, **values: i18n.t(key, lang, **values)  # noqa: E731
    sidebar = st.sidebar
    sidebar.subheader(t("filters.title"))
    first, last = _months_filter(catalog, t, with_months)
    regions = persisted(
        REGIONS,
        [],
        lambda **kw: sidebar.multiselect(t("filters.regions"), catalog.regions(), placeholder=t("filters.all"), **kw),
        subset_of(catalog.regions()),
    )
    provinces = persisted(
        PROVINCES,
        [],
        lambda **kw: sidebar.multiselect(
            t("filters.provinces"), catalog.provinces(regions), placeholder=t("filters.all"), **kw
        ),
        subset_of(catalog.provinces(regions)),
    )
    areas = persisted(
        AREA_TYPES,
        [],
        lambda **kw: sidebar.multiselect(
            t("filters.area_types"),
            AREA_TYPE_CODES,
            format_func=lambda area: i18n.code(area, lang),
            placeholder=t("filters.all"),
            **kw,
        ),
        subset_of(AREA_TYPE_CODES),
    )
    return Scope(fmt.parse_month(first), fmt.parse_month(last), tuple(regions), tuple(provinces), tuple(areas))


def _choose_preset(spans: dict[str, tuple[str, str]], widget_key: str) -> None:
    """A months preset was clicked: its span becomes the remembered months (the slider follows)."""
    chosen = st.session_state.get(widget_key)
    if chosen in spans:
        _store()[MONTHS.name] = spans[chosen]


def _months_filter(catalog: data.Catalog, t: Callable[..., str], shown: bool) -> tuple[str, str]:
    """The months slider and its presets; on a page without months (shown=False) the remembered span is
    kept in the URL but no widget is drawn."""
    months = [fmt.month(m) for m in catalog.months]
    default = (months[max(0, len(months) - DEFAULT_SPAN_MONTHS)], months[-1])
    if len(months) == 1:
        if shown:
            st.sidebar.caption(t("filters.one_month", month=months[0]))
        publish(MONTHS, default)
        return default
    if not shown:
        span = remembered(MONTHS, default, _month_span(months))
        publish(MONTHS, span)
        return span
    spans = {
        preset: (fmt.month(first), fmt.month(last))
        for preset, (first, last) in month_presets.presets(list(catalog.months), dt.date.today()).items()
    }
    span = remembered(MONTHS, default, _month_span(months))
    preset_key = "_widget_months_preset"
    st.session_state[preset_key] = next((preset for preset, other in spans.items() if other == span), None)
    st.sidebar.pills(
        t("filters.presets"),
        list(spans),
        format_func=lambda preset: t(f"filters.preset.{preset}"),
        key=preset_key,
        on_change=_choose_preset,
        args=(spans, preset_key),
    )
    # value= makes it a range slider (Streamlit reads range or single from it); session state sets the value
    first, last = persisted(
        MONTHS,
        default,
        lambda **kw: st.sidebar.select_slider(
            t("filters.months"), options=months, value=default, help=t("filters.months_help"), **kw
        ),
        _month_span(months),
    )
    return first, last


def rules_name(rules: Rules) -> str:
    """The rules file by its name only (the server's folders are nobody's business); a what-if says so."""
    return " + ".join(part.replace("\\", "/").rsplit("/", 1)[-1] for part in rules.source.split(" + "))


def describe_scope(page: PageContext, months: bool = True) -> list[tuple[str, str]]:
    """The filters in words, for captions and the first sheet of a download."""
    scope, t = page.scope, page.t
    every = t("filters.all")
    span = [(t("filters.months"), f"{fmt.month(scope.first_month)} – {fmt.month(scope.last_month)}")] if months else []
    # a user limited to some dealers: "all" would claim every region; their regions and provinces are said instead
    limited = page.catalog if scope.allowed is not None else None
    regions = "、".join(limited.regions()) if limited is not None else every
    provinces = "、".join(limited.provinces(list(scope.regions))) if limited is not None else every
    return span + [
        (t("filters.regions"), "、".join(scope.regions) or regions),
        (t("filters.provinces"), "、".join(scope.provinces) or provinces),
        (t("filters.area_types"), "、".join(i18n.code(a, page.lang) for a in scope.area_types) or every),
    ]


# --- set-up ------------------------------------------------------------------------------------


def setup(page_name: str, require_data: bool = True, months: bool = True) -> PageContext:
    """Page config, language switch, filters; stops the page with a message when there is nothing to show.

    require_data=False (the Data page, where the first load starts): no data gives a context with
    catalog None and an empty scope instead of stopping. months=False (Award, Settlement: a year and an
    as-of date instead) draws no months filter."""
    st.set_page_config(layout="wide", page_icon=":material/support_agent:")
    layout.narrow_screens()  # issue 14: at 800 px the sidebar folds away, the tiles' figures wrap
    _url_at_start()
    asked = current_language()
    st.query_params.clear()  # rebuilt below from the remembered choices, so no other page's choice lingers
    try:
        rules = _rules()
    except RulesError as exc:
        publish(LANGUAGE, asked)
        st.error(i18n.t("rules_error", asked, error=i18n.say_of(exc, asked)))
        st.stop()
    lang = _language_switch(asked)
    user = signin.gate(page_name, lang, rules)  # stops the page: sign-in form, or a page the role may not see
    source = data.Source.of(config.db_path(), rules)
    catalog = data.catalog(source, lang)
    if catalog is not None and user is not None and user.scoped:
        allowed = access.allowed_dealers(user, catalog.roster)
        catalog = replace(catalog, roster=catalog.roster[catalog.roster["dealer_id"].isin(allowed)])
    if catalog is None and not require_data:
        return PageContext(
            lang, rules, source, None, Scope().within(() if user and user.scoped else None), dt.date.today(), user
        )
    if catalog is None:
        st.title(i18n.t(f"{page_name}.title", lang))
        st.info(i18n.t("empty", lang), icon=":material/upload_file:")
        st.stop()
    scope = access.scope_for(user, catalog.roster, _filters(catalog, lang, months))
    st.sidebar.divider()
    loaded = fmt.moment(catalog.last_load)
    st.sidebar.caption(i18n.t("sidebar.footer", lang, loaded=loaded, rules=rules_name(rules)))
    return PageContext(lang, rules, source, catalog, scope, dt.date.today(), user)


# --- page choices --------------------------------------------------------------------------------

YEAR = single("year", int)
AS_OF = single("as_of", dt.date.fromisoformat, dt.date.isoformat)
DEALER = single("dealer")


def default_year(years: list[int], today: dt.date) -> int:
    """The last complete calendar year present in the data, else the latest year present."""
    complete = [year for year in years if year < today.year]
    return max(complete) if complete else max(years)


def year_and_as_of(page: PageContext) -> tuple[int, dt.date]:
    """The award and settlement year and the as-of date (which months' reports are due)."""
    assert page.catalog is not None  # the pages with a year require data (setup stops them without)
    years = sorted(page.catalog.years, reverse=True)
    left, right, _ = st.columns([1, 1, 3])
    year = persisted(
        YEAR,
        default_year(years, page.today),
        lambda **kw: left.selectbox(page.t("year"), years, help=page.t("year_help"), **kw),
        one_of(years),
    )
    as_of = persisted(
        AS_OF,
        page.today,
        lambda **kw: right.date_input(page.t("as_of"), help=page.t("as_of_help"), format="YYYY-MM-DD", **kw),
        lambda value: value if isinstance(value, dt.date) else None,
    )
    return year, as_of


def dealer_choice(page: PageContext, dealers: pd.DataFrame, default: str) -> str:
    """The dealer to drill into, among the dealers of the scope (listed by id)."""
    names = dict(sorted(zip(dealers["dealer_id"], dealers["dealer_name"])))
    options = list(names)
    return persisted(
        DEALER,
        default,
        lambda **kw: st.selectbox(page.t("dealers.pick"), options, format_func=lambda d: f"{d} · {names[d]}", **kw),
        one_of(options),
    )


RECORDS = single("records")


def record_choice(page: PageContext, counts: dict[str, int]) -> str:
    """Which list of records to show, each labelled with its length; first time: the first list with rows."""
    names = list(counts)
    default = next((name for name in names if counts[name]), names[0])
    return persisted(
        RECORDS,
        default,
        lambda **kw: st.segmented_control(
            page.t("dealers.records"),
            names,
            format_func=lambda n: f"{page.t(f'records.{n}')} ({fmt.count(counts[n])})",
            required=True,
            label_visibility="collapsed",
            **kw,
        ),
        one_of(names),
    )


def rate_choice(page: PageContext, name: str, rates: list[str], default: str) -> str:
    """Which rate a chart ranks by."""
    choice = single(name)
    return persisted(
        choice,
        default,
        lambda **kw: st.selectbox(page.t("dealers.rank_by"), rates, format_func=lambda r: page.t(f"rate.{r}"), **kw),
        one_of(rates),
    )
