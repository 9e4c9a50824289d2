"""HQ callbacks of the demo: which records are called, when, and what the customers answer."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sampledata.draws import pick
from sampledata.reference import COMMENTS, CONDUCT_ISSUES, DAY, UNREACHED_COMMENTS
from sampledata.span import Span
from sampledata.spelling import cat, month_codes
from sampledata.submissions import is_delivered


def draw_callbacks(
    rng: np.random.Generator,
    dealers: pd.DataFrame,
    span: Span,
    records: pd.DataFrame,
    reports: pd.DataFrame,
    held_back: np.ndarray,
) -> pd.DataFrame:
    """HQ callbacks on 10-20 % of every delivered dealer-month, days after the report arrived."""
    eligible = is_delivered(records, reports) & ~held_back
    frame_row = records["frame_row"].to_numpy()
    per_month = np.bincount(frame_row[eligible], minlength=frame_row.max() + 1)
    wanted = np.maximum(1, np.round(per_month * rng.uniform(0.10, 0.20, len(per_month))))
    rows = np.nonzero(eligible)[0]
    order = rows[np.lexsort((rng.random(len(rows)), frame_row[rows]))]
    rank = pd.Series(frame_row[order]).groupby(frame_row[order]).cumcount().to_numpy()
    chosen = np.sort(order[rank < wanted[frame_row[order]]])
    submitted = reports["submitted_on"].reindex(frame_row[chosen]).to_numpy().astype("datetime64[m]")
    called = submitted + (rng.integers(1, 9, len(chosen)) * DAY + rng.integers(9 * 60, 20 * 60, len(chosen))).astype(
        "timedelta64[m]"
    )
    keep = called < span.end
    callbacks = pd.DataFrame({"record": chosen[keep], "called_at": called[keep]})
    callbacks = callbacks.iloc[np.lexsort((callbacks["record"], callbacks["called_at"]))].reset_index(drop=True)
    _answers(rng, dealers, records, callbacks)
    month_key = callbacks["called_at"].to_numpy().astype("datetime64[M]")
    seq = callbacks.groupby(month_key).cumcount().to_numpy() + 1
    callbacks["callback_id"] = cat("HF", month_codes(month_key)[1], np.char.zfill(seq.astype(str), 4))
    callbacks["record_no"] = records["record_no"].to_numpy()[callbacks["record"]]
    callbacks["dealer_id"] = records["dealer_id"].to_numpy()[callbacks["record"]]
    return callbacks


def _satisfaction(rng: np.random.Generator, satisfied, top_share, dissatisfied_share) -> np.ndarray:
    """Answers 5..1 from each record's share of 4-5, share of 5 within it, share of 1-2 in the rest."""
    p5 = satisfied * top_share
    p4 = satisfied - p5
    p3 = (1 - satisfied) * (1 - dissatisfied_share)
    p2 = (1 - satisfied) * dissatisfied_share * 0.65
    cumulative = np.cumsum(np.stack([p5, p4, p3, p2], axis=1), axis=1)
    return 5 - (rng.random(len(satisfied))[:, None] > cumulative).sum(axis=1)


def _answers(rng: np.random.Generator, dealers: pd.DataFrame, records: pd.DataFrame, callbacks: pd.DataFrame) -> None:
    """Reached, confirmed, resolved, on time, satisfaction, complaint, conduct and comment."""
    record = callbacks["record"].to_numpy()
    d = dealers.iloc[records["dealer"].to_numpy()[record]]
    crisis = records["crisis"].to_numpy()[record]
    status = records["status"].to_numpy()[record]
    n = len(record)
    reached = rng.random(n) < 0.8
    fake = reached & (rng.random(n) < d["fake"].to_numpy())
    answered = reached & ~fake
    unresolved_chance = np.where(status == "open", 0.6, d["unresolved"].to_numpy() * np.where(crisis, 4, 1))
    unresolved = answered & (rng.random(n) < unresolved_chance)
    crisis_hit = np.where(crisis, 0.1, 0.0)
    satisfied = np.clip(d["satisfied"].to_numpy() - crisis_hit, 0, 1)
    dissatisfied = np.clip(d["dissatisfied_share"].to_numpy() + crisis_hit, 0, 1)
    score = _satisfaction(rng, satisfied, d["top_share"].to_numpy(), dissatisfied)
    score = np.where(unresolved, rng.choice([1, 2, 3], n, p=[0.3, 0.4, 0.3]), score)
    conduct = answered & (rng.random(n) < d["conduct"].to_numpy())
    issue = np.where(conduct, pick(rng, CONDUCT_ISSUES, n), "")
    score = np.where(conduct, np.minimum(score, np.where(issue == "乱收费", 2, 3)), score)
    score = np.where(answered & (rng.random(n) < 0.02), 0, np.where(answered, score, 0))
    complaint_chance = (
        d["callback_complaint"].to_numpy() * np.where(crisis, 5, 1)
        + np.where(np.isin(score, (1, 2)), 0.3, 0)
        + np.where(unresolved, 0.15, 0)
    )
    arrived_in_time = _on_time_truth(records, record)
    callbacks["reached"] = reached.astype(int)
    callbacks["service_confirmed"] = np.where(reached, np.where(fake, 0, 1), -1)
    callbacks["resolved"] = np.where(answered, np.where(unresolved, 0, 1), -1)
    noted_on_time = np.where(rng.random(n) < 0.03, ~arrived_in_time, arrived_in_time)  # memories differ
    callbacks["on_time"] = np.where(answered, noted_on_time, -1)
    callbacks["satisfaction"] = score
    complained = (rng.random(n) < complaint_chance).astype(int)
    callbacks["complaint"] = np.where(answered, complained, np.where(fake, 0, -1))
    callbacks["conduct_issue"] = issue
    callbacks["comment"] = _comments(rng, reached, fake, unresolved, score)


def _on_time_truth(records: pd.DataFrame, record: np.ndarray) -> np.ndarray:
    """Whether the visit was within 24 h (town) or 48 h (county) of the request."""
    requested = records["requested_at"].to_numpy()[record]
    arrived = records["arrived_at"].to_numpy()[record]
    limit = np.where(records["urban"].to_numpy()[record], 24, 48).astype("timedelta64[h]")
    return ~np.isnat(arrived) & (arrived - requested <= limit)


def _comments(rng, reached, fake, unresolved, score) -> np.ndarray:
    """Free-text remarks matching the answers."""
    n = len(score)
    comment = np.empty(n, dtype=object)
    for value, options in COMMENTS.items():
        mine = score == value
        comment[mine] = pick(rng, options, int(mine.sum()))
    comment[unresolved] = "问题未解决"
    comment[fake] = pick(
        rng, ("用户称未报修，无此次服务", "用户表示师傅没有上门", "用户不认可此维修单"), int(fake.sum())
    )
    comment[~reached] = pick(rng, UNREACHED_COMMENTS, int((~reached).sum()))
    return comment.astype(str)
