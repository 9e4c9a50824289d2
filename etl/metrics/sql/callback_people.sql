-- The scope's callbacks of one list ($list: 'fake', reached and the customer says the service did not
-- happen; 'unreached', the customer was not reached), with the record's customer masked: the first $limit
-- of them (NULL: all) in the list's order, and `listed`, how many the whole list holds. A page draws the
-- first rows of a long list only (issue 13: 0.2 M unreached callbacks in a national year), so only those
-- rows' records are read, from their own months (callback_versions_of).
WITH listed AS (
    SELECT f.callback_id, f.called_at, f.dealer_id, d.dealer_name, f.record_no, f.comment, count(*) OVER () AS listed
    FROM callback_facts f JOIN dealers d USING (dealer_id)
    WHERE {{ scope }} AND CASE $list WHEN 'fake' THEN f.is_fake WHEN 'unreached' THEN NOT f.is_reached END
    ORDER BY f.dealer_id, f.called_at, f.callback_id
    LIMIT $limit
), records AS (  -- the listed callbacks' records (their latest versions): found on the key columns of their
    SELECT v.callback_id, v.report_month, r.service_type, r.customer_name, r.customer_phone  -- months, read by rowid
    FROM callback_versions_of('listed') v JOIN repairs r ON r.rowid = v.version
)
SELECT l.callback_id, l.called_at, l.dealer_id, l.dealer_name, l.record_no, r.report_month,
       r.service_type, masked_name(r.customer_name) AS customer_name,
       masked_phone(r.customer_phone) AS customer_phone, l.comment, l.listed
FROM listed l
LEFT JOIN records r USING (callback_id)
ORDER BY l.dealer_id, l.called_at, l.callback_id
