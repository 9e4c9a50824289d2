"""Pieces several pages draw the same way: rate tiles, formatted tables, Excel download buttons."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Literal

import pandas as pd
import streamlit as st

from app import charts_stats, data, excel, i18n, links, signin, state, stats_text, tables, vega
from app import format as fmt
from app.state import PageContext, describe_scope
from etl.metrics.definitions import RATE_BY_NAME
from etl.metrics.levels import interval_level as coverage
from etl.metrics.quality import STAT_RATES
from i18n import N_


def _delta(tile, lang: str) -> dict:
    """st.metric arguments for the change against the previous period, green when it is an improvement."""
    if fmt.is_empty(tile.change):
        return {}
    scale = RATE_BY_NAME[tile.rate].scale
    points = i18n.t("unit.points", lang)
    if fmt.shows_no_change(tile.change, scale):
        return {"delta": fmt.rate_change(tile.change, scale, points), "delta_arrow": "off", "delta_color": "off"}
    arrow = "up" if tile.change > 0 else "down"
    colour = "inverse" if tile.good_when == "below" else "normal"
    return {"delta": fmt.rate_change(tile.change, scale, points), "delta_arrow": arrow, "delta_color": colour}


def _verdict(page: PageContext, tile) -> None:
    scale = RATE_BY_NAME[tile.rate].scale
    if fmt.is_empty(tile.limit):
        st.badge(page.t("tile.no_threshold"), color="gray")
        return
    rule = fmt.threshold(tile.good_when, tile.limit, tile.upper, scale)
    if fmt.is_empty(tile.ok):
        st.badge(page.t("tile.no_data", rule=rule), color="gray")
    elif tile.ok:
        st.badge(page.t("tile.meets", rule=rule), color="green", icon=":material/check_circle:")
    else:
        st.badge(page.t("tile.misses", rule=rule), color="red", icon=":material/error:")


def rate_tiles(page: PageContext, tiles: pd.DataFrame, columns: int = 3) -> None:
    """One bordered tile per rate: value, change against the previous period, verdict against the threshold."""
    grid = st.columns(columns)
    for n, tile in enumerate(tiles.itertuples()):
        scale = RATE_BY_NAME[tile.rate].scale
        with grid[n % columns].container(border=True):
            previous = fmt.rate(tile.previous, scale)
            st.metric(
                page.t(f"rate.{tile.rate}"),
                fmt.rate(tile.value, scale),
                **_delta(tile, page.lang),
                delta_description=page.t("tile.vs_previous", previous=previous),
                help=page.t(
                    "tile.help",
                    definition=page.t(f"definition.{tile.rate}"),
                    numerator=fmt.count(tile.numerator),
                    denominator=fmt.count(tile.denominator),
                    previous=previous,
                ),
            )
            _verdict(page, tile)
            interval_caption(page, tile.low, tile.high, scale)
            if "all_dealers" in tiles.columns:  # issue 15: a limited user's comparison, naming no dealer
                st.caption(page.t("tile.all_dealers", value=fmt.rate(tile.all_dealers, scale)))


def interval_caption(page: PageContext, low, high, scale: int) -> None:
    """The rate's Wilson interval under its figure (issue 6), from the query's _low/_high columns."""
    if fmt.is_empty(low) or fmt.is_empty(high):
        st.caption(page.t("stats.no_interval"), help=page.t("stats.interval_help"))
    else:
        st.caption(
            page.t("stats.interval", level=interval_level(page), low=fmt.rate(low, scale), high=fmt.rate(high, scale)),
            help=page.t("stats.interval_help"),
        )


def interval_level(page: PageContext) -> str:
    """The coverage of the rules' interval_z as people write it: 95 %."""
    return coverage(page.rules["statistics.interval_z"])


CHANGED_STYLE = "background-color: #fff3cd"  # a row a what-if changes (issue 14)


def _css_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def uploader_words(page: PageContext, types) -> None:
    """Streamlit writes the file uploader's button and its size limit in English whatever the page's language:
    the catalogs' words are drawn in their place (the built-in words hidden, so no other language shows)."""
    button = _css_text(page.t("data.upload_button"))
    limit = _css_text(
        page.t(
            "data.upload_limit",
            mb=st.get_option("server.maxUploadSize"),
            types=", ".join(suffix.upper() for suffix in types),
        )
    )
    zone, hidden = '[data-testid="stFileUploaderDropzone"]', "font-size: 0; visibility: hidden;"
    shown = "font-size: 0.875rem; visibility: visible;"
    st.html(f"""<style>
{zone} button [data-testid="stMarkdownContainer"] p {{ {hidden} }}
{zone} button [data-testid="stMarkdownContainer"] p::after {{ content: "{button}"; {shown} }}
[data-testid="stFileUploaderDropzoneInstructions"] span {{ {hidden} }}
[data-testid="stFileUploaderDropzoneInstructions"] span::after {{ content: "{limit}"; {shown} }}
</style>""")


def chart(figure: Any, key: str | None = None, where: Any = None) -> None:
    """One Vega-Lite chart (app/vega.py: an Altair chart, or the spec `drawn` kept) across its container; `where` a
    column or container (default: the page)."""
    spec = figure if isinstance(figure, dict) else vega.for_streamlit(figure)
    (where or st).vega_lite_chart(spec=spec, width="stretch", key=key)


def drawn(builder: Callable[..., Any], *args: Any) -> Any:
    """What chart builder `builder` draws of `args`, as the spec(s) `chart` sends, kept for the same arguments.

    Issue 14 (first paint): building and converting the Overview's eleven charts was most of its script on a warm
    server, and that script competes with the browser's first requests; the same figures give the same specs."""
    return _drawn(f"{builder.__module__}:{builder.__qualname__}", args)


@st.cache_data(max_entries=512, show_spinner=False)
def _drawn(builder: str, args: tuple) -> Any:
    module, name = builder.split(":")
    figure = getattr(importlib.import_module(module), name)(*args)
    return [vega.for_streamlit(f) for f in figure] if isinstance(figure, list) else vega.for_streamlit(figure)


def small_multiples(panels: list, key: str, columns: int = 3) -> None:
    """Charts side by side, `columns` to a row (issue 14: at 800 px Streamlit stacks the columns)."""
    for start in range(0, len(panels), columns):
        for n, place in enumerate(st.columns(columns)):
            if start + n < len(panels):
                chart(panels[start + n], key=f"{key}_{start + n}", where=place)


def rows_height(rows: int, most: int = 25) -> int:
    """Pixels for a table showing `rows` rows (up to `most`) without an inner scroll bar."""
    return (min(rows, most) + 1) * 35 + 3


def table(
    page: PageContext,
    frame: pd.DataFrame,
    spec: tables.Spec,
    verdicts: dict[str, str] | None = None,
    height: int | Literal["auto"] = "auto",
    key: str | None = None,
    link_months: tuple[dt.date, dt.date] | None = None,
    widths: tables.Widths | None = None,
    wrapped: bool = False,
    total: int | None = None,
) -> None:
    """A formatted table; a very long one shows its first rows (tables.shown_rows) and says so:
    its page's download holds every row. Its dealer ids open their drill-down (app.links; `link_months`: the
    months the drill-down opens on, else the page's); `widths`: pixels by column (issue 14: no sideways scroll);
    `wrapped`: rows tall enough for a sentence to wrap over three lines (a reject's reason); `total`: how many rows
    the whole table has when `frame` holds only its first ones (issue 13: a list read as far as it is shown)."""
    names, widths = tables.headers(spec, page.lang), widths or {}
    wide: dict[str, Any] = {
        header: st.column_config.TextColumn(width="large") for header in tables.long_text_headers(spec, page.lang)
    }
    wide |= {names[column]: st.column_config.Column(width=width) for column, width in widths.items() if column in names}
    limit = tables.shown_rows(len(spec), int(page.rules["dashboard.max_table_rows"]))
    shown = frame.head(limit)
    if links.COLUMN in names and links.wanted(page, shown):
        shown = links.linked(page, shown, months=link_months)
        wide[names[links.COLUMN]] = links.column(width=widths.get(links.COLUMN))
    st.dataframe(
        tables.styled(shown, spec, page.lang, verdicts),
        hide_index=True,
        height=height,
        key=key,
        column_config=wide or None,
        placeholder=fmt.EMPTY,
        row_height=tables.WRAPPED_ROW_PX if wrapped else None,
    )
    total = len(frame) if total is None else total
    if total > limit:
        st.caption(page.t("table.capped", shown=fmt.count(min(limit, len(frame))), total=fmt.count(total)))


def download(
    page: PageContext,
    name: str,
    sheets: list[excel.Sheet] | Callable[[], list[excel.Sheet]],
    extra: list[tuple[str, str]],
    months: bool = True,
) -> None:
    """An Excel download whose first sheet lists the filters the page was showing; built only when clicked.
    `sheets` may be a function giving them: what the page holds only in part is then read on the click."""
    filters = [(page.t("language"), page.t("language.name"))] + describe_scope(page, months) + extra

    def build() -> bytes:
        return excel.workbook(sheets() if callable(sheets) else sheets, filters, page.lang)

    st.download_button(
        page.t("download"),
        signin.audited(page, name, True, filters, build),
        file_name=f"{name}_{dt.datetime.now():%Y%m%d_%H%M}.xlsx",
        icon=":material/download:",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
    )


def correction_download(page: PageContext, file_name: str, key: str) -> None:
    """The dealer's correction sheet of a file with rejected rows, in the language chosen beside it
    (issue 15: for the roles with the right; a dealer's holds its own rows only)."""
    if not page.may("correction_sheets"):
        return
    left, right = st.columns([1, 3])
    lang = left.selectbox(
        page.t("data.correction_lang"),
        list(i18n.LANGUAGES),
        key=key + "_lang",
        format_func=lambda code: i18n.LANGUAGE_NAMES[code],
    )
    right.download_button(
        page.t("data.correction"),
        signin.audited(
            page, "correction_sheet", False, [("file", file_name)], lambda: data.correction_sheet(page, file_name, lang)
        ),
        file_name=i18n.t("data.correction_file", lang, name=file_name.rsplit(".", 1)[0]),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/assignment_return:",
        on_click="ignore",
        key=key,
    )


def scope_caption(page: PageContext, months: bool = True) -> None:
    """The filters in one line; pages about a calendar year leave the months out (they do not apply)."""
    st.caption(" · ".join(f"{label}: {value}" for label, value in describe_scope(page, months)))


def control_chart(page: PageContext, by: str, key: str, widget: str, default_metric: str) -> None:
    """Issue 6: a p / Laney p' chart of one monthly rate of a dealer or region, its method selectable, signals
    listed."""
    left, right = st.columns([1, 2])
    metric = state.persisted(
        unless_default(f"{widget}_rate", default_metric),
        default_metric,
        lambda **kw: left.selectbox(
            page.t("control.metric"), list(STAT_RATES), format_func=lambda r: page.t(f"rate.{r}"), **kw
        ),
        state.one_of(STAT_RATES),
    )
    default_method = data.chart_method_default(page.rules)
    method = state.persisted(
        unless_default(f"{widget}_method", default_method),
        default_method,
        lambda **kw: right.radio(
            page.t("control.method"),
            list(data.CHART_METHODS),
            format_func=lambda m: page.t(f"control.method.{m}"),
            horizontal=True,
            help=page.t("control.method_help"),
            **kw,
        ),
        state.one_of(data.CHART_METHODS),
    )
    monthly = data.control_chart(page, by, key, metric, method)
    period = monthly[monthly["phase"] == "period"] if len(monthly) else monthly
    if period.empty:
        st.caption(page.t("control.no_data"))
        return
    title = f"{key} · {page.t(f'rate.{metric}')}"
    labels = stats_text.chart_labels(page.lang, metric)
    chart(drawn(charts_stats.control_chart_figure, monthly, labels, title), key=f"{widget}_chart")
    summary = stats_text.chart_summary(monthly, page.lang)
    st.caption(summary or page.t("control.no_baseline"))
    signals = stats_text.signal_lines(monthly, page.lang, int(page.rules["statistics.run_length"]))
    if signals:
        st.markdown("**" + page.t("control.signals") + "**\n" + "\n".join(f"- {line}" for line in signals))
    else:
        st.caption(page.t("control.no_signals"))


def unless_default(name: str, default) -> state.Choice:
    """A choice in one URL parameter that stays out of the URL while it has its default value."""
    base = state.single(name)
    return state.Choice(name, base.read, lambda value: base.write(None if value == default else value))


def pack_download(
    page: PageContext,
    kind: str,
    period,
    label: str,
    key: str,
    scope=None,
    by: str | None = None,
    as_of: dt.date | None = None,
    source: data.Source | None = None,
) -> None:
    """A report pack (issue 17: PDF and Excel per recipient, index.csv) of the page's scope as a zip, made when
    clicked."""
    from etl.packs import KIND_WORDS

    scope = scope or page.scope
    filters = [(page.t("language"), page.t("language.name")), (page.t("pack.period"), period.label)] + describe_scope(
        page, months=False
    )
    build = signin.audited(
        page,
        f"pack_{kind}",
        True,
        filters,
        lambda: data.load_pack(source or page.source, page.lang, kind, period, scope, as_of or page.today, by),
    )
    name = f"{page.t(KIND_WORDS[kind])}_{period.label}_{dt.datetime.now():%Y%m%d_%H%M}.zip"
    st.download_button(
        label,
        build,
        file_name=name,
        mime="application/zip",
        icon=":material/picture_as_pdf:",
        on_click="ignore",
        key=key,
    )


def sections(page: PageContext, name: str, labels: dict[str, str]) -> tuple[str, Any]:
    """Tabs of which only the open one is built (issue 14: what is not shown costs the page's script and the
    browser nothing); `labels`: section -> catalog key, the first the default. The open section sits in URL
    parameter `name` (left out for the default), so a shared link opens on it. Returns it and its tab."""
    ids = list(labels)
    choice = unless_default(name, ids[0])
    chosen = state.remembered(choice, ids[0], state.one_of(ids))
    texts = [page.t(labels[section]) for section in ids]
    section_of = dict(zip(texts, ids))
    key = f"_sections_{name}_{page.lang}"  # a language's own tabs: their labels are their values
    st.session_state[key] = texts[ids.index(chosen)]
    tabs = st.tabs(texts, key=key, on_change=lambda: state.keep(name, section_of[st.session_state[key]]))
    shown = next((section for section, tab in zip(ids, tabs) if tab.open), chosen)
    state.publish(choice, shown)
    return shown, tabs[ids.index(shown)]


@contextmanager
def every_column(page: PageContext, key: str, label: str = N_("table.all_columns")) -> Iterator[bool]:
    """The expander holding a table's every column; True while it is open, so the table is built only then
    (issue 14: a closed one costs the page's script and the browser nothing). Its state is st.session_state[key]."""
    box = st.expander(page.t(label), key=key, on_change="rerun")
    with box:
        yield bool(box.open)
