-- transition-existing: for reconciliation findings, the log entry (of any origin) that already
-- records the same subject reaching the same status inside the finding's window. Run under the
-- chain-head lock, so an event appended by another writer just before is seen.
-- $1 json   array of {i (the finding's index in the batch), tenant, subject_id, status_after, window_from, window_to}
-- Returns   i, seq, id, source_event_id: the earliest such entry per finding.
SELECT DISTINCT ON (k.i) k.i, e.seq, e.id, e.source_event_id
FROM json_to_recordset($1::json) AS k(i integer, tenant text, subject_id uuid, status_after text, window_from timestamptz, window_to timestamptz)
JOIN standing_events e
  ON e.tenant = k.tenant AND e.subject_id = k.subject_id
 AND e.occurred_at BETWEEN k.window_from AND k.window_to AND e.status_after = k.status_after
ORDER BY k.i, e.seq;
