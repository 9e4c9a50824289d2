-- Conduct issues reported at the scope's callbacks (收礼, 吸烟, 未穿鞋套 ...) counted per dealer and issue;
-- an answer naming several issues (separated by 、 , ， ; ；/) counts once for each.
SELECT f.dealer_id, d.dealer_name, trim(issue) AS conduct_issue, count(*) AS callbacks
FROM callback_facts f JOIN dealers d USING (dealer_id),
     unnest(regexp_split_to_array(f.conduct_issue, '[、,，;；/]')) AS u(issue)
WHERE {{ scope }} AND nullif(trim(issue), '') IS NOT NULL
GROUP BY ALL ORDER BY f.dealer_id, callbacks DESC, conduct_issue
