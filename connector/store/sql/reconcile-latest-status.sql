-- reconcile-latest-status: for each identity digest, the subject it names and the status of that
-- subject's latest entry from one source system that carries one (by occurred_at, then seq), with
-- its time. Per source: a person known to both Zendesk and Salesforce is compared with each
-- system's own last word, so the two never undo each other's findings.
-- $1 text tenant   $2 json array of {k (caller's key), digest}   $3 text source system
-- Returns  k, subject_id, status_after, occurred_at (ISO text); only digests that name a subject
--          with at least one status entry.
SELECT d.k, i.subject_id, cur.status_after,
       to_char(cur.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at
FROM json_to_recordset($2::json) AS d(k text, digest text)
JOIN subject_identities i ON i.tenant = $1 AND i.digest = d.digest
JOIN LATERAL (
  SELECT status_after, occurred_at FROM standing_events
  WHERE tenant = $1 AND subject_id = i.subject_id AND status_after IS NOT NULL AND source_system = $3
  ORDER BY occurred_at DESC, seq DESC
  LIMIT 1
) AS cur ON true;
