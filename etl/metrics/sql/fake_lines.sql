-- The watchlist's fake records: per dealer, the callbacks of $month that found one, and the records.
SELECT dealer_id, count(*) AS count, string_agg(DISTINCT record_no, ', ' ORDER BY record_no) AS records
FROM callback_facts
WHERE is_fake AND month = $month
GROUP BY dealer_id
