-- alert-scan-page: the subjects of a tenant's log rows after the alert cursor, in seq order.
-- $1 text     tenant
-- $2 bigint   rows with seq greater than this (the cursor)
-- $3 int      rows to read
SELECT seq, id, subject_id
FROM standing_events
WHERE tenant = $1 AND seq > $2
ORDER BY seq
LIMIT $3;
