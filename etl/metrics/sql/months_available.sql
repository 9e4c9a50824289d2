-- Months with any repair record, callback, hotline ticket or sales row, oldest first.
SELECT DISTINCT month FROM dealer_month_keys ORDER BY month
