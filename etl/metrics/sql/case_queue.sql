-- Issue 16: the cases of the scope's dealers (every month: a case waits whatever the months shown), each
-- with its dealer, age in whole days at $now, whether it is open and overdue, and the later callback on
-- its record that re-checks it (a callback after the event, newest first); withdrawn cases included.
WITH scoped AS (  -- the scope's cases first: the re-check search below reads only theirs
    SELECT c.* FROM cases c JOIN dealers d USING (dealer_id) WHERE {{ scope }}
), later AS (
    SELECT c.case_id, max(b.called_at) AS recheck_called_at,
           arg_max(b.callback_id, b.called_at) AS recheck_callback
    FROM scoped c, unnest(c.records) AS u(record_no)
    JOIN callbacks b ON b.dealer_id = c.dealer_id AND b.record_no = u.record_no AND b.called_at > c.event_at
    GROUP BY c.case_id
)
SELECT c.case_id, c.kind, c.status, c.dealer_id, d.dealer_name, d.region, d.province, c.owner,
       c.opened_at, c.due_at, date_diff('day', c.opened_at, CAST($now AS TIMESTAMP)) AS age_days,
       case_is_open(c.status) AS is_open, case_overdue(c.status, c.due_at, CAST($now AS TIMESTAMP)) AS overdue,
       c.month, c.event_at, c.records, c.evidence, c.detail, c.root_cause, c.root_cause_text, c.action,
       c.recheck, c.recheck_note, c.resolved_at, c.closed_at, c.times_closed, c.times_reopened,
       l.recheck_callback, l.recheck_called_at, c.version, c.updated_by, c.updated_at, c.event_key
FROM scoped c JOIN dealers d USING (dealer_id)
LEFT JOIN later l USING (case_id)
ORDER BY overdue DESC, is_open DESC, c.due_at, c.case_id
