-- Issue 16: the case figures per {{ by }} (dealer or region) of the scope's dealers, withdrawn cases left
-- out: cases opened, open, overdue at $now, closed, closed on time (by the deadline), the median days
-- from opening to closing, cases reopened and cases ever closed, with the two rates from the metric
-- layer's macros (definitions.OTHER_RATES).
WITH c AS (
    SELECT c.*, d.dealer_name, d.region
    FROM cases c JOIN dealers d USING (dealer_id)
    WHERE {{ scope }} AND c.status <> 'withdrawn'
), counted AS (
    SELECT {{ by }},
           count(*) AS cases_opened,
           count(*) FILTER (WHERE case_is_open(status)) AS cases_open,
           count(*) FILTER (WHERE case_overdue(status, due_at, CAST($now AS TIMESTAMP))) AS cases_overdue,
           count(*) FILTER (WHERE status = 'closed') AS cases_closed,
           count(*) FILTER (WHERE case_closed_on_time(status, closed_at, due_at)) AS cases_closed_on_time,
           median(case_days_to_close(status, opened_at, closed_at)) AS median_days_to_close,
           count(*) FILTER (WHERE times_reopened > 0) AS cases_reopened,
           count(*) FILTER (WHERE times_closed > 0) AS cases_ever_closed
    FROM c GROUP BY ALL
)
SELECT *,
       rate_cases_closed_on_time_rate(cases_closed_on_time, cases_closed) AS cases_closed_on_time_rate,
       rate_cases_reopened_share(cases_reopened, cases_ever_closed) AS cases_reopened_share
FROM counted
ORDER BY cases_overdue DESC, cases_open DESC, 1
