-- insert-events: appends a batch of already-chained rows and moves each tenant's head, in one statement.
-- $1 json   array of rows {tenant, seq, id, kind, status_before, status_after, occurred_at,
--           recorded_at, subject_id, public (object), sealed (base64), prev_hash, hash}
-- $2 json   array of new heads {tenant, seq, hash}
WITH inserted AS (
  INSERT INTO standing_events
    (tenant, seq, id, kind, status_before, status_after, occurred_at, recorded_at, subject_id, public, sealed, prev_hash, hash)
  SELECT tenant, seq, id, kind, status_before, status_after, occurred_at, recorded_at, subject_id, public,
         decode(sealed, 'base64'), prev_hash, hash
  FROM json_to_recordset($1::json) AS r(
    tenant text, seq bigint, id uuid, kind text, status_before text, status_after text, occurred_at timestamptz,
    recorded_at timestamptz, subject_id uuid, public jsonb, sealed text, prev_hash text, hash text)
  RETURNING 1
)
UPDATE chain_heads h
SET seq = n.seq, hash = n.hash
FROM json_to_recordset($2::json) AS n(tenant text, seq bigint, hash text)
WHERE h.tenant = n.tenant;
