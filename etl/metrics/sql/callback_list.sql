-- The call center's list for $report_month: a reproducible random $share of each dealer's records of
-- the month (rounded up), stratified by dealer; records without a phone, customers HQ called in the
-- $no_repeat_days before $as_of, and a second record of the same customer left out. The draw is
-- md5($seed, dealer, record). Personal data is NOT masked: this list is for calling customers.
-- The draw works on each record's key, phone and row (latest_versions_of's `version`); only the drawn
-- records' other columns are read, by rowid (issue 13: a national month has 0.5 M records, a list 75 k).
WITH month_keys AS (
    SELECT dealer_id, record_no FROM repairs WHERE report_month = $report_month
), recent_calls AS (
    SELECT DISTINCT dealer_id, record_no FROM callbacks
    WHERE called_at >= CAST($as_of AS DATE) - to_days(CAST($no_repeat_days AS INTEGER))
      AND called_at <= CAST($as_of AS DATE) + 1
), asked AS (  -- both sets of records found in one pass over the records' keys
    SELECT dealer_id, record_no FROM month_keys UNION SELECT dealer_id, record_no FROM recent_calls
), latest AS (
    SELECT * FROM latest_versions_of('asked')
), month_records AS (
    SELECT v.version, v.dealer_id, v.record_no, r.customer_phone,
           md5(CAST($seed AS VARCHAR) || '|' || v.dealer_id || '|' || v.record_no) AS draw
    FROM latest v JOIN repairs r ON r.rowid = v.version
    WHERE v.report_month = $report_month
), quota AS (
    SELECT dealer_id, count(*) AS records, CAST(ceil(count(*) * $share) AS BIGINT) AS quota
    FROM month_records GROUP BY dealer_id
), recently_called AS (
    SELECT DISTINCT r.customer_phone
    FROM latest v SEMI JOIN recent_calls c ON c.dealer_id = v.dealer_id AND c.record_no = v.record_no
    JOIN repairs r ON r.rowid = v.version
    WHERE r.customer_phone IS NOT NULL
), eligible AS (
    SELECT m.* FROM month_records m ANTI JOIN recently_called c USING (customer_phone)
    WHERE m.customer_phone IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY customer_phone ORDER BY draw) = 1
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
