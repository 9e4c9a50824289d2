-- Issue 16: one case's history, oldest first: who changed which field when, from what to what.
SELECT changed_at, author, field, old_value, new_value, version
FROM case_history WHERE case_id = $case_id
ORDER BY changed_at, version, field
