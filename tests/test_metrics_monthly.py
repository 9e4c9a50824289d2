"""Spec section 3 per dealer-month, each figure worked out by hand from the rows in the test."""

import pytest

from metric_data import callback, load_all, month_row, repair, ticket


def test_complaints_merge_across_callbacks_and_hotline_per_record_of_a_dealer(wh):
    load_all(
        wh,
        repairs=[repair("R1"), repair("R2"), repair("R1", "D2")],
        callbacks=[
            callback("C1", "R1", called="2025-04-02 10:00", complaint="Y"),  # R1 of D1, April ...
            callback("C2", "R1", "D2", called="2025-04-02 11:00", complaint="Y"),  # same number, other dealer
        ],
        hotline=[
            ticket("T1", "2025-03-20 09:00", record_no="R1"),  # ... merged with C1, earlier: March
            ticket("T2", "2025-02-10 09:00", record_no="R2", verified="N"),  # unverified: counts nowhere
            ticket("T3", "2025-04-05 09:00"),  # no record_no: its own complaint
            ticket("T4", "2025-03-25 09:00", record_no="R2"),  # T4 + T5 about R2: one, March
            ticket("T5", "2025-04-03 09:00", record_no="R2"),
            ticket("T6", "2025-04-06 09:00"),  # another one without record_no
        ],
    )
    # D1: March = R1 (T1 first) + R2 (T4 first); April = T3 + T6; February has a row (T2) but 0.
    assert month_row(wh, "D1", "2025-03", "complaints, services, complaint_rate") == (2, 2, 1.0)
    assert month_row(wh, "D1", "2025-04", "complaints, services, complaint_rate") == (2, 0, None)
    assert month_row(wh, "D1", "2025-02", "complaints") == (0,)
    assert month_row(wh, "D2", "2025-04", "complaints") == (1,)
    assert wh.query("SELECT evidence FROM complaints WHERE dealer_id = 'D1' AND record_no = 'R1'") == [
        ("hotline_ticket T1, hq_callback C1",)
    ]


def test_a_merged_complaint_keeps_the_month_of_its_earliest_event_across_years(wh):
    load_all(
        wh,
        repairs=[repair("R1", month="2024-12", submitted="2025-01-05")],
        callbacks=[callback("C1", "R1", called="2025-01-03 10:00", complaint="Y")],
        hotline=[ticket("T1", "2024-12-30 18:00", record_no="R1")],
    )
    assert month_row(wh, "D1", "2024-12", "complaints") == (1,)
    assert month_row(wh, "D1", "2025-01", "complaints") == (0,)


def test_misses_count_each_request_once_and_unanswered_hotline_requests(wh):
    load_all(
        wh,
        repairs=[
            repair("R1", status="open"),  # missed: open
            repair("R2"),  # missed: callback resolved N
            repair("R3", ticket="T10"),  # answers T10; not missed
            repair("R4", status="open"),  # open and unresolved: once
            repair("R9", "D2", ticket="T12"),  # D2 carries T12, assigned to D1
        ],
        callbacks=[
            callback("C1", "R2", called="2025-05-20 10:00", resolved="N"),  # a later month still counts
            callback("C2", "R3", resolved="Y"),
            callback("C3", "R4", resolved="N"),
            callback("C4", "R4", resolved="N"),
        ],
        hotline=[
            ticket("T10", "2025-03-01 08:00", kind="repair_request"),
            ticket("T11", "2025-03-03 08:00", kind="repair_request"),  # nobody answered
            ticket("T12", "2025-03-04 08:00", kind="repair_request"),  # only another dealer answered
            ticket("T13", "2025-03-05 08:00", kind="inquiry"),
        ],
    )
    # Requests: 4 records + T11 + T12 = 6; misses: R1, R2, R4, T11, T12 = 5.
    assert month_row(wh, "D1", "2025-03", "requests, misses, miss_rate") == (6, 5, pytest.approx(5 / 6))
    assert month_row(wh, "D1", "2025-05", "requests, misses, miss_rate") == (0, 0, None)
    assert month_row(wh, "D2", "2025-03", "requests, misses") == (1, 0)


def test_on_time_arrival_against_24_and_48_hours(wh):
    load_all(
        wh,
        repairs=[
            repair("R1", requested="2025-03-01 08:00", arrived="2025-03-02 08:00"),  # exactly 24 h
            repair("R2", requested="2025-03-01 08:00", arrived="2025-03-02 08:01"),  # 24 h 1 min
            repair("R3", requested="2025-03-01 08:00", status="open"),  # open, no arrival: late
            repair("R4", requested="2025-03-01 08:00", status="completed"),  # no arrival: outside
            repair("R5", "D3", requested="2025-03-01 08:00", arrived="2025-03-03 07:00"),  # county 47 h
            repair("R6", "D3", requested="2025-03-01 08:00", arrived="2025-03-03 08:00:01"),  # county 48 h 1 s
            repair(
                "R7", "D3", requested="2025-03-01 08:00", arrived="2025-03-01 09:00", status="open"
            ),  # open, arrived
        ],
    )
    assert month_row(wh, "D1", "2025-03", "on_time, on_time_base, on_time_rate") == (1, 3, pytest.approx(1 / 3))
    assert month_row(wh, "D3", "2025-03", "on_time, on_time_base, on_time_rate") == (2, 3, pytest.approx(2 / 3))


def test_repeat_repairs_across_dealers_within_30_days(wh):
    load_all(
        wh,
        repairs=[
            repair("R1", serial="S1", requested="2025-03-01 10:00"),
            repair("R2", "D2", serial="S1", requested="2025-03-31 10:00"),  # exactly 30 days after R1
            repair(
                "R3", month="2025-05", submitted="2025-06-10", serial="S1", requested="2025-05-01 10:01"
            ),  # 31 days after R2
            repair("R4", serial="S2", service="install", requested="2025-03-05 10:00"),
            repair("R5", serial="S2", requested="2025-03-10 10:00"),  # earlier one is an install
            repair("R6", serial="", requested="2025-03-11 10:00"),  # no serial: outside base
            repair("R7", serial="S3", requested="2025-03-12 10:00"),
            repair("R8", serial="S3", requested="2025-03-12 10:00"),  # same instant: not earlier
            repair("R9", serial="S4", service="maintenance", requested="2025-03-12 10:00"),
        ],
    )
    # D1 March repair records with serial: R1, R5, R7, R8 -> base 4, none repeats.
    assert month_row(wh, "D1", "2025-03", "repeat_repairs, repeat_base, repeat_repair_rate") == (0, 4, 0.0)
    assert month_row(wh, "D2", "2025-03", "repeat_repairs, repeat_base, repeat_repair_rate") == (1, 1, 1.0)
    assert month_row(wh, "D1", "2025-05", "repeat_repairs, repeat_base") == (0, 1)


def test_callback_answers_satisfaction_dissatisfaction_and_fakes(wh):
    load_all(
        wh,
        repairs=[repair(f"R{i}") for i in range(1, 7)],
        callbacks=[
            callback("C1", "R1", satisfaction="5"),
            callback("C2", "R2", satisfaction="满意"),
            callback("C3", "R3", satisfaction="一般"),
            callback("C4", "R4", satisfaction="2", confirmed="N"),
            callback("C5", "R5", reached="N", satisfaction="1", confirmed="N", complaint="N"),  # unreached, filled in
            callback("C6", "R6", satisfaction=""),
        ],
    )
    row = month_row(
        wh,
        "D1",
        "2025-04",
        "callbacks, callbacks_reached, callbacks_answered, satisfied, "
        "satisfaction_rate, dissatisfied, dissatisfaction_rate, fake_records, "
        "fake_rate",
    )
    assert row == (6, 5, 4, 2, 0.5, 1, 0.25, 1, 0.2)


def test_dealer_callback_rate_and_hq_coverage_over_services(wh):
    load_all(
        wh,
        repairs=[
            repair("R1", dealer_callback="Y"),
            repair("R2", dealer_callback="是"),
            repair("R3"),
            repair("R4", dealer_callback="N"),
        ],
        callbacks=[callback("C1", "R1", called="2025-03-28 10:00")],
    )
    assert month_row(
        wh, "D1", "2025-03", "services, dealer_callbacks, dealer_callback_rate, callbacks, hq_callback_coverage"
    ) == (4, 2, 0.5, 1, 0.25)


def test_empty_denominators_give_empty_rates_and_zero_counts(wh):
    load_all(wh, sales=[["D1", "2025-03", 0, 0], ["D2", "2025-03", 400, 80000]])
    row = month_row(
        wh,
        "D1",
        "2025-03",
        "services, units_sold, complaints, complaints_per_1000_sales, complaint_rate, "
        "miss_rate, satisfaction_rate, fake_rate, on_time_rate, repeat_repair_rate, "
        "report_submitted_on, report_on_time",
    )
    assert row == (0, 0, 0, None, None, None, None, None, None, None, None, False)
    assert month_row(wh, "D2", "2025-03", "units_sold, complaints_per_1000_sales") == (400, 0.0)


def test_report_timeliness_counts_the_first_submission(wh):
    load_all(
        wh,
        repairs=[
            repair("R1", month="2025-03", submitted="2025-04-15"),  # on the 15th: on time
            repair("R2", "D2", month="2025-03", submitted="2025-04-16"),
        ],
    )
    first = wh.file(
        "repairs_D1_resubmitted.csv",
        [
            ["record_no", "dealer_id", "report_month", "submitted_on", "service_type", "requested_at", "status"],
            ["R1", "D1", "2025-03", "2025-05-20", "repair", "2025-03-02 09:00", "completed"],
            ["R2", "D1", "2025-03", "2025-05-20", "repair", "2025-03-02 09:00", "completed"],
        ],
    )
    early = wh.file(
        "repairs_D2_resubmitted.csv",
        [
            ["record_no", "dealer_id", "report_month", "submitted_on", "service_type", "requested_at", "status"],
            ["R2", "D2", "2025-03", "2025-04-01", "repair", "2025-03-02 09:00", "completed"],
        ],
    )
    wh.load(first, early)
    assert month_row(wh, "D1", "2025-03", "services, report_submitted_on::VARCHAR, report_on_time") == (
        2,
        "2025-04-15",
        True,
    )
    assert month_row(wh, "D2", "2025-03", "services, report_submitted_on::VARCHAR, report_on_time") == (
        1,
        "2025-04-16",
        False,
    )


def test_rollup_sums_numerators_and_denominators_never_averages_rates(wh):
    from etl.db import reader
    from etl.metrics import queries

    load_all(
        wh,
        roster=[["D1", "One", "urban"], ["D2", "Two", "urban"]],
        repairs=[repair("R1", status="open"), *[repair(f"R{i}", "D2") for i in range(1, 10)]],
    )
    # D1: 1 miss of 1 (100 %); D2: 0 of 9 (0 %). Average of rates 50 %; the real rate is 1 of 10.
    with reader(wh.path, wh.rules) as con:
        total = queries.rollup(con, ["area_type"])
        empty = queries.rollup(con, ["area_type"], dealers={"area_type": ["county"]})
    assert total[["area_type", "requests", "misses", "miss_rate"]].values.tolist() == [["urban", 10, 1, 0.1]]
    assert empty.empty
