-- Calendar years with any activity, oldest first.
SELECT DISTINCT year(month) AS year FROM dealer_month_keys ORDER BY 1
