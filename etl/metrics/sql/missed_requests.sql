-- Record list: missed requests of dealer $dealer_id (open records, records an HQ callback found
-- unresolved, unanswered hotline requests); personal data masked.
SELECT q.month, q.request_source, q.request_id, q.requested_at,
       coalesce(r.is_open, false) AS is_open, coalesce(r.found_unresolved, false) AS found_unresolved,
       r.service_type, r.product_model,
       masked_name(r.customer_name) AS customer_name,
       masked_phone(coalesce(r.customer_phone, h.customer_phone)) AS customer_phone
FROM request_records q
LEFT JOIN repair_records r
       ON q.request_source = 'repair_record' AND r.dealer_id = q.dealer_id AND r.record_no = q.request_id
LEFT JOIN hotline h ON q.request_source = 'hotline_ticket' AND h.ticket_id = q.request_id
WHERE q.dealer_id = $dealer_id AND q.missed AND {{ months }}
ORDER BY q.requested_at, q.request_id
