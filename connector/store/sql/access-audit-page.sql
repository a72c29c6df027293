-- access-audit-page: a page of a tenant's audit rows in seq order, exactly as hashed.
-- $1 text     tenant
-- $2 bigint   rows after this seq
-- $3 uuid     only rows naming this subject (NULL: all)
-- $4 text[]   only rows of one of these actions (NULL: all)
-- $5 integer  at most this many rows
-- $6 bigint   only rows up to this seq (NULL: no bound)
-- Returns     tenant, seq, id, at (ISO 8601 UTC, ms), action, principal, path, subject_ids (json
--             array), outcome, detail, prev_hash, hash
SELECT tenant, seq, id::text AS id,
       to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
       action, principal, path, to_json(subject_ids) AS subject_ids, outcome, detail, prev_hash, hash
FROM access_audit
WHERE tenant = $1
  AND seq > $2
  AND ($3::uuid IS NULL OR subject_ids @> ARRAY[$3::uuid])
  AND ($4::text[] IS NULL OR action = ANY($4::text[]))
  AND ($6::bigint IS NULL OR seq <= $6::bigint)
ORDER BY seq
LIMIT $5;
