-- The dealers of the scope, each once, whether or not they have any data.
SELECT d.dealer_id, d.dealer_name, d.region, d.province, d.area_type
FROM dealers d
WHERE {{ scope }}
ORDER BY d.dealer_id
