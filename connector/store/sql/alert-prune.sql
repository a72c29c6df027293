-- alert-prune: forgets the delivery log rows and the settled alerts older than the cut (pending alerts stay).
-- $1 timestamptz   the cut
WITH d AS (DELETE FROM alert_deliveries WHERE at < $1 RETURNING 1),
     o AS (DELETE FROM alert_outbox WHERE state <> 'pending' AND settled_at < $1 RETURNING 1)
SELECT (SELECT count(*) FROM d)::int AS deliveries, (SELECT count(*) FROM o)::int AS alerts;
