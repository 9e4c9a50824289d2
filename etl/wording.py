"""Sentences from the metric layer's codes and numbers: award reasons and cautions, watchlist details,
rejected rows' reasons, in Chinese or English, every word from the catalogs (i18n).

The named queries (etl/metrics) return rows of codes and numbers; the dashboard (app/) and the
command line's reports (etl/reports.py) word them here, each in its own language (the reports and
the stored reasons in English).
"""

from __future__ import annotations

import pandas as pd

from etl.metrics.definitions import NOT_DEMONSTRABLE, RATE_BY_NAME
from etl.metrics.levels import interval_level
from etl.reject_reasons import render, render_all
from i18n import N_, ngettext, say, t

REASON_SEPARATOR = "; "  # between the reasons (and cautions) of one dealer, as spec 5's award report has it


def _pct(value: float, threshold: float | None = None) -> str:
    """96.4 %; more decimals when rounding would make the value look equal to the threshold."""
    for decimals in (1, 2, 3, 4):
        text = f"{value * 100:.{decimals}f}"
        if threshold is None or value == threshold or text != f"{threshold * 100:.{decimals}f}":
            break
    return f"{text} %"


def _limit(rate: float) -> str:
    """A threshold as people write it: 98 %, 90 %, 97.5 %."""
    return f"{rate * 100:.4f}".rstrip("0").rstrip(".") + " %"


def _num(value: float) -> str:
    return f"{value:g}" if float(value).is_integer() else f"{value:.2f}"


def _per_mille(value: float, threshold: float) -> str:
    for decimals in (2, 3, 4):
        text = f"{value:.{decimals}f}"
        if value == threshold or text != f"{threshold:.{decimals}f}":
            break
    return text


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts, empty cells None (as the reasons read them)."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


# --- award ------------------------------------------------------------------------------------


def _complaints_not_shown(row: dict, lang: str) -> str:
    limit = float(row["complaints_threshold"])
    return t(
        "award.reason.complaints_not_shown",
        lang,
        rate=_per_mille(row["complaints_per_1000_sales"], limit),
        complaints=row["complaints"],
        units=f"{row['units_sold']:,}",
        limit=_num(limit),
        level=interval_level(row["interval_z"]),
        high=_per_mille(row["complaints_per_1000_sales_high"], limit),
    )


def _satisfaction_not_shown(row: dict, lang: str) -> str:
    limit = float(row["satisfaction_threshold"])
    return t(
        "award.reason.satisfaction_not_shown",
        lang,
        rate=_pct(row["satisfaction_rate"], limit),
        satisfied=row["satisfied"],
        answered=row["callbacks_answered"],
        limit=_limit(limit),
        level=interval_level(row["interval_z"]),
        low=_pct(row["satisfaction_low"], limit),
        high=_pct(row["satisfaction_high"]),
    )


def award_cautions(row: dict, lang: str) -> list[str]:
    """Criteria that pass on the point value while their interval still straddles the threshold
    (award.require_interval off): the dealer qualifies, and the page says on how little evidence."""
    cautions = []
    if row["pass_complaints"] and row["status_complaints"] == NOT_DEMONSTRABLE:
        cautions.append(_complaints_not_shown(row, lang))
    if row["pass_satisfaction"] and row["status_satisfaction"] == NOT_DEMONSTRABLE:
        cautions.append(_satisfaction_not_shown(row, lang))
    return cautions


def award_reasons(row: dict, lang: str) -> list[str]:
    """The failed criteria of one award row (queries.award), each as one line."""
    year, reasons = row["year"], []
    if not row["pass_complaints"]:
        limit = float(row["complaints_threshold"])
        if not row["units_sold"]:
            reasons.append(t("award.reason.complaints_no_sales", lang, year=year))
        elif row["status_complaints"] == NOT_DEMONSTRABLE:
            reasons.append(_complaints_not_shown(row, lang))
        else:
            reasons.append(
                t(
                    "award.reason.complaints_not_below",
                    lang,
                    rate=_per_mille(row["complaints_per_1000_sales"], limit),
                    complaints=row["complaints"],
                    units=f"{row['units_sold']:,}",
                    limit=_num(limit),
                )
            )
    if not row["pass_satisfaction"]:
        limit = float(row["satisfaction_threshold"])
        if not row["callbacks_answered"]:
            reasons.append(t("award.reason.satisfaction_no_answers", lang, year=year))
        elif row["status_satisfaction"] == NOT_DEMONSTRABLE:
            reasons.append(_satisfaction_not_shown(row, lang))
        else:
            reasons.append(
                t(
                    "award.reason.satisfaction_below",
                    lang,
                    rate=_pct(row["satisfaction_rate"], limit),
                    satisfied=row["satisfied"],
                    answered=row["callbacks_answered"],
                    limit=_limit(limit),
                )
            )
    if not row["pass_evidence"]:
        reasons.append(
            t(
                "award.reason.evidence",
                lang,
                year=year,
                answered=row["callbacks_answered"],
                need=int(row["evidence_threshold"]),
            )
        )
    if not row["pass_reports"]:
        limit = float(row["report_threshold"])
        if not row["months_due"]:
            reasons.append(t("award.reason.reports_none_due", lang, as_of=row["as_of"]))
        else:
            reasons.append(
                t(
                    "award.reason.reports_below",
                    lang,
                    on_time=row["reports_on_time"],
                    due=row["months_due"],
                    rate=_pct(row["report_rate"], limit),
                    limit=_limit(limit),
                )
            )
    if not row["pass_network"]:
        parts = []
        need = int(row["technicians_threshold"])
        technicians = row["technicians"]
        if technicians is None or technicians != technicians or technicians < need:
            parts.append(
                t("award.reason.no_technician_count", lang, need=need)
                if technicians is None
                else t("award.reason.technicians", lang, technicians=technicians, need=need)
            )
        if row.get("require_service_center", True) and row["has_service_center"] is not True:
            parts.append(t("award.reason.no_service_center", lang))
        reasons.append(t("award.reason.network", lang, parts=t("award.reason.network_separator", lang).join(parts)))
    if not row["pass_notices"]:
        reasons.append(ngettext("award.reason.notices", row["notices"], lang, year=year))
    return reasons


def award_in_words(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """queries.award's rows with `reasons` (failed criteria) and `cautions` (passes on little evidence)
    in `lang`, each a "; "-separated line; empty for none (spec 5)."""
    rows = _records(frame)
    frame = frame.copy()
    frame["reasons"] = pd.Series(
        [REASON_SEPARATOR.join(award_reasons(row, lang)) for row in rows], index=frame.index, dtype=object
    )
    frame["cautions"] = pd.Series(
        [REASON_SEPARATOR.join(award_cautions(row, lang)) for row in rows], index=frame.index, dtype=object
    )
    return frame


# --- watchlist --------------------------------------------------------------------------------


def _rate_text(name: str, value: float, lang: str) -> str:
    """A rate on its own scale: 4.2 % or 1.25 per 1,000 units sold (‰)."""
    if RATE_BY_NAME[name].scale == 1000:
        return t("watchlist.per_mille", lang, value=f"{value:.2f}")
    return _pct(value)


def _label(name: str, lang: str) -> str:
    """The rate's name inside a sentence: lower case (which leaves Chinese as it is)."""
    return t(f"rate.{name}", lang).lower()


# A line's sentence by the side it is on: above / below a limit or the centre line.
FUNNEL_DETAIL = {"high": N_("watchlist.detail.funnel_high"), "low": N_("watchlist.detail.funnel_low")}
BEYOND_DETAIL = {"above": N_("watchlist.detail.beyond_above"), "below": N_("watchlist.detail.beyond_below")}
RUN_DETAIL = {"above": N_("watchlist.detail.run_above"), "below": N_("watchlist.detail.run_below")}
CHART_NAMES = {"p": N_("control.chart.p"), "laney": N_("control.chart.laney")}


def watchlist_detail(line: dict, lang: str) -> str:
    """One watchlist line (quality.watchlist) in words: what was seen, against which limit."""
    reason = line["reason"]
    if reason == "report_missing":
        month, due = line["month"], line["due_on"]
        if line.get("submitted_on"):
            return t("watchlist.detail.report_late", lang, month=month, submitted=line["submitted_on"], due=due)
        return t("watchlist.detail.report_missing", lang, month=month, due=due)
    if reason == "fake_record":
        return ngettext("watchlist.detail.fake_record", int(line["count"]), lang, records=line["records"])
    name = line["metric"]
    words = {
        "label": _label(name, lang),
        "rate": _rate_text(name, line["value"], lang),
        "counts": f"{int(line['numerator'])} / {int(line['denominator'])}",
    }
    if reason == "funnel":
        side = "high" if line["side"] == "high" else "low"
        return t(
            FUNNEL_DETAIL[side],
            lang,
            **words,
            level=line["level"],
            limit=_rate_text(name, line["limit"], lang),
            target=_rate_text(name, line["target"], lang),
        )
    if reason == "control_chart":
        centre = _rate_text(name, line["centre"], lang)
        chart = t(CHART_NAMES["laney" if line["chart"] == "laney" else "p"], lang)
        side = "above" if line["side"] == "above" else "below"
        if line["signal"] == "beyond":
            return t(
                BEYOND_DETAIL[side],
                lang,
                **words,
                limit=_rate_text(name, line["limit"], lang),
                chart=chart,
                centre=centre,
            )
        return t(RUN_DETAIL[side], lang, **words, run=int(line["run_length"]), centre=centre, chart=chart)
    if reason == "control_breach":
        low, high = (_rate_text(name, line[k], lang) for k in ("low", "high"))
        threshold = line["threshold"]
        limit = _limit(threshold) if RATE_BY_NAME[name].scale == 1 else _rate_text(name, threshold, lang)
        return t("watchlist.detail.control_breach", lang, **words, limit=limit, level=line["level"], low=low, high=high)
    raise ValueError(f"unknown watchlist reason {reason}")


def watchlist_in_words(lines: pd.DataFrame, lang: str) -> pd.DataFrame:
    """quality.watchlist's lines with each `detail` in `lang`."""
    lines = lines.copy()
    lines["detail"] = pd.Series(
        [watchlist_detail(line, lang) for line in _records(lines)], index=lines.index, dtype=object
    )
    return lines


# --- rejected rows ------------------------------------------------------------------------------


def rejects_in_words(found: pd.DataFrame, lang: str, reason_contains: str | None = None) -> pd.DataFrame:
    """operations.rejects' rows with each reason in `lang` (from its problems; rows loaded before
    reasons were kept as data keep their stored English words), filtered by words of the reason as
    shown: what the table hides cannot be found by typing it in the filter."""
    found = found.copy()
    if lang != "en" and len(found):
        found["reason"] = [
            render_all(problems, kind, lang) if isinstance(problems, str) and problems else reason
            for problems, kind, reason in zip(found["problems"], found["kind"], found["reason"])
        ]
    if reason_contains:
        shown = found["reason"].fillna("").str.contains(reason_contains, case=False, regex=False)
        found = found[shown].reset_index(drop=True)
    return found


def reason_kinds_in_words(kinds: pd.DataFrame, lang: str) -> pd.DataFrame:
    """operations.reject_reason_kinds' problem kinds as sentences in `lang` with the values left out
    (`unknown dealer …`), rows of kinds that read alike summed, most rows first."""
    rows = [
        (
            render(
                {"code": code, "col": col, "value": "…", "detail": detail or "…", "detail_zh": detail_zh}, kind, lang
            )
            if code is not None
            else reason,
            count,
        )
        for kind, code, col, detail, detail_zh, reason, count in _tuples(kinds)
    ]
    frame = pd.DataFrame(rows, columns=["reason_kind", "rows"])
    frame = frame.groupby("reason_kind", as_index=False)["rows"].sum()
    return frame.sort_values(["rows", "reason_kind"], ascending=[False, True], ignore_index=True)


def _tuples(kinds: pd.DataFrame) -> list[tuple]:
    columns = ["kind", "code", "col", "detail", "detail_zh", "reason", "rows"]
    return [tuple(row[c] for c in columns) for row in _records(kinds[columns])] if len(kinds) else []


def load_log_in_words(history: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The load log's message, warnings and notes in `lang`, from the messages the loader kept (its details' "said");
    a line without them (an older load) keeps its English words. The `said` column is dropped."""
    import json

    if "said" not in history.columns:
        return history
    worded = history.drop(columns="said")
    separator = t("said.separator", lang)
    for row, said_json in enumerate(history["said"]):
        said = json.loads(said_json) if isinstance(said_json, str) and said_json else {}
        if said.get("message") is not None:
            english = history["message"].iloc[row]
            worded.iloc[row, worded.columns.get_loc("message")] = say(said["message"], lang, english)
        for name in ("warnings", "notes"):
            if said.get(name):
                worded.iloc[row, worded.columns.get_loc(name)] = separator.join(say(item, lang) for item in said[name])
    return worded


def inspect_words(report: dict, name: str, lang: str) -> list[str]:
    """A `python -m etl inspect` report's warnings or notes (etl/preview.py) in `lang`, from the messages it keeps
    ("said"); a report without them keeps its English words."""
    plain = report.get(name) or []
    said = (report.get("said") or {}).get(name) or []
    if len(said) != len(plain):
        return [str(text) for text in plain]
    return [say(item, lang, str(text)) for item, text in zip(said, plain, strict=True)]


def inspect_message(report: dict, lang: str) -> str:
    """An inspect report's message (why the file would be rejected, or the load it repeats) in `lang`."""
    return say((report.get("said") or {}).get("message"), lang, report.get("message") or "")
