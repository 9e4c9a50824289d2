-- The rows of dealer_month_metrics (the view, or a page's stored rows of it) of the scope's dealers
-- and months, each dealer-month as the view has it.
SELECT m.* FROM {{ source }} m JOIN dealers d USING (dealer_id)
WHERE {{ scope }}
ORDER BY m.dealer_id, m.month
