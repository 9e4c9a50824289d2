"""Time the operations pages' data work (issue 5) on the demo data, without Streamlit's cache.

    python bench/operations_data_times.py [--db FILE] [--runs N]

Each figure is what a page asks app/data.py for on a first view (the catalog every page's
filters need included): Data (load history, reason kinds, report status as of today, the
rejects list), Callbacks (the analysis of the default 12 months, the months with repairs,
the call list of the newest month at the rules' share), Explore (the table/view catalog, the
example query, the default pivot).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import data  # noqa: E402
from app.state import DEFAULT_SPAN_MONTHS  # noqa: E402
from etl.metrics.drilldown import Scope  # noqa: E402
from etl.rules import load_rules  # noqa: E402

EXAMPLE = """SELECT d.region, m.month, sum(m.services) AS services, sum(m.complaints) AS complaints
FROM dealer_month_metrics m JOIN dealers d USING (dealer_id) GROUP BY ALL ORDER BY d.region, m.month"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=str(Path(__file__).resolve().parent / "out" / "demo.duckdb"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rules = load_rules()
    source = data.Source.of(Path(args.db), rules)
    today = dt.date.today()

    def scope() -> Scope:
        months = data.load_catalog(source).months
        return Scope(months[max(0, len(months) - DEFAULT_SPAN_MONTHS)], months[-1])

    def data_page():
        data.load_catalog(source)
        data.load_data_status(source, today)
        data.load_rejects(source, None, None)

    def callbacks_page():
        chosen = scope()
        data.load_callback_analysis(source, chosen)
        month = data.load_repair_months(source)[0]
        data.load_call_list(
            source, month, today, float(rules["callbacks.sample_share"]), int(rules["callbacks.no_repeat_days"]), 1
        )

    def explore_page():
        chosen = scope()
        data.load_explore_catalog(source)
        data.load_pivot(source, ("region",), (chosen.first_month, chosen.last_month), chosen)

    def explore_query():
        data.load_query(source, EXAMPLE)

    for name, work in (
        ("Data", data_page),
        ("Callbacks", callbacks_page),
        ("Explore (catalog + pivot)", explore_page),
        ("Explore, the example query", explore_query),
    ):
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            work()
            times.append(time.perf_counter() - started)
        print(f"| {name} | {statistics.median(times):.2f} |")


if __name__ == "__main__":
    main()
