-- Spec 3.1: every dealer of the scope under contract in $year, each criterion and its status as of
-- $as_of (award_result of views.sql), in codes and numbers.
SELECT * FROM award_result($year, $as_of) a
WHERE {{ scope }}
ORDER BY dealer_id
