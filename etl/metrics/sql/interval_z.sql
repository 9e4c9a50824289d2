-- The normal quantile of every Wilson interval (rules: statistics.interval_z).
SELECT interval_z() AS z
