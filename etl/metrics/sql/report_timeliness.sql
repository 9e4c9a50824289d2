-- One dealer's report months from $first_month to $last_month: the deadline, the first and latest
-- submission, days late and the status as of $today (views.sql's report_status: on_time, late,
-- missing, not_due, no_contract).
SELECT m.month, m.report_due_on, s.first_submitted_on, s.last_submitted_on,
       coalesce(s.submissions, 0) AS submissions,
       CAST(s.first_submitted_on - m.report_due_on AS INTEGER) AS days_late,
       report_status(s.first_submitted_on, m.report_due_on, $today, m.under_contract) AS status
FROM dealer_month_span($first_month, $last_month) m
LEFT JOIN report_submissions s ON s.dealer_id = m.dealer_id AND s.report_month = m.month
WHERE m.dealer_id = $dealer_id
ORDER BY m.month
