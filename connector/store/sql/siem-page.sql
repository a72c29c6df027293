-- siem-page: one page of a tenant's log rows in seq order, for the SIEM export and push, each with
-- its subject's kind and wrapped data key (NULL once the subject was erased).
-- $1 text     tenant
-- $2 bigint   return rows with seq greater than this (the cursor)
-- $3 int      rows to return
-- $4 bigint   highest seq to return, or NULL for no bound
SELECT e.seq, e.id, e.kind, e.status_before, e.status_after, e.occurred_at, e.recorded_at, e.subject_id, e.public,
       translate(encode(e.sealed, 'base64'), E'\n', '') AS sealed, e.prev_hash, e.hash,
       s.kind AS subject_kind, s.wrapped_key
FROM standing_events e
JOIN subjects s ON s.tenant = e.tenant AND s.subject_id = e.subject_id
WHERE e.tenant = $1 AND e.seq > $2 AND ($4::bigint IS NULL OR e.seq <= $4)
ORDER BY e.seq
LIMIT $3;
