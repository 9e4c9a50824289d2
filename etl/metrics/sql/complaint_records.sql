-- Record list: distinct complaints of dealer $dealer_id with the events merged into each, in the month
-- of the earliest event; personal data masked.
WITH events AS (
    SELECT dealer_id, record_no,
           CASE WHEN record_no IS NULL THEN source || ' ' || event_id END AS lone_event,
           bool_or(source = 'hq_callback') AS via_callback,
           bool_or(source = 'hotline_ticket') AS via_hotline,
           string_agg(event_id, ', ' ORDER BY event_at, event_id) AS event_ids
    FROM complaint_events WHERE dealer_id = $dealer_id
    GROUP BY dealer_id, record_no, lone_event
)
SELECT c.month, c.first_event_at, c.record_no, c.events, e.via_callback, e.via_hotline, e.event_ids,
       r.product_model,
       masked_name(r.customer_name) AS customer_name, masked_phone(r.customer_phone) AS customer_phone
FROM complaints c
JOIN events e ON e.dealer_id = c.dealer_id AND e.record_no IS NOT DISTINCT FROM c.record_no
             AND (c.record_no IS NOT NULL OR c.evidence = e.lone_event)
LEFT JOIN latest_repairs r ON r.dealer_id = c.dealer_id AND r.record_no = c.record_no
WHERE c.dealer_id = $dealer_id AND {{ months }}
ORDER BY c.first_event_at, e.event_ids
