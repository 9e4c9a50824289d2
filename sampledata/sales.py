"""Monthly units sold and settlement amounts of the demo."""

from __future__ import annotations

import numpy as np
import pandas as pd


def draw_sales(rng: np.random.Generator, dealers: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """Units sold and settlement amount for every dealer-month under contract."""
    active = frame[frame["active"]]
    d = dealers.iloc[active["dealer"].to_numpy()]
    expected = (
        d["size"].to_numpy()
        * active["season"].to_numpy()
        * active["share"].to_numpy()
        * d["units_per_repair"].to_numpy()
    )
    units = np.maximum(1, np.round(expected * np.exp(0.15 * rng.standard_normal(len(active))))).astype(int)
    amount = np.round(units * d["unit_price"].to_numpy() * rng.uniform(0.95, 1.05, len(active)), 2)
    return pd.DataFrame(
        {
            "dealer": active["dealer"].to_numpy(),
            "month": active["month"].to_numpy(),
            "units_sold": units,
            "sales_amount": amount,
        }
    )
