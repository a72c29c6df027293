-- inbox-quarantined: one page of a tenant's inbox events in one state (quarantined, ignored, ...), newest first.
-- $1 text          tenant
-- $2 timestamptz   cursor: received_at of the last row of the previous page, or NULL
-- $3 text          cursor: event_id of that row
-- $4 int           rows to return
-- $5 text          state ('quarantined', 'ignored', 'pending', 'stored'); indexed for quarantined and ignored
-- cursor_at is received_at to the microsecond, as stored: a cursor in milliseconds would skip the
-- rest of the page's last millisecond, e.g. the other rows of one batched insert (same now()).
SELECT source, event_id, received_at, processed_at, attempts, mapping_version, outcome, body,
       to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
FROM intake_inbox
WHERE tenant = $1 AND state = $5::text
  AND ($2::timestamptz IS NULL OR (received_at, event_id) < ($2::timestamptz, $3::text))
ORDER BY received_at DESC, event_id DESC
LIMIT $4;
