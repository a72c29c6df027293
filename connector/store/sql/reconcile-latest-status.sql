-- reconcile-latest-status: which records' observed status disagrees with the log. For each identity
-- digest, the subject it names and the status of that subject's latest entry from one source system
-- that carries one (by occurred_at, then seq). Per source: a person known to both Zendesk and
-- Salesforce is compared with each system's own last word, so the two never undo each other.
-- Only disagreements come back (an unchanged page returns no rows).
-- $1 text tenant   $2 json array of {k (caller's key), digest, status (observed now)}   $3 text source system
-- Returns  k, subject_id, status_after, occurred_at (ISO text) for each k whose latest status is not
--          the observed one; subject_id and status_after are NULL when the log has no status for it.
SELECT d.k, i.subject_id, cur.status_after,
       to_char(cur.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at
FROM json_to_recordset($2::json) AS d(k text, digest text, status text)
LEFT JOIN subject_identities i ON i.tenant = $1 AND i.digest = d.digest
LEFT JOIN LATERAL (
  SELECT status_after, occurred_at FROM standing_events
  WHERE tenant = $1 AND subject_id = i.subject_id AND status_after IS NOT NULL AND source_system = $3
  ORDER BY occurred_at DESC, seq DESC
  LIMIT 1
) AS cur ON true
WHERE cur.status_after IS DISTINCT FROM d.status;
