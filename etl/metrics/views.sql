-- The metric layer: every figure of spec section 3, defined once, over the loaded tables.
-- Thresholds come from the rules file as variables (rule('rule_<section>_<key>'),
-- set on every connection by etl/db.py). Rates are added by etl/metrics/definitions.py,
-- which owns the numerator/denominator pairs: a statement of only comments with a line
-- "-- generated: <name>" stands for the macros etl/metrics/views.py generates from Python
-- (views.GENERATED). Statements are separated by ";\n\n".

-- name: rule
-- A threshold: the value this connection set (the rules file in force, or a what-if), else the
-- value stored by the last load, so a plain DuckDB shell on the file sees the same figures.
CREATE OR REPLACE MACRO rule(name) AS
    coalesce(getvariable(name), (SELECT value FROM rule_settings WHERE key = name));

-- name: interval_z
-- The normal quantile of every interval (rules: statistics.interval_z; 1.959964 = 95 %).
CREATE OR REPLACE MACRO interval_z() AS CAST(rule('rule_statistics_interval_z') AS DOUBLE);

-- name: wilson_low
-- Lower end of the Wilson score interval of x successes in n trials at normal quantile z:
-- (x + z²/2 - z·sqrt(x(n-x)/n + z²/4)) / (n + z²). Empty when n is 0 or x is not a share of n
-- (x > n: complaints or callbacks counted against services of a month can exceed them); exactly 0 at x = 0.
CREATE OR REPLACE MACRO wilson_low(x, n, z) AS
    CASE WHEN n > 0 AND x >= 0 AND x <= n THEN
        CASE WHEN x = 0 THEN 0.0
             ELSE greatest((CAST(x AS DOUBLE) + z * z / 2
                            - z * sqrt(CAST(x AS DOUBLE) * (n - x) / n + z * z / 4)) / (n + z * z), 0.0) END
    END;

-- name: wilson_high
-- Upper end of the Wilson score interval: (x + z²/2 + z·sqrt(x(n-x)/n + z²/4)) / (n + z²); exactly 1 at x = n.
CREATE OR REPLACE MACRO wilson_high(x, n, z) AS
    CASE WHEN n > 0 AND x >= 0 AND x <= n THEN
        CASE WHEN x = n THEN 1.0
             ELSE least((CAST(x AS DOUBLE) + z * z / 2
                         + z * sqrt(CAST(x AS DOUBLE) * (n - x) / n + z * z / 4)) / (n + z * z), 1.0) END
    END;

-- name: rate macros
-- Each rate's value, interval and verdicts: rate_<name>(x, n), rate_<name>_low / _high(x, n, z),
-- rate_<name>_ok(x, n), rate_<name>_shown(low, high), and meets_threshold / interval_verdict.
-- generated: definitions.macros

-- name: masks
-- How a name or phone is shown: masked_name(v) (张*), masked_phone(v) (138****5678).
-- generated: privacy.macros

-- name: sla_hours
-- The hours a dealer has to arrive (rules: service.sla_hours_urban / _county), by its area type.
CREATE OR REPLACE MACRO sla_hours(area_type) AS
    CASE WHEN area_type = 'county' THEN rule('rule_service_sla_hours_county')
         ELSE rule('rule_service_sla_hours_urban') END;

-- name: repair_flag_macros
-- Each repair record's cheap flags, from its own columns: one definition for repair_facts (the
-- definition) and repair_records (served from the stored search flags).
CREATE OR REPLACE MACRO in_on_time_base(arrived_at, status) AS (arrived_at IS NOT NULL OR status = 'open');
CREATE OR REPLACE MACRO arrived_on_time(arrived_at, requested_at, sla_hours) AS
    (arrived_at IS NOT NULL AND epoch_us(arrived_at) - epoch_us(requested_at) <= sla_hours * 3600000000);
CREATE OR REPLACE MACRO in_repeat_base(service_type, serial_no) AS (service_type = 'repair' AND serial_no IS NOT NULL);
CREATE OR REPLACE MACRO record_is_open(status) AS (status = 'open');

-- name: repair_flags_between
-- The two flags that search other records, for the repair records of the report months
-- first_month..last_month, one row per record that has either (most have neither): is_repeat (a
-- repair of the same serial, at any dealer, came within repeat_repair_days before it) and
-- found_unresolved (an HQ callback found it unresolved). prior_from bounds the earlier repairs
-- searched for a repeat (none before it can be one: the caller passes the earliest request of those
-- months less the repeat window). The definition of the stored table repair_flags (etl/marts.py),
-- which a load refreshes with the dealer-month counts.
CREATE OR REPLACE MACRO repair_flags_between(first_month, last_month, prior_from) AS TABLE
SELECT dealer_id, report_month, record_no, is_repeat, found_unresolved
FROM (
    SELECT r.dealer_id, r.report_month, r.record_no,
           (in_repeat_base(r.service_type, r.serial_no) AND EXISTS (
                SELECT 1 FROM repairs p
                WHERE p.service_type = 'repair' AND p.serial_no = r.serial_no
                  AND p.requested_at >= prior_from AND p.requested_at < r.requested_at
                  AND epoch_us(r.requested_at) - epoch_us(p.requested_at)
                      <= rule('rule_service_repeat_repair_days') * 86400000000)) AS is_repeat,
           EXISTS (SELECT 1 FROM callbacks c
                   WHERE c.dealer_id = r.dealer_id AND c.record_no = r.record_no AND c.resolved = false)
               AS found_unresolved
    FROM repairs r
    WHERE r.report_month BETWEEN first_month AND last_month)
WHERE is_repeat OR found_unresolved;

-- name: repair_flags_view
CREATE OR REPLACE VIEW repair_flags_view AS
SELECT * FROM repair_flags_between(DATE '0001-01-01', DATE '9999-12-01', TIMESTAMP '0001-01-01 00:00:00');

-- name: repair_facts_from
-- Each repair record of the report months first_month..last_month with its SLA, on-time, repeat and
-- miss flags; the searched flags (repeat, found unresolved) come from `flags`, the name of a relation
-- with repair_flags_between's columns: repair_flags_view for the view repair_facts (the definition),
-- the stored table repair_flags for the view repair_records (what the record lists read), or a
-- load's refresh of some dealer-months (etl/marts.py).
CREATE OR REPLACE MACRO repair_facts_from(flags, first_month, last_month) AS TABLE
SELECT r.*, d.area_type, sla_hours(d.area_type) AS sla_hours,
       coalesce(f.found_unresolved, false) AS found_unresolved,
       in_on_time_base(r.arrived_at, r.status) AS in_on_time_base,
       arrived_on_time(r.arrived_at, r.requested_at, sla_hours(d.area_type)) AS arrived_on_time,
       in_repeat_base(r.service_type, r.serial_no) AS in_repeat_base,
       coalesce(f.is_repeat, false) AS is_repeat,
       record_is_open(r.status) AS is_open,
       record_is_open(r.status) OR coalesce(f.found_unresolved, false) AS is_missed
FROM repairs r
LEFT JOIN dealers d USING (dealer_id)
LEFT JOIN (SELECT * FROM query_table(flags) WHERE report_month BETWEEN first_month AND last_month) f
       USING (dealer_id, report_month, record_no)
WHERE r.report_month BETWEEN first_month AND last_month;

-- name: repair_facts
CREATE OR REPLACE VIEW repair_facts AS
SELECT * FROM repair_facts_from('repair_flags_view', DATE '0001-01-01', DATE '9999-12-01');

-- name: latest_versions_of
-- Where the latest loaded version of each record the relation `keys` names (its dealer_id and record_no
-- columns) is: its row's rowid (`version`), with the record's key and report month. A number reported again
-- in another month's report keeps both rows in `repairs` (each month is its own report); where one record is
-- needed, the latest load wins (latest_repairs, the definition). Only the key and load columns are read, so
-- finding a month's or a list's records reads 4 narrow columns of every row, not all of them.
CREATE OR REPLACE MACRO latest_versions_of(keys) AS TABLE
SELECT r.rowid AS version, r.dealer_id, r.record_no, r.report_month
FROM repairs r SEMI JOIN query_table(keys) k ON r.dealer_id = k.dealer_id AND r.record_no = k.record_no
QUALIFY row_number() OVER (PARTITION BY r.dealer_id, r.record_no ORDER BY r.load_id DESC, r.row_no DESC) = 1;

-- name: latest_repairs_of
-- One row per (dealer_id, record_no) of the records `keys` names: the rows latest_versions_of found, read
-- by rowid (DuckDB skips the row groups none of them is in). Asked for the records a query needs (a month's,
-- a list's), it reads only their rows: at national scale a month's records in 0.3 s (4 s over every record).
CREATE OR REPLACE MACRO latest_repairs_of(keys) AS TABLE
SELECT r.* FROM repairs r SEMI JOIN latest_versions_of(keys) l ON r.rowid = l.version;

-- name: latest_repairs
-- Every record's latest loaded version: the definition latest_repairs_of and latest_versions_of answer
-- for some records (tests/test_marts.py compares them).
CREATE OR REPLACE VIEW latest_repairs AS
SELECT * FROM repairs
QUALIFY row_number() OVER (PARTITION BY dealer_id, record_no ORDER BY load_id DESC, row_no DESC) = 1;

-- name: superseded_repairs_view
-- The repair rows that are not their record's latest version (a record_no reported again in a later load, in
-- another month's report: latest_repairs keeps the later one), each named by its month, key, load and row. Few
-- or none. The definition of the stored table superseded_repairs (etl/marts.py), refreshed by every repairs load:
-- a month's latest records are then its own rows less these (the call list), read without the other months'.
CREATE OR REPLACE VIEW superseded_repairs_view AS
SELECT dealer_id, record_no, report_month, load_id, row_no FROM repairs
QUALIFY row_number() OVER (PARTITION BY dealer_id, record_no ORDER BY load_id DESC, row_no DESC) > 1;

-- name: callback_records_view
-- Each callback on a loaded record with where that record's latest version is (its month, load and row), by
-- call time. The definition of the stored table callback_records (etl/marts.py), refreshed by every repairs and
-- callbacks load: a list of callbacks then reads its records from their own months (callback_versions_of).
CREATE OR REPLACE VIEW callback_records_view AS
SELECT c.callback_id, c.called_at, c.dealer_id, c.record_no, r.report_month, r.load_id, r.row_no
FROM callbacks c JOIN latest_repairs r ON r.dealer_id = c.dealer_id AND r.record_no = c.record_no;

-- name: unanswered_hotline_between
-- Hotline repair requests received in first_month..last_month that no repair record of the assigned
-- dealer answers (hq_ticket_id): each a request, and missed.
CREATE OR REPLACE MACRO unanswered_hotline_between(first_month, last_month) AS TABLE
SELECT h.dealer_id, CAST(date_trunc('month', h.received_at) AS DATE) AS month, h.ticket_id, h.received_at
FROM hotline h
WHERE h.ticket_type = 'repair_request'
  AND h.received_at >= first_month AND h.received_at < last_month + INTERVAL 1 MONTH
  AND NOT EXISTS (SELECT 1 FROM repairs r WHERE r.dealer_id = h.dealer_id AND r.hq_ticket_id = h.ticket_id);

-- name: requests_from
-- Every request of the months first_month..last_month (each repair record, by report month, and
-- each unanswered hotline repair request, by the month received), missed or not, with why. The
-- records' flags come from `facts`, a relation with repair_facts' columns: repair_facts for the
-- view requests (the definition), repair_records (the stored flags) for request_records.
CREATE OR REPLACE MACRO requests_from(facts, first_month, last_month) AS TABLE
SELECT dealer_id, report_month AS month, 'repair_record' AS request_source, record_no AS request_id,
       requested_at, is_missed AS missed,
       concat_ws('; ', CASE WHEN is_open THEN 'still open' END,
                 CASE WHEN found_unresolved THEN 'an HQ callback found it unresolved' END) AS miss_reason
FROM query_table(facts) WHERE report_month BETWEEN first_month AND last_month
UNION ALL
SELECT dealer_id, month, 'hotline_ticket', ticket_id, received_at, true,
       'hotline repair request with no repair record of the assigned dealer'
FROM unanswered_hotline_between(first_month, last_month);

-- name: requests
CREATE OR REPLACE VIEW requests AS
SELECT * FROM requests_from('repair_facts', DATE '0001-01-01', DATE '9999-12-01');

-- name: complaint_events
CREATE OR REPLACE VIEW complaint_events AS
SELECT dealer_id, record_no, called_at AS event_at, 'hq_callback' AS source, callback_id AS event_id
FROM callbacks WHERE complaint
UNION ALL
SELECT dealer_id, record_no, received_at, 'hotline_ticket', ticket_id
FROM hotline WHERE ticket_type = 'complaint' AND verified;

-- name: complaints
CREATE OR REPLACE VIEW complaints AS
SELECT dealer_id, record_no,
       CAST(date_trunc('month', min(event_at)) AS DATE) AS month,
       min(event_at) AS first_event_at,
       count(*) AS events,
       string_agg(source || ' ' || event_id, ', ' ORDER BY event_at, event_id) AS evidence
FROM complaint_events
GROUP BY dealer_id, record_no, CASE WHEN record_no IS NULL THEN source || ' ' || event_id END;

-- name: callback_facts
CREATE OR REPLACE VIEW callback_facts AS
SELECT c.*,
       CAST(date_trunc('month', c.called_at) AS DATE) AS month,
       coalesce(c.reached, false) AS is_reached,
       coalesce(c.reached AND c.satisfaction IS NOT NULL, false) AS is_answered,
       coalesce(c.reached AND c.satisfaction >= 4, false) AS is_satisfied,
       coalesce(c.reached AND c.satisfaction <= 2, false) AS is_dissatisfied,
       coalesce(c.reached AND c.service_confirmed = false, false) AS is_fake
FROM callbacks c;

-- name: dealer_month_keys_between
CREATE OR REPLACE MACRO dealer_month_keys_between(first_month, last_month) AS TABLE
SELECT dealer_id, report_month AS month FROM repairs WHERE report_month BETWEEN first_month AND last_month
UNION SELECT dealer_id, CAST(date_trunc('month', called_at) AS DATE) FROM callbacks
      WHERE called_at >= first_month AND called_at < last_month + INTERVAL 1 MONTH
UNION SELECT dealer_id, CAST(date_trunc('month', received_at) AS DATE) FROM hotline
      WHERE received_at >= first_month AND received_at < last_month + INTERVAL 1 MONTH
UNION SELECT dealer_id, month FROM sales WHERE month BETWEEN first_month AND last_month;

-- name: dealer_month_keys
CREATE OR REPLACE VIEW dealer_month_keys AS SELECT * FROM dealer_month_keys_between(DATE '0001-01-01', DATE '9999-12-01');

-- name: report_deadline
CREATE OR REPLACE MACRO report_deadline(report_month) AS
    CAST(report_month + INTERVAL 1 MONTH AS DATE) + CAST(rule('rule_service_report_due_day') AS INTEGER) - 1;

-- name: dealer_month_counts_from
-- The definition of the dealer-month counts, for the months first_month..last_month, with the repair
-- records' flags read from `facts`, the name of a relation with repair_facts' columns: repair_facts
-- itself for the view dealer_month_counts_view (every month), or a load's refresh of some
-- dealer-months (etl/marts.py: their flags computed once, stored, and counted). Loads store its rows
-- in the table dealer_month_counts, which everything below and every page reads.
CREATE OR REPLACE MACRO dealer_month_counts_from(facts, first_month, last_month) AS TABLE
WITH rep AS (
    -- Every repair record is also a request (requests_from); counted here from one pass.
    SELECT dealer_id, report_month AS month,
           count(*) AS services,
           count(*) FILTER (WHERE is_missed) AS record_misses,
           count(*) FILTER (WHERE arrived_on_time) AS on_time,
           count(*) FILTER (WHERE in_on_time_base) AS on_time_base,
           count(*) FILTER (WHERE dealer_callback) AS dealer_callbacks,
           count(*) FILTER (WHERE is_repeat) AS repeat_repairs,
           count(*) FILTER (WHERE in_repeat_base) AS repeat_base,
           count(*) FILTER (WHERE is_open) AS open_records
    FROM query_table(facts) WHERE report_month BETWEEN first_month AND last_month GROUP BY ALL
), hot AS (
    SELECT dealer_id, month, count(*) AS unanswered FROM unanswered_hotline_between(first_month, last_month) GROUP BY ALL
), cb AS (
    SELECT dealer_id, month,
           count(*) AS callbacks,
           count(*) FILTER (WHERE is_reached) AS callbacks_reached,
           count(*) FILTER (WHERE is_answered) AS callbacks_answered,
           count(*) FILTER (WHERE is_satisfied) AS satisfied,
           count(*) FILTER (WHERE is_dissatisfied) AS dissatisfied,
           count(*) FILTER (WHERE is_fake) AS fake_records
    FROM callback_facts
    WHERE called_at >= first_month AND called_at < last_month + INTERVAL 1 MONTH GROUP BY ALL
), cmp AS (
    -- A complaint counts in its first event's month: merged over every event, then chosen by month.
    SELECT dealer_id, month, count(*) AS complaints FROM complaints
    WHERE month BETWEEN first_month AND last_month GROUP BY ALL
), sal AS (
    SELECT dealer_id, month, CAST(sum(units_sold) AS BIGINT) AS units_sold, sum(sales_amount) AS sales_amount
    FROM sales WHERE month BETWEEN first_month AND last_month GROUP BY ALL
)
SELECT k.dealer_id, k.month,
       coalesce(rep.services, 0) AS services,
       coalesce(cmp.complaints, 0) AS complaints,
       coalesce(sal.units_sold, 0) AS units_sold,
       coalesce(sal.sales_amount, 0) AS sales_amount,
       coalesce(rep.services, 0) + coalesce(hot.unanswered, 0) AS requests,
       coalesce(rep.record_misses, 0) + coalesce(hot.unanswered, 0) AS misses,
       coalesce(cb.callbacks, 0) AS callbacks,
       coalesce(cb.callbacks_reached, 0) AS callbacks_reached,
       coalesce(cb.callbacks_answered, 0) AS callbacks_answered,
       coalesce(cb.satisfied, 0) AS satisfied,
       coalesce(cb.dissatisfied, 0) AS dissatisfied,
       coalesce(cb.fake_records, 0) AS fake_records,
       coalesce(rep.on_time, 0) AS on_time,
       coalesce(rep.on_time_base, 0) AS on_time_base,
       coalesce(rep.dealer_callbacks, 0) AS dealer_callbacks,
       coalesce(rep.repeat_repairs, 0) AS repeat_repairs,
       coalesce(rep.repeat_base, 0) AS repeat_base,
       coalesce(rep.open_records, 0) AS open_records,
       s.first_submitted_on AS report_submitted_on,
       report_deadline(k.month) AS report_due_on,
       coalesce(s.first_submitted_on <= report_deadline(k.month), false) AS report_on_time
FROM dealer_month_keys_between(first_month, last_month) k
LEFT JOIN rep USING (dealer_id, month)
LEFT JOIN hot USING (dealer_id, month)
LEFT JOIN cb USING (dealer_id, month)
LEFT JOIN cmp USING (dealer_id, month)
LEFT JOIN sal USING (dealer_id, month)
LEFT JOIN report_submissions s ON s.dealer_id = k.dealer_id AND s.report_month = k.month;

-- name: dealer_month_counts_view
CREATE OR REPLACE VIEW dealer_month_counts_view AS
SELECT * FROM dealer_month_counts_from('repair_facts', DATE '0001-01-01', DATE '9999-12-01');

-- name: repair_records
-- repair_facts served from the stored flags: the same rows and columns, read by the record lists
-- (a dealer's drill-down) without searching every repair for repeats and every callback for misses.
CREATE OR REPLACE VIEW repair_records AS
SELECT * FROM repair_facts_from('repair_flags', DATE '0001-01-01', DATE '9999-12-01');

-- name: request_records
-- requests served from the stored flags: the same rows, what the missed-requests list and the cases read.
CREATE OR REPLACE VIEW request_records AS
SELECT * FROM requests_from('repair_records', DATE '0001-01-01', DATE '9999-12-01');

-- name: callback_versions_of
-- For each callback in `calls` (a relation with the callbacks' callback_id) on a loaded record: where that
-- record's latest version is, its row's rowid (`version`) with the record's key and report month, found through
-- the stored callback_records, so only the months those versions are in are read, on their key columns (issue 13:
-- a list of callbacks' records).
CREATE OR REPLACE MACRO callback_versions_of(calls) AS TABLE
SELECT v.callback_id, r.rowid AS version, r.dealer_id, r.record_no, r.report_month FROM repairs r
JOIN (SELECT v.* FROM callback_records v SEMI JOIN query_table(calls) k ON k.callback_id = v.callback_id) v
  ON r.report_month = v.report_month AND r.dealer_id = v.dealer_id AND r.record_no = v.record_no
 AND r.load_id = v.load_id AND r.row_no = v.row_no;

-- name: under_contract
-- A dealer is under contract in a month it had joined by the month's last day and not left before its first.
CREATE OR REPLACE MACRO under_contract(joined_on, left_on, month) AS
    (joined_on IS NULL OR joined_on <= last_day(month)) AND (left_on IS NULL OR left_on >= month);

-- name: report_on_time
-- A month's report is on time when its first submission came by the deadline; no report is not on time.
CREATE OR REPLACE MACRO report_on_time(submitted_on, due_on) AS coalesce(submitted_on <= due_on, false);

-- name: report_status
-- A dealer-month's report as of a day: not_due while its deadline is still ahead (whatever has come in:
-- a month is judged once it is due, never on time before), then on_time, late (submitted after the
-- deadline), no_contract (not under contract that month and nothing sent) or missing. A submission
-- dated after as_of had not come in as of that day.
CREATE OR REPLACE MACRO report_status(submitted_on, due_on, as_of, under_contract) AS
    CASE WHEN due_on > CAST(as_of AS DATE) THEN 'not_due'
         WHEN submitted_on > CAST(as_of AS DATE) THEN CASE WHEN under_contract THEN 'missing' ELSE 'no_contract' END
         WHEN report_on_time(submitted_on, due_on) THEN 'on_time'
         WHEN submitted_on IS NOT NULL THEN 'late'
         WHEN NOT under_contract THEN 'no_contract'
         ELSE 'missing' END;

-- name: dealer_month_span
-- Every dealer and month from first_month to last_month: under contract?, the report deadline, the
-- first submission and whether it was on time.
CREATE OR REPLACE MACRO dealer_month_span(first_month, last_month) AS TABLE
SELECT d.dealer_id, m.month,
       under_contract(d.joined_on, d.left_on, m.month) AS under_contract,
       report_deadline(m.month) AS report_due_on,
       s.first_submitted_on AS report_submitted_on,
       report_on_time(s.first_submitted_on, report_deadline(m.month)) AS report_on_time
FROM dealers d
CROSS JOIN (SELECT CAST(g AS DATE) AS month
            FROM generate_series(CAST(first_month AS DATE), CAST(last_month AS DATE), INTERVAL 1 MONTH) AS t(g)) m
LEFT JOIN report_submissions s ON s.dealer_id = d.dealer_id AND s.report_month = m.month;

-- name: dealer_year_months
-- Every dealer and month of year y (dealer_month_span of its twelve months).
CREATE OR REPLACE MACRO dealer_year_months(for_year) AS TABLE
SELECT * FROM dealer_month_span(make_date(CAST(for_year AS INTEGER), 1, 1), make_date(CAST(for_year AS INTEGER), 12, 1));

-- name: months_due
-- Months of year y a dealer owes a report by as_of, with runs of months missing an on-time report.
CREATE OR REPLACE MACRO months_due(for_year, as_of_date) AS TABLE
WITH due AS (
    SELECT *, row_number() OVER (PARTITION BY dealer_id ORDER BY month) AS nth
    FROM dealer_year_months(for_year)
    WHERE under_contract AND report_due_on <= CAST(as_of_date AS DATE)
), runs AS (
    SELECT *, nth - row_number() OVER (PARTITION BY dealer_id, report_on_time ORDER BY month) AS run_id
    FROM due
)
SELECT dealer_id, month, report_due_on, report_submitted_on, report_on_time,
       CASE WHEN NOT report_on_time
            THEN count(*) OVER (PARTITION BY dealer_id, report_on_time, run_id) ELSE 0 END AS missing_run_length
FROM runs;

-- name: dealer_year_totals
CREATE OR REPLACE MACRO dealer_year_totals(for_year, as_of_date) AS TABLE
WITH contract AS (
    SELECT dealer_id FROM dealer_year_months(for_year) GROUP BY dealer_id HAVING bool_or(under_contract)
), year_counts AS (
    SELECT dealer_id, CAST(sum(complaints) AS BIGINT) AS complaints,
           CAST(sum(units_sold) AS BIGINT) AS units_sold, sum(sales_amount) AS sales_amount,
           CAST(sum(callbacks_answered) AS BIGINT) AS callbacks_answered,
           CAST(sum(satisfied) AS BIGINT) AS satisfied
    FROM dealer_month_counts WHERE year(month) = CAST(for_year AS INTEGER) GROUP BY dealer_id
), due AS (
    SELECT dealer_id, count(*) AS months_due, count(*) FILTER (WHERE report_on_time) AS reports_on_time,
           max(missing_run_length) AS max_consecutive_missing
    FROM months_due(for_year, as_of_date) GROUP BY dealer_id
), notice_counts AS (
    SELECT dealer_id, count(*) AS notices FROM notices
    WHERE year(notice_date) = CAST(for_year AS INTEGER) GROUP BY dealer_id
), fakes AS (
    SELECT DISTINCT dealer_id, record_no FROM callback_facts
    WHERE is_fake AND year(called_at) = CAST(for_year AS INTEGER)
), fake_repairs AS (
    -- latest_repairs' rule (the latest load wins), applied to the fake records only: the window
    -- then sorts a few rows, not every repair of every year.
    SELECT r.dealer_id, r.record_no, r.labor_fee, r.parts_fee
    FROM repairs r SEMI JOIN fakes f ON r.dealer_id = f.dealer_id AND r.record_no = f.record_no
    QUALIFY row_number() OVER (PARTITION BY r.dealer_id, r.record_no ORDER BY r.load_id DESC, r.row_no DESC) = 1
), fake_fees AS (
    SELECT f.dealer_id, count(*) AS fake_records,
           coalesce(sum(coalesce(r.labor_fee, 0) + coalesce(r.parts_fee, 0)), 0) AS fake_record_fees
    FROM fakes f LEFT JOIN fake_repairs r USING (dealer_id, record_no) GROUP BY f.dealer_id
)
SELECT d.dealer_id, d.dealer_name, d.region, d.province, d.city, d.area_type,
       CAST(for_year AS INTEGER) AS year, CAST(as_of_date AS DATE) AS as_of,
       coalesce(yc.complaints, 0) AS complaints,
       coalesce(yc.units_sold, 0) AS units_sold,
       coalesce(yc.sales_amount, 0) AS sales_amount,
       coalesce(yc.callbacks_answered, 0) AS callbacks_answered,
       coalesce(yc.satisfied, 0) AS satisfied,
       coalesce(due.months_due, 0) AS months_due,
       coalesce(due.reports_on_time, 0) AS reports_on_time,
       coalesce(due.max_consecutive_missing, 0) AS max_consecutive_missing,
       d.technicians, d.has_service_center,
       coalesce(nc.notices, 0) AS notices,
       coalesce(ff.fake_records, 0) AS fake_records,
       coalesce(ff.fake_record_fees, 0) AS fake_record_fees
FROM contract JOIN dealers d USING (dealer_id)
LEFT JOIN year_counts yc USING (dealer_id)
LEFT JOIN due USING (dealer_id)
LEFT JOIN notice_counts nc USING (dealer_id)
LEFT JOIN fake_fees ff USING (dealer_id);

-- name: award_evaluation
-- Spec 3.1 and issue 6: every criterion's measure, threshold, status and pass/fail. The rates and their
-- verdicts are the macros of etl/metrics/definitions.py: thresholds compare exact fractions, so 49 of 50
-- passes ">= 98 %". Sampled measures (complaints per units sold, satisfaction) also carry their Wilson
-- interval: a point value that passes while the interval still reaches across the threshold is "not
-- demonstrable at this sample size", and fails when the rules require the interval (award.require_interval).
-- Counted-in-full criteria are met or not.
CREATE OR REPLACE MACRO award_evaluation(for_year, as_of_date) AS TABLE
WITH t AS (SELECT * FROM dealer_year_totals(for_year, as_of_date)), measured AS (
    SELECT *,
           rate_complaints_per_1000_sales(complaints, units_sold) AS complaints_per_1000_sales,
           rate_complaints_per_1000_sales_low(complaints, units_sold, interval_z()) AS complaints_per_1000_sales_low,
           rate_complaints_per_1000_sales_high(complaints, units_sold, interval_z()) AS complaints_per_1000_sales_high,
           rule('rule_award_max_complaints_per_1000_sales') AS complaints_threshold,
           coalesce(rate_complaints_per_1000_sales_ok(complaints, units_sold), false) AS meets_complaints,
           rate_satisfaction_rate(satisfied, callbacks_answered) AS satisfaction_rate,
           rate_satisfaction_rate_low(satisfied, callbacks_answered, interval_z()) AS satisfaction_low,
           rate_satisfaction_rate_high(satisfied, callbacks_answered, interval_z()) AS satisfaction_high,
           rule('rule_award_min_satisfaction_rate') AS satisfaction_threshold,
           coalesce(rate_satisfaction_rate_ok(satisfied, callbacks_answered), false) AS meets_satisfaction,
           rule('rule_award_min_answered_callbacks') AS evidence_threshold,
           callbacks_answered >= rule('rule_award_min_answered_callbacks') AS pass_evidence,
           rate_report_rate(reports_on_time, months_due) AS report_rate,
           rule('rule_award_min_report_rate') AS report_threshold,
           coalesce(rate_report_rate_ok(reports_on_time, months_due), false) AS pass_reports,
           rule('rule_award_min_technicians') AS technicians_threshold,
           coalesce(technicians >= rule('rule_award_min_technicians'), false)
               AND (NOT (rule('rule_award_require_service_center') = 1) OR coalesce(has_service_center, false))
               AS pass_network,
           rule('rule_award_max_notices') AS notices_threshold,
           notices <= rule('rule_award_max_notices') AS pass_notices
    FROM t
), judged AS (
    SELECT *,
           coalesce(rate_complaints_per_1000_sales_shown(complaints_per_1000_sales_low,
                                                         complaints_per_1000_sales_high) = 'good', false)
               AS shows_complaints,
           coalesce(rate_satisfaction_rate_shown(satisfaction_low, satisfaction_high) = 'good', false)
               AS shows_satisfaction,
           rule('rule_award_require_interval') = 1 AS require_interval
    FROM measured
)
SELECT dealer_id, dealer_name, region, province, city, area_type, year, as_of,
       complaints, units_sold, complaints_per_1000_sales,
       complaints_per_1000_sales_low, complaints_per_1000_sales_high, complaints_threshold,
       meets_complaints AND (NOT require_interval OR shows_complaints) AS pass_complaints,
       CASE WHEN NOT meets_complaints THEN 'not met' WHEN shows_complaints THEN 'met'
            ELSE 'not demonstrable at this sample size' END AS status_complaints,
       callbacks_answered, satisfied, satisfaction_rate, satisfaction_low, satisfaction_high,
       satisfaction_threshold,
       meets_satisfaction AND (NOT require_interval OR shows_satisfaction) AS pass_satisfaction,
       CASE WHEN NOT meets_satisfaction THEN 'not met' WHEN shows_satisfaction THEN 'met'
            ELSE 'not demonstrable at this sample size' END AS status_satisfaction,
       evidence_threshold, pass_evidence,
       CASE WHEN pass_evidence THEN 'met' ELSE 'not met' END AS status_evidence,
       months_due, reports_on_time, report_rate, report_threshold, pass_reports,
       CASE WHEN pass_reports THEN 'met' ELSE 'not met' END AS status_reports,
       technicians, has_service_center, technicians_threshold, pass_network,
       CASE WHEN pass_network THEN 'met' ELSE 'not met' END AS status_network,
       notices, notices_threshold, pass_notices,
       CASE WHEN pass_notices THEN 'met' ELSE 'not met' END AS status_notices,
       require_interval, interval_z() AS interval_z
FROM judged;

-- name: award_result
CREATE OR REPLACE MACRO award_result(for_year, as_of_date) AS TABLE
SELECT *, pass_complaints AND pass_satisfaction AND pass_evidence AND pass_reports
          AND pass_network AND pass_notices AS eligible
FROM award_evaluation(for_year, as_of_date);

-- name: settlement_evaluation
-- Spec 3.2: fee base, each deduction and the net fee, unrounded (reports round each column).
CREATE OR REPLACE MACRO settlement_evaluation(for_year, as_of_date) AS TABLE
WITH t AS (SELECT * FROM dealer_year_totals(for_year, as_of_date)), fee AS (
    SELECT *, rule('rule_settlement_fee_rate') * sales_amount AS fee_base FROM t
), deductions AS (
    SELECT *,
           CASE WHEN max_consecutive_missing >= rule('rule_settlement_missing_months_in_a_row')
                THEN rule('rule_settlement_missing_deduction_rate') * fee_base ELSE 0 END
               AS missing_deduction,
           rule('rule_settlement_fake_penalty_multiplier') * fake_record_fees AS fake_penalty,
           rule('rule_settlement_complaint_deduction_yuan') * complaints AS complaint_deduction
    FROM fee
)
SELECT dealer_id, dealer_name, region, province, city, area_type, year, as_of, sales_amount, fee_base,
       max_consecutive_missing, missing_deduction, fake_records, fake_record_fees, fake_penalty,
       complaints, complaint_deduction,
       greatest(fee_base - missing_deduction - fake_penalty - complaint_deduction, 0) AS net_fee
FROM deductions;

-- name: case_is_open
-- Issue 16: a case still waiting for someone (open, in progress or reopened); resolved, closed and
-- withdrawn (its event went with a corrected file) cases are not.
CREATE OR REPLACE MACRO case_is_open(status) AS status IN ('open', 'in_progress', 'reopened');

-- name: case_overdue
-- A case is overdue when it is still open at as_of and its deadline (due_at) has passed.
CREATE OR REPLACE MACRO case_overdue(status, due_at, as_of) AS case_is_open(status) AND due_at < as_of;

-- name: case_closed_on_time
-- A closed case was closed on time when it closed by its deadline.
CREATE OR REPLACE MACRO case_closed_on_time(status, closed_at, due_at) AS status = 'closed' AND closed_at <= due_at;

-- name: case_days_to_close
-- Days (with fractions) from a case's opening to its closing; empty while it is not closed.
CREATE OR REPLACE MACRO case_days_to_close(status, opened_at, closed_at) AS
    CASE WHEN status = 'closed' THEN (epoch(closed_at) - epoch(opened_at)) / 86400.0 END
