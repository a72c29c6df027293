-- attribution-insert: appends chained attribution records (seq, prev_hash and hash computed by the
-- caller under the lock taken by attribution-head.sql).
-- $1 json   array of {tenant, seq, id, event_id, event_seq, subject_id, read_at, public, sealed (base64),
--           prev_hash, hash}
INSERT INTO event_attributions (tenant, seq, id, event_id, event_seq, subject_id, read_at, public, sealed, prev_hash, hash)
SELECT r.tenant, r.seq, r.id, r.event_id, r.event_seq, r.subject_id, r.read_at, r.public, decode(r.sealed, 'base64'),
       r.prev_hash, r.hash
FROM json_to_recordset($1::json) AS r(tenant text, seq bigint, id uuid, event_id uuid, event_seq bigint,
  subject_id uuid, read_at timestamptz, public jsonb, sealed text, prev_hash text, hash text);
