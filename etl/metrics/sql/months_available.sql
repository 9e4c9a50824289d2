-- Months with any repair record, callback, hotline ticket or sales row, oldest first: read from the stored
-- dealer-month counts, which hold a row for each dealer-month with any (dealer_month_keys; issue 13: not a pass
-- over every record).
SELECT DISTINCT month FROM dealer_month_counts ORDER BY month
