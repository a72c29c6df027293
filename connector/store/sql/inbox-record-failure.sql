-- inbox-record-failure: counts one failed processing attempt of a pending event (not an outage).
-- $1 text   tenant
-- $2 text   source
-- $3 text   event_id
-- Returns   attempts after counting, or no row when the event is no longer pending.
UPDATE intake_inbox
SET attempts = attempts + 1
WHERE tenant = $1 AND source = $2 AND event_id = $3 AND state = 'pending'
RETURNING attempts;
