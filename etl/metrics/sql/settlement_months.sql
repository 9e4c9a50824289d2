-- Spec 3.2: the months of $year whose report was not on time as of $as_of, of the scope's dealers: exactly
-- the months the settlement's missing-report deduction counts runs of (views.sql's months_due), each with
-- the length of its run; status 'missing' (no report) or 'late'.
SELECT m.dealer_id, m.month, m.report_due_on, m.report_submitted_on,
       CASE WHEN m.report_submitted_on IS NULL THEN 'missing' ELSE 'late' END AS status,
       m.missing_run_length
FROM months_due($year, $as_of) m
JOIN dealers d USING (dealer_id)
WHERE NOT m.report_on_time AND {{ scope }}
ORDER BY m.dealer_id, m.month
