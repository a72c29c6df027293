-- transition-claims-record: records the claims of reconciliation entries just appended, and marks
-- the claims live events were matched to (each claim matches one live event).
-- $1 json   new claims: array of {tenant, seq, subject_id, status_after, window_from, window_to}
-- $2 json   matched claims: array of {tenant, seq, source_event_id (the live event's)}
WITH added AS (
  INSERT INTO transition_claims (tenant, seq, subject_id, status_after, window_from, window_to)
  SELECT tenant, seq, subject_id, status_after, window_from, window_to
  FROM json_to_recordset($1::json) AS c(tenant text, seq bigint, subject_id uuid, status_after text, window_from timestamptz, window_to timestamptz)
  RETURNING seq
)
UPDATE transition_claims c SET matched_source_event_id = m.source_event_id
FROM json_to_recordset($2::json) AS m(tenant text, seq bigint, source_event_id text)
WHERE c.tenant = m.tenant AND c.seq = m.seq AND c.matched_source_event_id IS NULL;
