-- How the scope's callbacks answered each question of the form: question, answer ($yes / $no / $blank
-- for the yes-no questions, 1..5 / $blank for satisfaction), callbacks, and share (definitions'
-- answer_share: of all callbacks of the question); questions in the order of $questions.
WITH answers AS (
    SELECT CASE WHEN f.reached IS NULL THEN $blank WHEN f.reached THEN $yes ELSE $no END AS reached,
           CASE WHEN f.service_confirmed IS NULL THEN $blank WHEN f.service_confirmed THEN $yes ELSE $no END
               AS service_confirmed,
           CASE WHEN f.resolved IS NULL THEN $blank WHEN f.resolved THEN $yes ELSE $no END AS resolved,
           CASE WHEN f.on_time IS NULL THEN $blank WHEN f.on_time THEN $yes ELSE $no END AS on_time,
           coalesce(CAST(f.satisfaction AS VARCHAR), $blank) AS satisfaction,
           CASE WHEN f.complaint IS NULL THEN $blank WHEN f.complaint THEN $yes ELSE $no END AS complaint
    FROM callback_facts f JOIN dealers d USING (dealer_id)
    WHERE {{ scope }}
), combinations AS (  -- callbacks per combination of answers (a few hundred): what is unpivoted (issue 13)
    SELECT reached, service_confirmed, resolved, on_time, satisfaction, complaint, count(*) AS callbacks
    FROM answers GROUP BY ALL
), counted AS (
    SELECT question, answer, CAST(sum(callbacks) AS BIGINT) AS callbacks
    FROM combinations
    UNPIVOT (answer FOR question IN (reached, service_confirmed, resolved, on_time, satisfaction, complaint))
    GROUP BY question, answer
)
SELECT question, answer, callbacks, rate_answer_share(callbacks, sum(callbacks) OVER (PARTITION BY question)) AS share
FROM counted
ORDER BY list_position($questions, question), answer
