-- The Wilson intervals of the registered table _intervals (position, low, high) against a limit, by
-- definitions' interval_verdict: 'good', 'bad' (the whole interval beyond it) or empty; in position order.
SELECT interval_verdict(low, high, $limit, $good_when) AS verdict
FROM _intervals
ORDER BY position
