"""Words and small tables around issue 6's statistics figures: chart labels, phi, outliers, signals, the watchlist.

Plain functions (no Streamlit), tested as such: a quality.Funnel, control-chart rows or watchlist lines
in, strings or a DataFrame out, in the page's language. Nothing is computed here but wording.
"""

from __future__ import annotations

import pandas as pd

from app import format as fmt
from app.i18n import N_, t
from etl.metrics.definitions import RATE_BY_NAME
from etl.metrics.quality import Funnel


def funnel_labels(funnel: Funnel, lang: str) -> dict:
    """The labels of charts_stats.funnel_figure in `lang`, the limits named by their coverage."""
    inner, outer = (fmt.level(level) for level in funnel.levels)
    return {
        "target": t("funnel.target", lang),
        "inner": t("funnel.inner", lang, level=inner),
        "outer": t("funnel.inner", lang, level=outer),
        "x": t("funnel.x", lang),
        "y": t(f"rate.{funnel.metric}", lang),
        "within": t("funnel.within", lang),
        "high": t("funnel.high", lang),
        "low": t("funnel.low", lang),
    }


def phi_text(funnel: Funnel, lang: str) -> str:
    """φ and what it did: 'φ = 2.17: overdispersed, limits widened'."""
    if funnel.phi is None:
        return t("funnel.no_phi", lang)
    verdict = (
        N_("funnel.widened")
        if funnel.widened
        else N_("funnel.not_widened")
        if funnel.overdispersed
        else N_("funnel.not_overdispersed")
    )
    return t("funnel.phi", lang, phi=f"{funnel.phi:.2f}", verdict=t(verdict, lang))


def bad_side(funnel: Funnel) -> str:
    """The position ('high' / 'low') beyond the limits on the rate's bad side."""
    return "high" if RATE_BY_NAME[funnel.metric].good_when == "below" else "low"


def outlier_lines(funnel: Funnel, lang: str, side: str | None = None) -> list[str]:
    """One line per dealer beyond the outer limits (on `side`, 'high' or 'low', if given), worst first."""
    scale = RATE_BY_NAME[funnel.metric].scale
    lines = []
    outliers = funnel.outliers if side is None else funnel.outliers[funnel.outliers["position"] == side]
    for row in outliers.sort_values(["rate", "dealer_id"], ascending=[side == "low", True]).itertuples():
        name = row.dealer_name if isinstance(row.dealer_name, str) else ""
        limit = row.upper_998 if row.position == "high" else row.lower_998
        lines.append(
            t(
                "funnel.outlier_line",
                lang,
                dealer=f"{row.dealer_id} {name}".strip(),
                rate=fmt.rate(row.rate, scale),
                numerator=fmt.count(row.numerator),
                denominator=fmt.count(row.denominator),
                side=t(f"funnel.{row.position}", lang),
                limit=fmt.rate(limit, scale),
            )
        )
    return lines


CHART_LABELS = ("rate", "centre", "limits", "signal", "baseline", "x")  # control.label.<label>


def chart_labels(lang: str, metric: str) -> dict:
    """The labels of charts_stats.control_chart_figure in `lang`, the y axis named by the rate."""
    words = {key: t(f"control.label.{key}", lang) for key in CHART_LABELS}
    return {**words, "y": t(f"rate.{metric}", lang)}


def chart_summary(chart: pd.DataFrame, lang: str) -> str | None:
    """'Laney p′ chart · centre line 1.2 % (12 baseline months)'; None without a baseline (no centre line)."""
    period = chart[chart["phase"] == "period"]
    if chart.empty or period.empty or period["centre"].isna().all():
        return None
    metric = chart["metric"].iloc[0]
    return t(
        "control.used",
        lang,
        chart=t(f"control.chart.{period['chart'].iloc[-1]}", lang),
        centre=fmt.rate(period["centre"].iloc[-1], RATE_BY_NAME[metric].scale),
        baseline_n=int((chart["phase"] == "baseline").sum()),
    )


def signal_lines(chart: pd.DataFrame, lang: str, run_length: int) -> list[str]:
    """One line per flagged month of the chosen period: beyond a limit, or in a run on one side."""
    lines = []
    for row in chart[(chart["phase"] == "period") & chart["signal"]].itertuples():
        scale = RATE_BY_NAME[row.metric].scale
        beyond = row.beyond if isinstance(row.beyond, str) else None
        what = t(f"control.beyond.{beyond}", lang) if beyond else t(f"control.run.{row.run}", lang, run=run_length)
        lines.append(
            t(
                "control.signal_line",
                lang,
                month=fmt.month(row.month),
                rate=fmt.rate(row.rate, scale),
                numerator=fmt.count(row.numerator),
                denominator=fmt.count(row.denominator),
                what=what,
            )
        )
    return lines


WATCHLIST_TABLE = ["link", "dealer_name", "reason", "detail"]


def watchlist_table(lines: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The watchlist as the Overview lists it: the drill-down link (in the page's language), dealer, reason, detail."""
    table = pd.DataFrame(
        {
            "link": [f"{link}&lang={lang}" for link in lines["link"]],
            "dealer_name": lines["dealer_name"].fillna(fmt.EMPTY),
            "reason": [t(f"watchlist.reason.{reason}", lang) for reason in lines["reason"]],
            "detail": lines["detail"],
        }
    )
    return table.rename(columns={column: t(f"col.{column}", lang) for column in WATCHLIST_TABLE})
