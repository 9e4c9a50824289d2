"""Time each dashboard page's data work on the demo data, without Streamlit's cache (the first view of a filter set).

    python bench/page_data_times.py [--db FILE] [--runs N]

Without --db the demo data set is generated and loaded into bench/out/demo.duckdb first (once).
Each figure is what a page asks app/data.py for on a cold cache, for the default filters of a
first visit: the catalog (every page's filters), the metric rows the roll-ups share, and the
page's own bundle. "Dealers, another dealer" is picking a second dealer in the drill-down, when
the ranking and the metric rows are cached already; "another record list" is picking one of the
drill-down's record lists.
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
from app.charts import worst_first  # noqa: E402
from app.state import DEFAULT_SPAN_MONTHS, default_year  # noqa: E402
from etl.load import collect_paths, load_paths  # noqa: E402
from etl.metrics.drilldown import RECORD_LISTS, Scope  # noqa: E402
from etl.rules import load_rules  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"


def demo_database() -> Path:
    database = OUT / "demo.duckdb"
    if not database.exists():
        from sampledata import generate

        generate(OUT / "demo")
        load_paths(collect_paths([str(OUT / "demo")]), database, load_rules())
    return database


def page_work(source: data.Source, today: dt.date) -> dict:
    """Page name -> a function doing the data work of its first view and returning the seconds it took."""
    catalog = data.load_catalog(source)
    if catalog is None:
        raise SystemExit(f"{source.db} holds no data: load files first (python -m etl load PATH)")
    scope = Scope(catalog.months[max(0, len(catalog.months) - DEFAULT_SPAN_MONTHS)], catalog.months[-1])
    rows = data.load_metric_rows(source, scope)
    ranked = worst_first(data.load_ranking(source, scope, rows), "complaint_rate")["dealer_id"].tolist()
    year = default_year(list(catalog.years), today)

    method = data.chart_method_default(source.read_rules())
    region = catalog.regions()[0]

    def overview():  # tiles (breaches with them), the case tile, the trends (issue 14: the tab open by default)
        data.load_catalog(source)
        shared = data.load_metric_rows(source, scope)
        data.load_overview(source, scope, shared)
        data.load_case_totals(source, scope, dt.datetime.combine(today, dt.time(12)))

    def watchlist_tab():  # issue 6: the watchlist of the last month, once the tab is opened
        data.load_watchlist(source, scope, scope.last_month, today, "zh", rows)

    def regions_tab():  # issue 6: one region's control chart, once the tab is opened
        data.load_control_chart(source, scope, "region", region, "complaint_rate", method, rows)

    def drill_down(dealer_id: str, shared) -> None:  # the dealer's tiles and trends (issue 14: the open tab)
        data.load_dealer(source, scope, dealer_id, today, shared)

    def dealers():  # the ranking, the attention chart, the drill-down of the ranking's first dealer
        data.load_catalog(source)
        shared = data.load_metric_rows(source, scope)
        data.load_ranking(source, scope, shared)
        data.load_attention(source, scope, "complaint_rate", shared)
        drill_down(ranked[0], shared)

    def funnels_tab():  # issue 6: the four funnels, once their tab is opened
        data.load_funnels(source, scope, False, rows)

    def control_tab():  # issue 6: the dealer's control chart, once its tab is opened
        data.load_control_chart(source, scope, "dealer_id", ranked[0], "complaint_rate", method, rows)

    def another_dealer():
        drill_down(ranked[1], rows)

    def slowest_record_list() -> float:
        return max(timed(lambda name=name: data.load_records(source, scope, ranked[0], name)) for name in RECORD_LISTS)

    def award():
        data.load_catalog(source)
        data.load_award(source, year, today, "zh", scope)

    def settlement():
        data.load_catalog(source)
        data.load_settlement(source, year, today, scope)

    return {
        "Overview": lambda: timed(overview),
        "Overview, the watchlist tab": lambda: timed(watchlist_tab),
        "Overview, the regions tab": lambda: timed(regions_tab),
        "Dealers": lambda: timed(dealers),
        "Dealers, the funnels tab": lambda: timed(funnels_tab),
        "Dealers, the control chart tab": lambda: timed(control_tab),
        "Dealers, another dealer": lambda: timed(another_dealer),
        "Dealers, another record list (the slowest of the six)": slowest_record_list,
        "Award": lambda: timed(award),
        "Settlement": lambda: timed(settlement),
    }


def timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    database = args.db or demo_database()
    work = page_work(data.Source.of(database, load_rules()), dt.date.today())
    print(f"database {database}; seconds of data work on a cold cache, median of {args.runs} runs\n")
    print("| page | seconds |\n|---|---|")
    for page, seconds in work.items():
        print(f"| {page} | {statistics.median(seconds() for _ in range(args.runs)):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
