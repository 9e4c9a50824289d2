-- A rules value as this connection sees it (its variables, what-if included, else the stored rules):
-- $name is the variable, rule_<section>_<key>.
SELECT rule($name) AS value
