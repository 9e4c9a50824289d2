"""Pieces several pages draw the same way: rate tiles, formatted tables, Excel download buttons."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from app import excel, tables
from app import format as fmt
from app.state import PageContext, describe_scope
from etl.metrics.definitions import RATE_BY_NAME


def _delta(tile) -> dict:
    """st.metric arguments for the change against the previous period, green when it is an improvement."""
    if fmt.is_empty(tile.change):
        return {}
    scale = RATE_BY_NAME[tile.rate].scale
    if fmt.shows_no_change(tile.change, scale):
        return {"delta": fmt.rate_change(tile.change, scale), "delta_arrow": "off", "delta_color": "off"}
    arrow = "up" if tile.change > 0 else "down"
    colour = "inverse" if tile.good_when == "below" else "normal"
    return {"delta": fmt.rate_change(tile.change, scale), "delta_arrow": arrow,
            "delta_color": colour}


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
            st.metric(page.t(f"rate.{tile.rate}"), fmt.rate(tile.value, scale), **_delta(tile),
                      delta_description=page.t("tile.vs_previous", previous=previous),
                      help=page.t("tile.help", definition=page.t(f"definition.{tile.rate}"),
                                  numerator=fmt.count(tile.numerator), denominator=fmt.count(tile.denominator),
                                  previous=previous))
            _verdict(page, tile)


def rows_height(rows: int, most: int = 25) -> int:
    """Pixels for a table showing `rows` rows (up to `most`) without an inner scroll bar."""
    return (min(rows, most) + 1) * 35 + 3


def table(page: PageContext, frame: pd.DataFrame, spec: tables.Spec, verdicts: dict[str, str] | None = None,
          height: int | str = "auto", key: str | None = None) -> None:
    wide = {header: st.column_config.TextColumn(width="large") for header in tables.long_text_headers(spec, page.lang)}
    st.dataframe(tables.styled(frame, spec, page.lang, verdicts), hide_index=True, height=height, key=key,
                 column_config=wide or None, placeholder=fmt.EMPTY)


def download(page: PageContext, name: str, sheets: list[excel.Sheet], extra: list[tuple[str, str]],
             months: bool = True) -> None:
    """An Excel download whose first sheet lists the filters the page was showing; built only when clicked."""
    filters = [(page.t("language"), page.t("language.name"))] + describe_scope(page, months) + extra
    st.download_button(page.t("download"), lambda: excel.workbook(sheets, filters, page.lang),
                       file_name=f"{name}_{dt.datetime.now():%Y%m%d_%H%M}.xlsx", icon=":material/download:",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       on_click="ignore")


def scope_caption(page: PageContext, months: bool = True) -> None:
    """The filters in one line; pages about a calendar year leave the months out (they do not apply)."""
    st.caption(" · ".join(f"{label}: {value}" for label, value in describe_scope(page, months)))
