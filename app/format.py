"""Numbers as people read them: the formatters live in etl/format.py (the dashboard, the reports and the PDF
packs of etl/packs share them; etl never imports app). Kept here under their old name for the pages."""
from etl.format import (
                        EMPTY,
                        check,
                        count,
                        day,
                        interval,
                        is_empty,
                        level,
                        limit,
                        moment,
                        money,
                        month,
                        number,
                        parse_month,
                        per_mille,
                        percent,
                        rate,
                        rate_change,
                        shows_no_change,
                        text,
                        threshold,
)

__all__ = ["EMPTY", "check", "count", "day", "interval", "is_empty", "level", "limit", "money", "moment", "month",
           "number", "parse_month", "per_mille", "percent", "rate", "rate_change", "shows_no_change", "text",
           "threshold"]
