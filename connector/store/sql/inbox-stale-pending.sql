-- inbox-stale-pending: events accepted a while ago and still not processed (their job was lost,
-- e.g. Redis restarted without persistence); the sweeper enqueues them again.
-- $1 int   age in milliseconds
-- $2 int   rows to return
SELECT tenant, source, event_id, attempts
FROM intake_inbox
WHERE state = 'pending' AND received_at < now() - make_interval(secs => $1::double precision / 1000)
ORDER BY received_at
LIMIT $2;
