-- access-audit-append: appends one row to a tenant's audit chain in one statement. The head row is
-- created at genesis or moved one link forward; its row lock serializes appends of the tenant, and
-- the hash is computed here from the record's JCS text (see connector/audit/audit-chain.ts).
-- $1 text   tenant ('*' for denials not tied to a tenant)
-- $2 text   JCS text of the record up to the prev_hash value
-- $3 text   JCS text between the prev_hash value and the seq value
-- $4 text   JCS text after the seq value
-- $5 json   {id, at, action, principal (object), path, subject_ids (array of uuid), outcome, detail (object)}
-- Returns   seq, hash of the new row
WITH head AS (
  INSERT INTO access_audit_heads AS h (tenant, seq, prev_hash, hash)
  VALUES ($1::text, 1, repeat('0', 64),
          encode(sha256(convert_to($2::text || repeat('0', 64) || $3::text || '1' || $4::text, 'UTF8')), 'hex'))
  ON CONFLICT (tenant) DO UPDATE
  SET seq = h.seq + 1,
      prev_hash = h.hash,
      hash = encode(sha256(convert_to($2::text || h.hash || $3::text || (h.seq + 1)::text || $4::text, 'UTF8')), 'hex')
  RETURNING seq, prev_hash, hash
)
INSERT INTO access_audit (tenant, seq, id, at, action, principal, path, subject_ids, outcome, detail, prev_hash, hash)
SELECT $1::text, head.seq, r.id, r.at, r.action, r.principal, r.path,
       ARRAY(SELECT json_array_elements_text(r.subject_ids))::uuid[], r.outcome, r.detail, head.prev_hash, head.hash
FROM head, json_to_record($5::json) AS r(
  id uuid, at timestamptz, action text, principal jsonb, path text, subject_ids json, outcome text, detail jsonb)
RETURNING seq, hash;
