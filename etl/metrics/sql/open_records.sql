-- Record list: repair records of dealer $dealer_id still open (status open), by the month they were
-- reported in; personal data masked.
SELECT r.record_no, r.report_month, r.requested_at, r.service_type, r.product_model, r.fault_category,
       r.technician, r.hq_ticket_id,
       masked_name(r.customer_name) AS customer_name, masked_phone(r.customer_phone) AS customer_phone
FROM repair_records r
WHERE r.dealer_id = $dealer_id AND r.is_open AND {{ months }}
ORDER BY r.requested_at, r.record_no
