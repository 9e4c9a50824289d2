-- Calendar years with any activity, oldest first (from the stored dealer-month counts, as months_available).
SELECT DISTINCT year(month) AS year FROM dealer_month_counts ORDER BY 1
