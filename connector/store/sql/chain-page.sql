-- chain-page: rows of one tenant's chain in seq order, for verification.
-- $1 text     tenant
-- $2 bigint   return rows with seq greater than this
-- $3 int      rows to return
-- $4 bigint   the head's seq as read when verification began, or NULL for no bound: rows appended
--             since then belong to a later head, which this verification does not vouch for
-- `sealed` comes back as the base64 text the hash covers (PostgreSQL wraps base64 at 76 characters:
-- the newlines are removed).
SELECT tenant, seq, id, kind, status_before, status_after, occurred_at, recorded_at, subject_id, public,
       translate(encode(sealed, 'base64'), E'\n', '') AS sealed, prev_hash, hash
FROM standing_events
WHERE tenant = $1 AND seq > $2 AND ($4::bigint IS NULL OR seq <= $4)
ORDER BY seq
LIMIT $3;
