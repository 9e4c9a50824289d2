"""No page breaks at any size (issue 13): on a data set whose unreached-callbacks table alone has
more cells than pandas can style (262,144), every page renders, and the long table shows its
first rows with a note while the download keeps every row."""

from __future__ import annotations

import datetime as dt

import pytest

from app import tables
from app_pages import PAGES, open_page
from conftest import DEALER_HEADER

DEALERS = 30
CALLBACKS = 40_000  # 40,000 rows x 8 columns shown (the unreached list) = 320,000 cells: over the styling limit


@pytest.fixture(scope="module")
def large_db(tmp_path_factory):
    from conftest import Warehouse

    wh = Warehouse(tmp_path_factory.mktemp("large"))
    dealers = [[f"D{i:02d}", f"服务部{i}", "华东", "浙江", "杭州", "urban", 2, "Y", "", ""] for i in range(DEALERS)]
    start = dt.datetime(2025, 1, 1, 9, 0)
    repairs, callbacks = [], []
    for n in range(CALLBACKS):
        dealer = f"D{n % DEALERS:02d}"
        requested = start + dt.timedelta(minutes=13 * n)  # 40,000 x 13 minutes: all within 2025
        month = requested.strftime("%Y-%m")
        submitted = (requested.replace(day=1) + dt.timedelta(days=40)).replace(day=5).date().isoformat()
        repairs.append(
            [
                f"R{n}",
                dealer,
                month,
                submitted,
                f"客户{n}",
                f"138{n:08d}",
                f"SN{n}",
                "repair",
                f"{requested:%Y-%m-%d %H:%M}",
                f"{requested + dt.timedelta(hours=3):%Y-%m-%d %H:%M}",
                f"{requested + dt.timedelta(hours=5):%Y-%m-%d %H:%M}",
                "completed",
                50,
                20,
                "N",
            ]
        )
        callbacks.append(
            [f"C{n}", f"R{n}", dealer, f"{requested + dt.timedelta(days=3):%Y-%m-%d %H:%M}", "N", "", "", "", ""]
        )
    repair_header = [
        "record_no",
        "dealer_id",
        "report_month",
        "submitted_on",
        "customer_name",
        "customer_phone",
        "serial_no",
        "service_type",
        "requested_at",
        "arrived_at",
        "completed_at",
        "status",
        "labor_fee",
        "parts_fee",
        "dealer_callback",
    ]
    callback_header = [
        "callback_id",
        "record_no",
        "dealer_id",
        "called_at",
        "reached",
        "service_confirmed",
        "resolved",
        "satisfaction",
        "complaint",
    ]
    results = wh.load(
        wh.file("dealers.csv", [DEALER_HEADER] + dealers),
        wh.file("repairs.csv", [repair_header] + repairs),
        wh.file("callbacks.csv", [callback_header] + callbacks),
        today=dt.date(2026, 11, 23),
    )
    assert [(r.status, r.rows_rejected) for r in results] == [("loaded", 0)] * 3
    return wh.path


def test_a_wide_table_is_cut_below_the_styling_limit_whatever_the_setting():
    columns = len(tables.CALLBACK_PEOPLE)
    assert columns == 10
    assert tables.shown_rows(columns, 5000) == 5000
    assert tables.shown_rows(columns, 1_000_000) == 262_144 // 10 == 26_214
    assert tables.shown_rows(columns, 1_000_000) * columns <= tables.STYLED_CELLS


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_page_renders_on_a_data_set_past_the_styling_limit(large_db, monkeypatch, name):
    monkeypatch.setenv("SERVICE_QC_DB", str(large_db))
    at = open_page(name, lang="en", **{"from": "2025-01", "to": "2025-12"})
    assert not at.exception
    assert not at.error, [e.value for e in at.error]


def test_the_long_unreached_list_shows_its_first_rows_and_says_the_download_has_all(large_db, monkeypatch, tmp_path):
    """With max_table_rows raised past the limit, the styling limit itself cuts the table."""
    rules = tmp_path / "rules.toml"
    rules.write_text("[dashboard]\nmax_table_rows = 1000000\n", encoding="utf-8")
    monkeypatch.setenv("SERVICE_QC_DB", str(large_db))
    monkeypatch.setenv("SERVICE_QC_RULES", str(rules))
    at = open_page("callbacks", lang="en", **{"from": "2025-01", "to": "2025-12"})
    notes = [c.value for c in at.caption if c.value.startswith("Showing the first")]
    assert len(tables.CALLBACK_PEOPLE_SHOWN[0]) == 8  # 262,144 // 8 = 32,768 rows styled
    assert notes == ["Showing the first 32,768 of 40,000 rows; the page's Excel download has every row."]
    assert max(len(frame.value) for frame in at.dataframe) == 32_768


def test_the_callbacks_analysis_reads_the_lists_as_far_as_shown_and_the_download_reads_them_whole(large_db, tmp_path):
    """Issue 13: the fake and unreached lists are read as far as the page draws them, with their lengths; the
    rows read are the first rows of the whole list (what the download reads), in the same order."""
    from app import data
    from etl.metrics.scope import Scope
    from etl.rules import load_rules

    rules = tmp_path / "rules.toml"
    rules.write_text("[dashboard]\nmax_table_rows = 1000\n", encoding="utf-8")
    source = data.Source.of(large_db, load_rules(rules))
    scope = Scope(dt.date(2025, 1, 1), dt.date(2025, 12, 1))
    assert data.callback_people_shown(source.read_rules()) == 1000
    found = data.load_callback_analysis(source, scope)
    fakes, unreached = data.load_callback_people(source, scope)
    assert (found.unreached_total, len(unreached), len(found.unreached)) == (CALLBACKS, CALLBACKS, 1000)
    assert found.fakes_total == len(fakes)
    assert found.unreached["customer_name"].notna().all()  # each callback's record was read
    assert found.unreached.equals(unreached.head(1000))
    assert found.fakes.equals(fakes.head(1000))
    assert list(found.unreached.columns) == list(unreached.columns) == [column for column, _ in tables.CALLBACK_PEOPLE]


# The call list as written before issue 13 read each record whole through latest_repairs (the definition):
# the named query now draws on keys, phones and rowids and reads only the drawn records; the rows must be the same.
CALL_LIST_BY_DEFINITION = """
WITH month_records AS (
    SELECT r.*, md5(CAST($seed AS VARCHAR) || '|' || r.dealer_id || '|' || r.record_no) AS draw
    FROM latest_repairs r WHERE r.report_month = $report_month
), quota AS (
    SELECT dealer_id, count(*) AS records, CAST(ceil(count(*) * $share) AS BIGINT) AS quota
    FROM month_records GROUP BY dealer_id
), recent_calls AS (
    SELECT DISTINCT dealer_id, record_no FROM callbacks
    WHERE called_at >= CAST($as_of AS DATE) - to_days(CAST($no_repeat_days AS INTEGER))
      AND called_at <= CAST($as_of AS DATE) + 1
), recently_called AS (
    SELECT DISTINCT customer_phone FROM latest_repairs SEMI JOIN recent_calls USING (dealer_id, record_no)
    WHERE customer_phone IS NOT NULL
), eligible AS (
    SELECT m.* FROM month_records m ANTI JOIN recently_called c USING (customer_phone)
    WHERE m.customer_phone IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY customer_phone ORDER BY draw) = 1
), drawn AS (
    SELECT e.*, q.records, q.quota, row_number() OVER (PARTITION BY e.dealer_id ORDER BY e.draw) AS nth
    FROM eligible e JOIN quota q USING (dealer_id)
    QUALIFY nth <= q.quota
)
SELECT 'CB' || strftime(d.report_month, '%Y%m') || '-' || d.dealer_id || '-' || lpad(CAST(d.nth AS VARCHAR), 3, '0')
           AS callback_id,
       d.record_no, d.dealer_id, k.dealer_name, d.customer_name, d.customer_phone, d.address,
       d.product_model, d.service_type, d.requested_at, d.completed_at, d.records AS dealer_records,
       d.quota AS dealer_quota
FROM drawn d JOIN dealers k USING (dealer_id)
ORDER BY d.dealer_id, d.nth
"""


@pytest.mark.parametrize("month, as_of", [("2025-06-01", "2025-06-15"), ("2025-12-01", "2025-11-20")])
def test_the_call_list_draws_the_same_rows_as_its_definition_over_whole_records(large_db, month, as_of):
    from etl.db import reader
    from etl.metrics import named
    from etl.rules import load_rules

    params = {"seed": 7, "report_month": dt.date.fromisoformat(month), "share": 0.3, "as_of": as_of}
    params |= {"no_repeat_days": 90}
    with reader(large_db, load_rules()) as con:
        drawn = named.run(con, "callback_list", params)
        expected = con.execute(CALL_LIST_BY_DEFINITION, params).df()
    assert 0 < len(drawn) < 0.3 * 4000 and drawn.equals(expected)  # June: those called by the 15th left out
