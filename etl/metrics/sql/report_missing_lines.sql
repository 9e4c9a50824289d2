-- The watchlist's reports missing or late at their deadline: dealers under contract in $month whose
-- report was not on time, once $as_of has reached the deadline.
SELECT dealer_id, report_due_on, report_submitted_on FROM dealer_year_months(year(CAST($month AS DATE)))
WHERE month = $month AND under_contract AND NOT report_on_time AND report_due_on <= $as_of
