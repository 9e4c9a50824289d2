-- Every dealer-month of the scope's dealers under contract whose report deadline has passed by $as_of,
-- from the first month with any data: the first submission, the status (views.sql's report_status:
-- on_time, late, missing), days late or days overdue.
SELECT d.dealer_id, d.dealer_name, d.region, d.province, d.area_type, m.month, m.report_due_on,
       CASE WHEN s.first_submitted_on <= CAST($as_of AS DATE) THEN s.first_submitted_on END AS report_submitted_on,
       s.submissions,
       report_status(s.first_submitted_on, m.report_due_on, $as_of, m.under_contract) AS status,
       CASE WHEN s.first_submitted_on IS NULL OR s.first_submitted_on > CAST($as_of AS DATE)
            THEN date_diff('day', m.report_due_on, CAST($as_of AS DATE)) END AS days_overdue,
       CASE WHEN s.first_submitted_on > m.report_due_on AND s.first_submitted_on <= CAST($as_of AS DATE)
            THEN date_diff('day', m.report_due_on, s.first_submitted_on) END AS days_late
FROM dealer_month_span((SELECT min(month) FROM dealer_month_keys), $as_of) m
JOIN dealers d USING (dealer_id)
LEFT JOIN report_submissions s ON s.dealer_id = m.dealer_id AND s.report_month = m.month
WHERE m.under_contract AND m.report_due_on <= CAST($as_of AS DATE) AND {{ scope }}
ORDER BY m.month DESC, status, d.dealer_id
