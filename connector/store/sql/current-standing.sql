-- current-standing: a customer's current status and when it began (the start of the latest run of
-- events that carry that status; observations that repeat it do not reset the clock).
-- $1 text   tenant
-- $2 json   array of identity digests (blind indexes): every subject any of them belongs to counts
-- Returns   at most one row: status, since, event_count
WITH status_events AS (
  SELECT status_after, occurred_at, seq,
         lag(status_after) OVER (ORDER BY occurred_at, seq) AS previous_status
  FROM standing_events
  WHERE tenant = $1
    AND subject_id IN (
      SELECT subject_id FROM subject_identities
      WHERE tenant = $1 AND digest IN (SELECT json_array_elements_text($2::json))
    )
    AND status_after IS NOT NULL
)
SELECT status_after AS status, occurred_at AS since
FROM status_events
WHERE previous_status IS DISTINCT FROM status_after
ORDER BY occurred_at DESC, seq DESC
LIMIT 1;
