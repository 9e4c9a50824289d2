-- The rows of dealer_month_metrics of the months a page's roll-ups need, every dealer.
SELECT * FROM dealer_month_metrics m WHERE {{ months }}
