-- The rows of the registered table _judged (position, x: numerator, n: denominator) judged against a
-- limit by definitions' meets_threshold: true, false, or empty when n is 0; in position order.
SELECT meets_threshold(x, n, $scale, $limit, $good_when, $upper) AS ok
FROM _judged
ORDER BY position
