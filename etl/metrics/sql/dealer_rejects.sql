-- Rejected rows awaiting correction, of the scope's dealers: the rows the newest load of each file
-- rejected (a file sent again corrected loads under its name and rejects none of them), with the dealer
-- the row names (its cell under the header the load mapped to dealer_id; rows naming no known dealer
-- have none and are left out); not yet masked (privacy.masked_rejects reads the load's details), the
-- problems for etl.wording.rejects_in_words.
WITH newest AS (
    SELECT file_name, max(load_id) AS load_id FROM load_log WHERE status = 'loaded' GROUP BY file_name
), dealer_header AS (
    SELECT l.load_id, l.details,
           list_filter(CAST(l.details -> '$.mapping' AS VARCHAR[][]), lambda pair: pair[2] = 'dealer_id')[1][1] AS header
    FROM load_log l SEMI JOIN newest n USING (load_id)
), named_rows AS (
    SELECT r.load_id, r.file_name, r.kind, r.sheet, r.row_no, r.reason, r.raw_values, r.problems,
           h.details, r.raw_values ->> h.header AS dealer_id
    FROM rejects r JOIN dealer_header h USING (load_id)
)
SELECT d.dealer_id, d.dealer_name, n.load_id, n.file_name, n.kind, n.sheet, n.row_no, n.reason, n.raw_values,
       n.problems, n.details
FROM named_rows n JOIN dealers d ON d.dealer_id = trim(n.dealer_id)
WHERE {{ scope }}
ORDER BY d.dealer_id, n.load_id, n.row_no
