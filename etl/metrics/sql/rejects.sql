-- Rejected rows, newest load first (of the file $file_name, or of every file when it is empty), with
-- their problems and the load's details (header mapping) for masking; not yet masked.
SELECT r.load_id, r.file_name, r.kind, r.sheet, r.row_no, r.reason, r.raw_values, r.problems, l.details
FROM rejects r LEFT JOIN load_log l USING (load_id)
WHERE $file_name IS NULL OR r.file_name = $file_name
ORDER BY r.load_id DESC, r.row_no
