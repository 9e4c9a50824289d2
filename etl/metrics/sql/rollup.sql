-- Every count summed over the scope's dealers and months, each rate and its Wilson interval recomputed
-- from the sums. The columns fragment is definitions.rollup_select (the group's columns, the counts and
-- the rate macros); source is the view dealer_month_metrics or a page's stored rows of it
-- (overview.use_metric_rows); group is GROUP BY / ORDER BY the group's columns, or nothing.
SELECT {{ columns }}
FROM {{ source }} m JOIN dealers d USING (dealer_id)
WHERE {{ scope }}
{{ group }}
