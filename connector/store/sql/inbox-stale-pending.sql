-- inbox-stale-pending: one page of events accepted a while ago and still not processed, oldest
-- first; the sweeper checks whether their job still exists and re-enqueues the ones whose job is gone.
-- $1 int           age in milliseconds
-- $2 int           rows to return
-- $3 text          cursor: cursor_at of the last row of the previous page, or NULL for the first page
-- $4 text          cursor: tenant of that row
-- $5 text          cursor: source of that row
-- $6 text          cursor: event_id of that row
-- Returns   tenant, source, event_id, attempts, job_round, cursor_at (received_at to the microsecond)
SELECT tenant, source, event_id, attempts, job_round,
       to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
FROM intake_inbox
WHERE state = 'pending' AND received_at < now() - make_interval(secs => $1::double precision / 1000)
  AND ($3::timestamptz IS NULL OR (received_at, tenant, source, event_id) > ($3::timestamptz, $4::text, $5::text, $6::text))
ORDER BY received_at, tenant, source, event_id
LIMIT $2;
