-- Issue 16: customers to call again first: closed complaint and fake-record cases whose re-check was left
-- to the call list and that no callback on their record has re-checked since closing, with the
-- record's customer (the latest loaded version), in call-list columns; the callback id names the case and
-- its closing, so a case closed again is called again under a new id. Personal data NOT masked
-- (this list is for calling customers); the screen masks it as it masks the call list.
WITH recheck_keys AS (  -- the records of the cases waiting for the call list: their latest versions only
    SELECT c.dealer_id, u.record_no FROM cases c, unnest(c.records) AS u(record_no)
    WHERE c.status = 'closed' AND c.kind IN ('complaint', 'fake_record') AND c.recheck = 'call_list'
)
SELECT 'RC' || c.case_id || '-' || strftime(c.closed_at, '%Y%m%d%H%M') AS callback_id, r.record_no, c.dealer_id, d.dealer_name,
       r.customer_name, r.customer_phone, r.address, r.product_model, r.service_type, r.requested_at,
       r.completed_at, CAST(NULL AS BIGINT) AS dealer_records, CAST(NULL AS BIGINT) AS dealer_quota,
       c.case_id AS recheck_case
FROM cases c, unnest(c.records) AS u(record_no)
JOIN latest_repairs_of('recheck_keys') r ON r.dealer_id = c.dealer_id AND r.record_no = u.record_no
JOIN dealers d ON d.dealer_id = c.dealer_id
WHERE c.status = 'closed' AND c.kind IN ('complaint', 'fake_record') AND c.recheck = 'call_list'
  AND r.customer_phone IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM callbacks b WHERE b.dealer_id = c.dealer_id AND b.record_no = u.record_no
                                              AND b.called_at > c.closed_at)
QUALIFY row_number() OVER (PARTITION BY r.customer_phone ORDER BY c.closed_at, c.case_id) = 1
ORDER BY c.closed_at, c.case_id
