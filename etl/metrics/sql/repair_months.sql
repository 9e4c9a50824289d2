-- Report months with repair records, newest first: what a callback list can be drawn from.
SELECT DISTINCT report_month FROM repairs ORDER BY 1 DESC
