-- erasure-record: destroys the keys and identity index of erased subjects, appends one `erasure`
-- entry per subject (rows already chained by the caller under the head lock), and records each
-- erasure; the caller then moves the head (store/sql/chain-advance.sql). The `UPDATE subjects` is
-- what every writer checks under the head lock.
-- $1 text   tenant
-- $2 json   array of chained rows (as insert-events.sql) {tenant, seq, id, kind, status_before, status_after,
--           occurred_at, recorded_at, subject_id, public, sealed (base64), prev_hash, hash}
-- $3 json   array of {subject_id, actor, reason, seq, removed (object)}
WITH ids AS (
  DELETE FROM subject_identities i
  USING json_to_recordset($3::json) AS k(subject_id uuid)
  WHERE i.tenant = $1 AND i.subject_id = k.subject_id
  RETURNING 1
), keys AS (
  UPDATE subjects s SET wrapped_key = NULL, erased_at = now()
  FROM json_to_recordset($3::json) AS k(subject_id uuid)
  WHERE s.tenant = $1 AND s.subject_id = k.subject_id AND s.erased_at IS NULL
  RETURNING 1
), inserted AS (
  INSERT INTO standing_events
    (tenant, seq, id, kind, status_before, status_after, occurred_at, recorded_at, subject_id, public, sealed, prev_hash, hash)
  SELECT tenant, seq, id, kind, status_before, status_after, occurred_at, recorded_at, subject_id, public,
         decode(sealed, 'base64'), prev_hash, hash
  FROM json_to_recordset($2::json) AS r(
    tenant text, seq bigint, id uuid, kind text, status_before text, status_after text, occurred_at timestamptz,
    recorded_at timestamptz, subject_id uuid, public jsonb, sealed text, prev_hash text, hash text)
  RETURNING 1
)
INSERT INTO subject_erasures (tenant, subject_id, actor, reason, seq, removed)
SELECT $1, subject_id, actor, reason, seq, removed
FROM json_to_recordset($3::json) AS k(subject_id uuid, actor text, reason text, seq bigint, removed jsonb);
