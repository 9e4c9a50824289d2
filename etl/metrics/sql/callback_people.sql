-- The scope's callbacks of one list ($list: 'fake', reached and the customer says the service did not
-- happen; 'unreached', the customer was not reached), with the record's customer masked.
SELECT f.callback_id, f.called_at, f.dealer_id, d.dealer_name, f.record_no, r.report_month,
       r.service_type, masked_name(r.customer_name) AS customer_name,
       masked_phone(r.customer_phone) AS customer_phone, f.comment
FROM callback_facts f JOIN dealers d USING (dealer_id)
LEFT JOIN latest_repairs r ON r.dealer_id = f.dealer_id AND r.record_no = f.record_no
WHERE {{ scope }} AND CASE $list WHEN 'fake' THEN f.is_fake WHEN 'unreached' THEN NOT f.is_reached END
ORDER BY f.dealer_id, f.called_at, f.callback_id
