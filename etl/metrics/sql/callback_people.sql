-- The scope's callbacks of one list ($list: 'fake', reached and the customer says the service did not
-- happen; 'unreached', the customer was not reached), with the record's customer masked.
WITH listed AS (
    SELECT f.callback_id, f.called_at, f.dealer_id, d.dealer_name, f.record_no, f.comment
    FROM callback_facts f JOIN dealers d USING (dealer_id)
    WHERE {{ scope }} AND CASE $list WHEN 'fake' THEN f.is_fake WHEN 'unreached' THEN NOT f.is_reached END
)
SELECT l.callback_id, l.called_at, l.dealer_id, l.dealer_name, l.record_no, r.report_month,
       r.service_type, masked_name(r.customer_name) AS customer_name,
       masked_phone(r.customer_phone) AS customer_phone, l.comment
FROM listed l
LEFT JOIN latest_repairs_of('listed') r ON r.dealer_id = l.dealer_id AND r.record_no = l.record_no
ORDER BY l.dealer_id, l.called_at, l.callback_id
