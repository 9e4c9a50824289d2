-- Each kind of problem with how many rejected rows have it: kind, code, col, detail and detail_zh (only
-- for the codes in $detail_kept, whose detail names no value), reason, rows. Rows loaded before
-- problems were kept as data have no code: `reason` is their English wording with its quoted values
-- and numbers taken out.
WITH p AS (
    SELECT kind, unnest(from_json(problems, '[{"code": "VARCHAR", "col": "VARCHAR", "detail": "VARCHAR",
                                                "detail_zh": "VARCHAR"}]')) AS p
    FROM rejects WHERE problems IS NOT NULL)
SELECT kind, p.code, p.col,
       CASE WHEN list_contains($detail_kept, p.code) THEN p.detail END AS detail,
       CASE WHEN list_contains($detail_kept, p.code) THEN p.detail_zh END AS detail_zh,
       CAST(NULL AS VARCHAR) AS reason, count(*) AS rows
FROM p GROUP BY ALL
UNION ALL
SELECT NULL, NULL, NULL, NULL, NULL,
       regexp_replace(regexp_replace(reason, 'has columns: [^;]*', 'has columns', 'g'),
                      '("[^"]*"|\s\S*\d\S*)', '', 'g'), count(*)
FROM rejects WHERE problems IS NULL GROUP BY ALL
