-- Issue 16: the records behind case $case_id (the latest loaded version of each), personal data masked.
SELECT r.dealer_id, r.record_no, r.report_month, r.service_type, r.product_model, r.status,
       r.requested_at, r.completed_at,
       masked_name(r.customer_name) AS customer_name, masked_phone(r.customer_phone) AS customer_phone
FROM cases c, unnest(c.records) AS u(record_no)
JOIN latest_repairs r ON r.dealer_id = c.dealer_id AND r.record_no = u.record_no
WHERE c.case_id = $case_id
ORDER BY r.record_no
