-- The load log, newest first, at most $limit loads; said: the sentences as catalog messages (worded by etl.wording).
SELECT load_id, file_name, kind, status, rows_read, rows_loaded, rows_rejected, message, warnings, notes,
       started_at, finished_at, archived_as, sha256, CAST(details->'said' AS VARCHAR) AS said
FROM load_log ORDER BY load_id DESC LIMIT $limit
