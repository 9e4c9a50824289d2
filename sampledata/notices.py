"""Media and regulator notices of the demo."""

from __future__ import annotations

import pandas as pd

from sampledata.reference import short_name
from sampledata.roles import NOTICE_EVENTS
from sampledata.span import Span


def draw_notices(dealers: pd.DataFrame, span: Span) -> pd.DataFrame:
    """The media and regulator notices of NOTICE_EVENTS, dated inside the span."""
    rows = []
    for number, (dealer_id, when, source, text) in enumerate(NOTICE_EVENTS, start=1):
        dealer = dealers.loc[dealers["dealer_id"] == dealer_id].iloc[0]
        day = span.date(when)
        rows.append(
            {
                "notice_id": f"TB{str(day)[:4]}{number:03d}",
                "dealer_id": dealer_id,
                "notice_date": day,
                "source": source.format(province=dealer["province"], city=short_name(dealer["city"])),
                "description": f"{dealer['dealer_name']}{text}",
            }
        )
    return pd.DataFrame(rows)
