-- insert-events: appends a batch of already-chained rows (chain-advance.sql moves the heads after).
-- $1 json   array of rows {tenant, seq, id, kind, status_before, status_after, occurred_at,
--           recorded_at, subject_id, public (object), sealed (base64), prev_hash, hash}
INSERT INTO standing_events
  (tenant, seq, id, kind, status_before, status_after, occurred_at, recorded_at, subject_id, public, sealed, prev_hash, hash)
SELECT tenant, seq, id, kind, status_before, status_after, occurred_at, recorded_at, subject_id, public,
       decode(sealed, 'base64'), prev_hash, hash
FROM json_to_recordset($1::json) AS r(
  tenant text, seq bigint, id uuid, kind text, status_before text, status_after text, occurred_at timestamptz,
  recorded_at timestamptz, subject_id uuid, public jsonb, sealed text, prev_hash text, hash text);
