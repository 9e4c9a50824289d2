"""The dashboard's named queries, by the name they were first imported under.

They live by job now (issue 12): etl.metrics.scope (Scope, the one filter builder), privacy (the
masks), thresholds (verdicts against the rules), overview (what there is to choose from, the shared
metric rows, roll-ups, ranking, tiles, control breaches), records (the records behind a number),
timeliness (report months) and award (the award ranked). Import from those; this module only
re-exports their names for code written before the split.
"""

from __future__ import annotations

from etl.metrics.award import AWARD_CRITERIA, award_ranked
from etl.metrics.definitions import CONTROL_RATES
from etl.metrics.overview import (
    DEALER_COLUMNS,
    TILE_RATES,
    control_breaches,
    dealer_months,
    dealer_ranking,
    dealer_roster,
    last_load,
    metric_rows,
    monthly_trend,
    months_available,
    scope_totals,
    tiles,
    use_metric_rows,
    years_available,
)
from etl.metrics.privacy import masked_name, masked_phone
from etl.metrics.records import RECORD_COUNTS, RECORD_LISTS, record_counts, record_list
from etl.metrics.scope import Scope, add_months, month_index
from etl.metrics.thresholds import Threshold, judge, thresholds
from etl.metrics.timeliness import report_timeliness

__all__ = [
    "AWARD_CRITERIA",
    "CONTROL_RATES",
    "DEALER_COLUMNS",
    "RECORD_COUNTS",
    "RECORD_LISTS",
    "TILE_RATES",
    "Scope",
    "Threshold",
    "add_months",
    "award_ranked",
    "control_breaches",
    "dealer_months",
    "dealer_ranking",
    "dealer_roster",
    "judge",
    "last_load",
    "masked_name",
    "masked_phone",
    "metric_rows",
    "month_index",
    "monthly_trend",
    "months_available",
    "record_counts",
    "record_list",
    "report_timeliness",
    "scope_totals",
    "thresholds",
    "tiles",
    "use_metric_rows",
    "years_available",
]
