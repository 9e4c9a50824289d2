"""One line per failed award criterion, in words a dealer understands (English or Chinese)."""
from __future__ import annotations


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


def award_reasons(row: dict, lang: str = "en") -> list[str]:
    """The failed criteria of one award_result row, each as one line."""
    zh = lang == "zh"
    year, reasons = row["year"], []
    if not row["pass_complaints"]:
        limit = float(row["complaints_threshold"])
        if not row["units_sold"]:
            reasons.append(f"投诉：{year} 年无销量，无法计算千台投诉率" if zh else
                           f"complaints: no units sold in {year}, so complaints per 1,000 units sold cannot be measured")
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
