-- The call center's list for $report_month: a reproducible random $share of each dealer's records of
-- the month (rounded up), stratified by dealer; records without a phone, customers HQ called in the
-- $no_repeat_days before $as_of, and a second record of the same customer left out. The draw is
-- md5($seed, dealer, record). Personal data is NOT masked: this list is for calling customers.
-- A record is its latest version (latest_repairs): the month's records are read from the month alone (the
-- stored superseded_repairs), the recently called ones from their own months (callback_records); the draw
-- works on each record's key, phone and row (`version`), only the drawn records' other columns are read, by
-- rowid (issue 13: a national month has 0.5 M records, a list 75 k).
WITH month_records AS (  -- the month's rows less those a later version of their record superseded
    SELECT r.rowid AS version, r.dealer_id, r.record_no, r.customer_phone,
           md5(CAST($seed AS VARCHAR) || '|' || r.dealer_id || '|' || r.record_no) AS draw
    FROM repairs r
    WHERE r.report_month = $report_month
      AND NOT EXISTS (SELECT 1 FROM superseded_repairs s
                      WHERE s.report_month = r.report_month AND s.dealer_id = r.dealer_id
                        AND s.record_no = r.record_no AND s.load_id = r.load_id AND s.row_no = r.row_no)
), quota AS (
    SELECT dealer_id, count(*) AS records, CAST(ceil(count(*) * $share) AS BIGINT) AS quota
    FROM month_records GROUP BY dealer_id
), recently_called AS (  -- the phones of the records HQ called in the window: their latest versions, read from
    SELECT DISTINCT r.customer_phone  -- the months they are in (the stored callback_records, by call time)
    FROM callback_records v
    JOIN repairs r ON r.report_month = v.report_month AND r.dealer_id = v.dealer_id AND r.record_no = v.record_no
                  AND r.load_id = v.load_id AND r.row_no = v.row_no
    WHERE v.called_at >= CAST($as_of AS DATE) - to_days(CAST($no_repeat_days AS INTEGER))
      AND v.called_at <= CAST($as_of AS DATE) + 1
      AND r.customer_phone IS NOT NULL
), candidates AS (
    SELECT m.* FROM month_records m ANTI JOIN recently_called c USING (customer_phone)
    WHERE m.customer_phone IS NOT NULL
), shared AS (  -- phones of more than one record (few): the first drawn of each is kept
    SELECT customer_phone FROM candidates GROUP BY customer_phone HAVING count(*) > 1
), eligible AS (
    SELECT * FROM candidates ANTI JOIN shared USING (customer_phone)
    UNION ALL
    (SELECT c.* FROM candidates c SEMI JOIN shared USING (customer_phone)
     QUALIFY row_number() OVER (PARTITION BY customer_phone ORDER BY draw) = 1)
), drawn AS (
    SELECT e.version, e.dealer_id, q.records, q.quota,
           row_number() OVER (PARTITION BY e.dealer_id ORDER BY e.draw) AS nth
    FROM eligible e JOIN quota q USING (dealer_id)
    QUALIFY nth <= q.quota
)
SELECT 'CB' || strftime(r.report_month, '%Y%m') || '-' || d.dealer_id || '-' || lpad(CAST(d.nth AS VARCHAR), 3, '0')
           AS callback_id,
       r.record_no, d.dealer_id, k.dealer_name, r.customer_name, r.customer_phone, r.address,
       r.product_model, r.service_type, r.requested_at, r.completed_at, d.records AS dealer_records,
       d.quota AS dealer_quota
FROM drawn d JOIN repairs r ON r.rowid = d.version JOIN dealers k ON k.dealer_id = d.dealer_id
ORDER BY d.dealer_id, d.nth
