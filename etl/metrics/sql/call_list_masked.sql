-- The call list (the registered table _call_list) as the screen shows it: names and phones masked,
-- addresses left out.
SELECT * REPLACE ({{ name }} AS customer_name, {{ phone }} AS customer_phone, NULL AS address)
FROM _call_list
