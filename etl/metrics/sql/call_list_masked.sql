-- The call list's names and phones (the registered table _call_list) as the screen shows them, row for row
-- (etl.metrics.privacy.masked_call_list puts them in place of the list's own and leaves the addresses out).
SELECT {{ name }} AS customer_name, {{ phone }} AS customer_phone
FROM _call_list
