-- When the newest file that loaded finished: the 'data as of' a page shows.
SELECT max(finished_at) AS finished_at FROM load_log WHERE status = 'loaded'
