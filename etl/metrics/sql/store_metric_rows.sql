-- A page's rows of dealer_month_metrics (the registered table metric_rows_in) kept on this connection
-- as the temporary table page_metric_rows, which the page's roll-ups read instead of the view.
CREATE OR REPLACE TEMP TABLE page_metric_rows AS SELECT * FROM metric_rows_in
