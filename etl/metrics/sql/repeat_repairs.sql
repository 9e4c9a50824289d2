-- Record list: repairs of dealer $dealer_id of a serial number repaired shortly before (any dealer),
-- with that earlier repair; personal data masked.
SELECT r.record_no, r.report_month, r.requested_at, r.serial_no, r.product_model, r.fault_category,
       p.dealer_id AS earlier_dealer_id, p.record_no AS earlier_record_no,
       p.requested_at AS earlier_requested_at,
       masked_name(r.customer_name) AS customer_name, masked_phone(r.customer_phone) AS customer_phone
FROM repair_records r
LEFT JOIN LATERAL (
    SELECT e.dealer_id, e.record_no, e.requested_at FROM repairs e
    WHERE e.service_type = 'repair' AND e.serial_no = r.serial_no AND e.requested_at < r.requested_at
    ORDER BY e.requested_at DESC, e.dealer_id, e.record_no LIMIT 1) p ON true
WHERE r.dealer_id = $dealer_id AND r.is_repeat AND {{ months }}
ORDER BY r.requested_at, r.record_no
