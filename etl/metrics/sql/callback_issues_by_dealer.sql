-- Per dealer of the scope with callbacks: callbacks, reached, unreached, answered, dissatisfied and the
-- dissatisfaction rate (the dealer-month counts of the metric layer, rolled up: the counts fragment is
-- the named query rollup), fake records, callbacks with any conduct issue; worst dissatisfaction first.
WITH counts AS (
    {{ counts }}
), conduct AS (
    SELECT f.dealer_id, count(*) AS conduct_issues
    FROM callback_facts f JOIN dealers d USING (dealer_id)
    WHERE {{ scope }} AND nullif(trim(f.conduct_issue), '') IS NOT NULL
    GROUP BY f.dealer_id
)
SELECT c.dealer_id, c.dealer_name, c.region, c.province, c.area_type, c.callbacks, c.callbacks_reached,
       c.callbacks - c.callbacks_reached AS unreached, c.callbacks_answered, c.dissatisfied,
       c.dissatisfaction_rate, c.fake_records, coalesce(k.conduct_issues, 0) AS conduct_issues
FROM counts c LEFT JOIN conduct k USING (dealer_id)
WHERE c.callbacks > 0
ORDER BY c.dissatisfaction_rate DESC NULLS LAST, c.dissatisfied DESC, c.dealer_id
