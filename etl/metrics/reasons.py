"""One line per failed award criterion, and per watchlist entry, in words a dealer understands (English or Chinese)."""
from __future__ import annotations

from statistics import NormalDist

from etl.metrics.definitions import NOT_DEMONSTRABLE, RATE_BY_NAME


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


def level_text(probability: float) -> str:
    """A coverage level as people write it: 95 %, 99.8 %."""
    return _limit(round(float(probability), 6))


def interval_level(z: float) -> str:
    """The two-sided coverage of an interval at normal quantile z: 95 % for 1.96."""
    return level_text(round(2 * NormalDist().cdf(float(z)) - 1, 4))


def _complaints_not_shown(row: dict, zh: bool) -> str:
    limit = float(row["complaints_threshold"])
    rate = _per_mille(row["complaints_per_1000_sales"], limit)
    high = _per_mille(row["complaints_per_1000_sales_high"], limit)
    level = interval_level(row["interval_z"])
    return (f"千台投诉率 {rate}（{row['complaints']} 次投诉 / {row['units_sold']:,} 台）低于 {_num(limit)}，"
            f"但样本量不足以证明：{level} 置信区间上限 {high} 未低于 {_num(limit)}" if zh else
            f"complaints {rate} per 1,000 units sold ({row['complaints']} complaints on {row['units_sold']:,} units) "
            f"is below {_num(limit)} but not demonstrable at this sample size: the {level} interval reaches {high}")


def _satisfaction_not_shown(row: dict, zh: bool) -> str:
    limit = float(row["satisfaction_threshold"])
    rate = _pct(row["satisfaction_rate"], limit)
    low, high = _pct(row["satisfaction_low"], limit), _pct(row["satisfaction_high"])
    level = interval_level(row["interval_z"])
    return (f"满意率 {rate}（{row['satisfied']} / {row['callbacks_answered']} 个有效回访）达到 {_limit(limit)}，"
            f"但样本量不足以证明：{level} 置信区间 {low}–{high} 跨过 {_limit(limit)}" if zh else
            f"satisfaction {rate} ({row['satisfied']} of {row['callbacks_answered']} answered callbacks) reaches "
            f"{_limit(limit)} but is not demonstrable at this sample size: the {level} interval is {low}–{high}")


def award_cautions(row: dict, lang: str = "en") -> list[str]:
    """Criteria that pass on the point value while their interval still straddles the threshold
    (award.require_interval off): the dealer qualifies, and the page says on how little evidence."""
    zh = lang == "zh"
    cautions = []
    if row["pass_complaints"] and row["status_complaints"] == NOT_DEMONSTRABLE:
        cautions.append(_complaints_not_shown(row, zh))
    if row["pass_satisfaction"] and row["status_satisfaction"] == NOT_DEMONSTRABLE:
        cautions.append(_satisfaction_not_shown(row, zh))
    return cautions


def award_reasons(row: dict, lang: str = "en") -> list[str]:
    """The failed criteria of one award_result row, each as one line."""
    zh = lang == "zh"
    year, reasons = row["year"], []
    if not row["pass_complaints"]:
        limit = float(row["complaints_threshold"])
        if not row["units_sold"]:
            reasons.append(f"投诉：{year} 年无销量，无法计算千台投诉率" if zh else
                           f"complaints: no units sold in {year}, so complaints per 1,000 units sold cannot be measured")
        elif row["status_complaints"] == NOT_DEMONSTRABLE:
            reasons.append(_complaints_not_shown(row, zh))
        else:
            rate = _per_mille(row["complaints_per_1000_sales"], limit)
            reasons.append(
                f"千台投诉率 {rate}（{row['complaints']} 次投诉 / {row['units_sold']:,} 台）未低于 {_num(limit)}" if zh else
                f"complaints {rate} per 1,000 units sold ({row['complaints']} complaints on "
                f"{row['units_sold']:,} units) is not below {_num(limit)}")
    if not row["pass_satisfaction"]:
        limit = float(row["satisfaction_threshold"])
        if not row["callbacks_answered"]:
            reasons.append(f"满意度：{year} 年无有效回访答复" if zh else
                           f"satisfaction: no answered HQ callbacks in {year}")
        elif row["status_satisfaction"] == NOT_DEMONSTRABLE:
            reasons.append(_satisfaction_not_shown(row, zh))
        else:
            rate = _pct(row["satisfaction_rate"], limit)
            reasons.append(
                f"满意率 {rate}（{row['satisfied']} / {row['callbacks_answered']} 个有效回访）低于 {_limit(limit)}" if zh else
                f"satisfaction {rate} ({row['satisfied']} of {row['callbacks_answered']} answered callbacks) "
                f"is below {_limit(limit)}")
    if not row["pass_evidence"]:
        need = int(row["evidence_threshold"])
        reasons.append(
            f"样本不足：{year} 年仅 {row['callbacks_answered']} 个有效回访，至少需要 {need} 个" if zh else
            f"only {row['callbacks_answered']} answered HQ callbacks in {year}, at least {need} needed to judge")
    if not row["pass_reports"]:
        limit = float(row["report_threshold"])
        if not row["months_due"]:
            reasons.append(f"报表：截至 {row['as_of']} 没有应报月份" if zh else
                           f"reports: no months due as of {row['as_of']}")
        else:
            rate = _pct(row["report_rate"], limit)
            reasons.append(
                f"按时报表 {row['reports_on_time']} / {row['months_due']} 个应报月（{rate}）低于 {_limit(limit)}" if zh else
                f"reports on time {row['reports_on_time']} of {row['months_due']} months due ({rate}) "
                f"is below {_limit(limit)}")
    if not row["pass_network"]:
        parts = []
        need = int(row["technicians_threshold"])
        technicians = row["technicians"]
        if technicians is None or technicians != technicians or technicians < need:
            shown = "未填" if zh and technicians in (None,) else technicians
            parts.append(f"维修人员 {shown} 人（至少 {need} 人）" if zh else
                         f"{'no technician count' if technicians is None else f'{technicians} technicians'}"
                         f" (at least {need} needed)")
        if row.get("require_service_center", True) and row["has_service_center"] is not True:
            parts.append("无服务网点" if zh else "no service center")
        reasons.append(("服务网络不完整：" if zh else "service network incomplete: ") + ("，" if zh else ", ").join(parts))
    if not row["pass_notices"]:
        n = row["notices"]
        reasons.append(f"{year} 年有 {n} 次媒体曝光或监管通报" if zh else
                       f"{n} media or regulator notice{'s' if n != 1 else ''} in {year}")
    return reasons


# --- watchlist --------------------------------------------------------------------------------

def _rate_text(name: str, value: float, lang: str) -> str:
    """A rate on its own scale: 4.2 % or 1.25 per 1,000 units sold (‰)."""
    if RATE_BY_NAME[name].scale == 1000:
        return f"{value:.2f} ‰" if lang == "zh" else f"{value:.2f} per 1,000"
    return _pct(value)


def _label(name: str, lang: str) -> str:
    rate = RATE_BY_NAME[name]
    return rate.label_zh if lang == "zh" else rate.label_en.lower()


def watchlist_detail(line: dict, lang: str = "en") -> str:
    """One watchlist line in words: what was seen, against which limit."""
    zh, reason = lang == "zh", line["reason"]
    if reason == "report_missing":
        month, due = line["month"], line["due_on"]
        if line.get("submitted_on"):
            return (f"{month} 月报表于 {line['submitted_on']} 迟交（截止 {due}）" if zh else
                    f"the {month} report came late, on {line['submitted_on']} (due {due})")
        return (f"{month} 月报表截止 {due} 未提交" if zh else f"the {month} report was not submitted by {due}")
    if reason == "fake_record":
        n, records = line["count"], line["records"]
        return (f"{n} 次总部回访发现服务不属实，维修单号：{records}" if zh else
                f"{n} HQ callback{'s' if n != 1 else ''} found the service never happened: records {records}")
    name = line["metric"]
    rate, label = _rate_text(name, line["value"], lang), _label(name, lang)
    counts = f"{line['numerator']} / {line['denominator']}"
    if reason == "funnel":
        side = ("高于" if line["side"] == "high" else "低于") if zh else ("above" if line["side"] == "high" else "below")
        limit, target = _rate_text(name, line["limit"], lang), _rate_text(name, line["target"], lang)
        return (f"{label} {rate}（{counts}）{side}漏斗图 {line['level']} 控制限 {limit}（全国 {target}）" if zh else
                f"{label} {rate} ({counts}) is {side} the funnel's {line['level']} limit {limit} (national {target})")
    if reason == "control_chart":
        centre = _rate_text(name, line["centre"], lang)
        chart = ("Laney p′ 图" if zh else "Laney p′ chart") if line["chart"] == "laney" else ("p 图" if zh else "p chart")
        if line["signal"] == "beyond":
            side = ("高于上控制限" if line["side"] == "above" else "低于下控制限") if zh else (
                "above its upper" if line["side"] == "above" else "below its lower")
            limit = _rate_text(name, line["limit"], lang)
            return (f"{label} {rate}（{counts}）{side} {limit}（{chart}，中心线 {centre}）" if zh else
                    f"{label} {rate} ({counts}) is {side} control limit {limit} ({chart}, centre {centre})")
        side = ("高于" if line["side"] == "above" else "低于") if zh else line["side"]
        return (f"{label} {rate}（{counts}）：连续 {line['run_length']} 个月度点{side}中心线 {centre}（{chart}）" if zh else
                f"{label} {rate} ({counts}): {line['run_length']} monthly points in a row {side} the centre line "
                f"{centre} ({chart})")
    if reason == "control_breach":
        low, high = (_rate_text(name, line[k], lang) for k in ("low", "high"))
        limit = _limit(line["threshold"]) if RATE_BY_NAME[name].scale == 1 else _rate_text(name, line["threshold"], lang)
        return (f"{label} {rate}（{counts}）超过 {limit} 控制线，{line['level']} 置信区间 {low}–{high} 整体高于控制线" if zh else
                f"{label} {rate} ({counts}) breaches the {limit} control: its {line['level']} interval {low}–{high} "
                f"lies wholly above it")
    raise ValueError(f"unknown watchlist reason {reason}")
