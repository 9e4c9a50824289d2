-- The call center's list for $report_month: a reproducible random $share of each dealer's records of
-- the month (rounded up), stratified by dealer; records without a phone, customers HQ called in the
-- $no_repeat_days before $as_of, and a second record of the same customer left out. The draw is
-- md5($seed, dealer, record). Personal data is NOT masked: this list is for calling customers.
WITH month_keys AS (
    SELECT dealer_id, record_no FROM repairs WHERE report_month = $report_month
), month_records AS (
    SELECT r.*, md5(CAST($seed AS VARCHAR) || '|' || r.dealer_id || '|' || r.record_no) AS draw
    FROM latest_repairs_of('month_keys') r WHERE r.report_month = $report_month
), quota AS (
    SELECT dealer_id, count(*) AS records, CAST(ceil(count(*) * $share) AS BIGINT) AS quota
    FROM month_records GROUP BY dealer_id
), recent_calls AS (
    SELECT DISTINCT dealer_id, record_no FROM callbacks
    WHERE called_at >= CAST($as_of AS DATE) - to_days(CAST($no_repeat_days AS INTEGER))
      AND called_at <= CAST($as_of AS DATE) + 1
), recently_called AS (
    SELECT DISTINCT customer_phone FROM latest_repairs_of('recent_calls') WHERE customer_phone IS NOT NULL
), eligible AS (
    SELECT m.* FROM month_records m ANTI JOIN recently_called c USING (customer_phone)
    WHERE m.customer_phone IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY customer_phone ORDER BY draw) = 1
), drawn AS (
    SELECT e.*, q.records, q.quota,
           row_number() OVER (PARTITION BY e.dealer_id ORDER BY e.draw) AS nth
    FROM eligible e JOIN quota q USING (dealer_id)
    QUALIFY nth <= q.quota
)
SELECT 'CB' || strftime(d.report_month, '%Y%m') || '-' || d.dealer_id || '-' || lpad(CAST(d.nth AS VARCHAR), 3, '0')
           AS callback_id,
       d.record_no, d.dealer_id, k.dealer_name, d.customer_name, d.customer_phone, d.address,
       d.product_model, d.service_type, d.requested_at, d.completed_at, d.records AS dealer_records,
       d.quota AS dealer_quota
FROM drawn d JOIN dealers k USING (dealer_id)
ORDER BY d.dealer_id, d.nth
