-- Spec 5 `monthly`: one row per dealer-month with activity (of year $year, or every year when it is
-- empty), ordered by dealer and month.
SELECT * FROM dealer_month_metrics
WHERE $year IS NULL OR year(month) = $year
ORDER BY dealer_id, month
