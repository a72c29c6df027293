-- alert-outbox-claim: takes due pending alerts for delivery, pushing their next attempt a lease ahead
-- so a crashed deliverer's alerts are tried again after the lease, and two deliverers never take
-- the same row (SKIP LOCKED).
-- $1 timestamptz   now
-- $2 int           most rows
-- $3 bigint        lease in milliseconds
-- $4 text          only this tenant, or NULL for all
UPDATE alert_outbox o SET next_attempt_at = $1::timestamptz + $3::bigint * interval '1 millisecond'
FROM (
  SELECT tenant, alert_key, channel FROM alert_outbox
  WHERE state = 'pending' AND next_attempt_at <= $1 AND ($4::text IS NULL OR tenant = $4)
  ORDER BY next_attempt_at
  LIMIT $2
  FOR UPDATE SKIP LOCKED
) due
WHERE o.tenant = due.tenant AND o.alert_key = due.alert_key AND o.channel = due.channel
RETURNING o.tenant, o.alert_key, o.channel, o.code, o.payload, o.ticket_id, o.test, o.attempts;
