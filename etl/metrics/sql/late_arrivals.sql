-- Record list: records of dealer $dealer_id in the on-time base that did not arrive within their SLA
-- hours (open records without arrival too); personal data masked.
SELECT r.record_no, r.report_month, r.requested_at, r.arrived_at,
       round((epoch(r.arrived_at) - epoch(r.requested_at)) / 3600, 1) AS hours_to_arrive,
       r.sla_hours, r.status, r.technician,
       masked_name(r.customer_name) AS customer_name, masked_phone(r.customer_phone) AS customer_phone
FROM repair_records r
WHERE r.dealer_id = $dealer_id AND r.in_on_time_base AND NOT coalesce(r.arrived_on_time, false) AND {{ months }}
ORDER BY r.requested_at, r.record_no
