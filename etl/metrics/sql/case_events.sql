-- Issue 16: every event that opens a case, from the metric layer's own definitions: complaints merged as
-- the complaints view merges them (one per dealer and record, or per lone event without a record), fake
-- records and dissatisfied answers (callback_facts' is_fake / is_dissatisfied), missed requests (the
-- requests view), callbacks naming a conduct issue. One row per event with a key that stays the same
-- across reloads and resubmitted reports; only the kinds in $kinds. Watchlist lines join in Python
-- (etl/cases.py), where the watchlist is computed. Only the months $first..$last (first days; every
-- month: 0001-01-01..9999-12-01, as the requests view) of all kinds but complaints, whose month moves
-- with their first event: a load's pass reads the months it refreshed through the requests' macro.
SELECT * FROM (
    SELECT 'complaint' AS kind,
           'complaint|' || dealer_id || '|' || coalesce('record ' || record_no, evidence) AS event_key,
           dealer_id,
           CASE WHEN record_no IS NULL THEN CAST([] AS VARCHAR[]) ELSE [record_no] END AS records,
           evidence, first_event_at AS event_at, month, CAST(NULL AS VARCHAR) AS detail
    FROM complaints
    UNION ALL
    SELECT 'fake_record', 'fake_record|' || callback_id, dealer_id,
           CASE WHEN record_no IS NULL THEN CAST([] AS VARCHAR[]) ELSE [record_no] END,
           'hq_callback ' || callback_id, called_at, month, comment
    FROM callback_facts WHERE is_fake AND month BETWEEN $first AND $last
    UNION ALL
    SELECT 'dissatisfied', 'dissatisfied|' || callback_id, dealer_id,
           CASE WHEN record_no IS NULL THEN CAST([] AS VARCHAR[]) ELSE [record_no] END,
           'hq_callback ' || callback_id, called_at, month, CAST(satisfaction AS VARCHAR)
    FROM callback_facts WHERE is_dissatisfied AND month BETWEEN $first AND $last
    UNION ALL
    SELECT 'missed_request',
           'missed_request|' || dealer_id || '|' || strftime(month, '%Y-%m') || '|' || request_source || ' ' || request_id,
           dealer_id,
           CASE WHEN request_source = 'repair_record' THEN [request_id] ELSE CAST([] AS VARCHAR[]) END,
           request_source || ' ' || request_id, requested_at, month, miss_reason
    FROM requests_from('repair_records', $first, $last) WHERE missed
    UNION ALL
    SELECT 'conduct_issue', 'conduct_issue|' || callback_id, dealer_id,
           CASE WHEN record_no IS NULL THEN CAST([] AS VARCHAR[]) ELSE [record_no] END,
           'hq_callback ' || callback_id, called_at, month, trim(conduct_issue)
    FROM callback_facts WHERE nullif(trim(conduct_issue), '') IS NOT NULL AND month BETWEEN $first AND $last
) e
WHERE list_contains($kinds, kind)
