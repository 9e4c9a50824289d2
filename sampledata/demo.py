"""Deterministic demo data set: realistic, messy input files in the formats of spec section 2.

`generate(out_dir, seed, end_month)` writes 61 files, flat, into `out_dir` and returns their
paths. The same seed and end month give byte-identical files (Excel files included: fixed
document timestamps and zip entry times). The data covers the 24 months ending with
`end_month` (default: the month before the current one). The "award year" is the last complete
calendar year of that span; names and counts below are for the defaults (seed 20260101, span
2024-11..2026-10, award year 2025). Dealer roles are fixed by id; the seed only draws the values.

Contents (default): 128 dealers, about 148,700 repair records (+11 bad rows, +1 bad file),
21,400 HQ callbacks (14 % of the records, 80 % reached), 19,600 hotline tickets (13,100 repair
requests of which 96 % answered, 1,060 complaints, 5,400 inquiries), 5 notices and 3,009
dealer-month sales rows.

Dealers (`dealers.xlsx`: title block, Chinese headers, real Excel dates, phones as numbers, two
extra contact columns): JX101..JX228, an urban (市区) and a county (郊县) dealer in each of 64
cities of seven regions; JX101 is 杭州西湖家电服务部 as in the spec's example.

- Excellent, eligible for the award: JX101 JX103 JX108 JX112 JX117 JX121 JX126 JX130 JX135
  JX139 JX144 JX148 JX153 JX157 JX162 JX166 JX171 JX175 JX180 JX184 JX189 JX193 JX198 JX203
  JX210 JX219 (26 of the 127 dealers under contract in 2025).
- Otherwise excellent, each failing exactly one criterion:
  complaints (few units sold, several verified hotline complaints): JX106 JX142 JX187;
  satisfaction (88-97 % satisfied): JX114 JX159 JX201;
  evidence (tiny dealers, about 10 answered callbacks a year): JX124 JX208;
  reports, late (3-5 months of 2025 submitted after the 15th): JX119 JX168 JX214;
  reports, missing: JX133 (May-July 2025, three in a row: the missing-report deduction) and
  JX177 (February and September 2025);
  network: JX128 (0 technicians), JX151 (no service center), JX196 (neither);
  notices in 2025: JX137 (television), JX173 (market regulator), JX205 (consumer council).
- Poor service: JX111 JX146 JX155 JX182 JX191 JX216 JX222 JX227. Low satisfaction, many
  complaints for their sales, about 70 % on-time arrivals, dealer callbacks below 25 %, a fifth
  of their hotline requests unanswered, some late reports, and three "crisis" months each that
  breach the 10 % controls (complaint rate, miss rate, dissatisfaction rate). JX146, JX191 and
  JX222 have fake records (reached callbacks with service_confirmed = N; fake-record penalty);
  JX216 has no reports for November and December 2025; JX227 has no service center; JX191
  (2024-12) and JX155 (2026-05) have notices outside the award year.
- Contract changes: JX223 joins 2025-03-18, JX226 2025-09-01, JX228 2026-06-10; JX115 leaves
  2025-06-30, JX160 2025-10-31, JX199 2026-08-31.
- Everybody else is ordinary (86-95 % satisfied, so they fail the satisfaction criterion; small
  ones also lack evidence); a few are late now and then, and small ones breach a control in a
  month when one unhappy customer is a large share.

Files:
- `repairs_YYYY-MM.csv`, one per month, many dealers each; the layout changes month by month:
  English or Chinese headers and choice values, UTF-8 with or without BOM, shuffled columns,
  purchase_date left out, several spellings of dates, months, booleans and money, a few
  full-width digits and padded dealer ids. Serial numbers repeat within 30 days for repeat
  repairs (now and then at the town dealer of the same city), and records answering a hotline
  repair request carry its ticket id in hq_ticket_id.
- Dealer-months delivered alone, like the spec's example (and absent from the monthly file):
  GBK CSVs with a title line, no report_month column and a 合计 row, `维修_JX118_202502.csv`,
  `维修_JX140_202507.csv`, `维修_JX163_202603.csv`; an Excel report with a title block and totals
  row, `维修_JX176_202509.xlsx`.
- Resubmission: JX105's June 2025 report, first in `repairs_2025-06.csv` (on time, two records
  missing, two labor fees with an extra zero, one record wrongly open), again in
  `repairs_JX105_2025-06_v2.csv`, corrected and submitted 18 days later.
- `callbacks_YYYY-MM.xlsx` by month of called_at, with a title block like the example: 10-20 %
  of every delivered dealer-month, called a few days after the report came in (so October
  2026's records have none yet). Headers, booleans (是/否, Y/N, Excel booleans, 1/0) and
  satisfaction (labels or digits 1-5) vary by month; called_at is text in one month and Excel
  serial numbers in another (callbacks_2025-09.xlsx).
- `hotline_2024.csv`, `hotline_2025.csv`, `hotline_2026.csv` (three layouts): repair requests,
  complaints (verified Y, N or blank; some about a record that also has a callback complaint, so
  the two must merge) and inquiries. Records of missing or rejected dealer-months never reach
  the database, so their tickets count as unanswered.
- `sales_2024.xlsx` (numbers as numbers), `sales_2025.csv` (months 202501, some full-width
  digits), `sales_2026.csv` (GBK, Chinese headers, months 2026年1月); `notices.csv` (BOM).

The data set stands as of the first day after its last month: no report is submitted later (the
loader rejects a submission date after the load date), so the last month's reports, due by the
15th, are all dated that day.

Deliberate problems: 11 bad rows, each a different reason, none with a callback or ticket:
unknown dealer JX999 (repairs_2025-02.csv), arrived_at before requested_at (repairs_2025-04.csv),
duplicate record_no (repairs_2025-07.csv), status 换机 (repairs_2025-09.csv), negative
parts_fee (repairs_2025-10.csv), requested_at 上周五下午 (repairs_2026-01.csv), completed_at
before arrived_at (repairs_2026-03.csv), satisfaction 很好 (callbacks_2025-05.xlsx), a callback
on a record that does not exist (callbacks_2026-02.xlsx), ticket type 表扬 (hotline_2026.csv)
and a repeated dealer-month (sales_2025.csv). One file is rejected whole:
`维修_JX182_202508.csv` has no 服务类型 (service_type) column, so JX182's August 2025 report
counts as missing.
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sampledata.callback_files import write_callbacks
from sampledata.callbacks import draw_callbacks
from sampledata.dealer_reports import write_single_reports
from sampledata.dealers import draw_dealers
from sampledata.hotline import draw_hotline, ticketed_records
from sampledata.notices import draw_notices
from sampledata.repair_files import resubmission_changes, write_consolidated
from sampledata.repairs import crisis_months, draw_repairs, month_frame, record_counts, scale_sizes
from sampledata.sales import draw_sales
from sampledata.span import Span, default_end_month, demo_span
from sampledata.submissions import draw_reports
from sampledata.writers import write_dealers, write_hotline, write_notices, write_sales


@dataclass(frozen=True)
class DemoData:
    """Everything generated, typed, before it is spelled out into files."""

    dealers: pd.DataFrame
    records: pd.DataFrame
    reports: pd.DataFrame
    changes: dict
    callbacks: pd.DataFrame
    tickets: pd.DataFrame
    sales: pd.DataFrame


def _build(rng: np.random.Generator, span: Span) -> DemoData:
    """Draw the dealers, their records, reports, callbacks, hotline tickets and sales."""
    dealers = draw_dealers(rng, span)
    frame = month_frame(dealers, span)
    scale_sizes(dealers, frame)
    counts = record_counts(rng, dealers, frame)
    crisis = crisis_months(rng, dealers, len(span.months))
    records = draw_repairs(rng, dealers, span, frame, counts, crisis)
    reports = draw_reports(rng, dealers, span, frame, counts)
    ticketed = ticketed_records(rng, records)
    layout = reports["layout"].reindex(records["frame_row"].to_numpy()).to_numpy()
    changes = resubmission_changes(rng, records, records.index[layout == "resubmitted"].to_numpy())
    held_back = records.index.isin(changes["left_out"])
    callbacks = draw_callbacks(rng, dealers, span, records, reports, held_back)
    tickets = draw_hotline(rng, dealers, span, records, reports, callbacks, ticketed, frame)
    return DemoData(dealers, records, reports, changes, callbacks, tickets, draw_sales(rng, dealers, frame))


def generate_demo(out_dir: pathlib.Path, seed: int = 20260101, end_month: str | None = None) -> list[pathlib.Path]:
    """Write the demo data set into out_dir (flat) and return the written paths.

    The same seed and end_month ('YYYY-MM', default the month before the current one) give
    byte-identical files.
    """
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    span = demo_span(end_month or default_end_month())
    rng = np.random.default_rng(seed)
    data = _build(rng, span)
    paths = [write_dealers(out_dir, span, data.dealers)]
    paths += write_sales(out_dir, span, data.dealers, data.sales, rng)
    paths += write_consolidated(out_dir, span, data.records, data.reports, data.changes, rng)
    paths += write_single_reports(out_dir, span, data.dealers, data.records, data.reports)
    paths += write_callbacks(out_dir, span, data.callbacks, data.tickets)
    paths += write_hotline(out_dir, span, data.dealers, data.tickets)
    paths.append(write_notices(out_dir, draw_notices(data.dealers, span)))
    return paths
