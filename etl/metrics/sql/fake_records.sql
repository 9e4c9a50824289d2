-- Record list: reached HQ callbacks of dealer $dealer_id whose customer says the service never happened,
-- in the callback's month; personal data masked.
SELECT c.month, c.called_at, c.callback_id, c.record_no, r.report_month, r.service_type,
       r.labor_fee, r.parts_fee, c.comment,
       masked_name(r.customer_name) AS customer_name, masked_phone(r.customer_phone) AS customer_phone
FROM callback_facts c
LEFT JOIN latest_repairs r ON r.dealer_id = c.dealer_id AND r.record_no = c.record_no
WHERE c.dealer_id = $dealer_id AND c.is_fake AND {{ months }}
ORDER BY c.called_at, c.callback_id
