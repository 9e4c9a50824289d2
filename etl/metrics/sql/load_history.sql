-- The load log, newest first, at most $limit loads.
SELECT load_id, file_name, kind, status, rows_read, rows_loaded, rows_rejected, message, warnings, notes,
       started_at, finished_at, archived_as, sha256
FROM load_log ORDER BY load_id DESC LIMIT $limit
