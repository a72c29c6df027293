-- alert-outbox-enqueue: one alert for one channel; nothing when that alert is already in the outbox
-- (the key is the warning's), so a rescan never sends twice. Returns a row when it was added.
-- $1 text     tenant                 $5 json        payload (the alert as sent)
-- $2 text     alert key              $6 text        Zendesk ticket id for a note, or NULL
-- $3 text     channel                $7 boolean     test
-- $4 text     warning code           $8 timestamptz now
--                                     $9 timestamptz first attempt due
INSERT INTO alert_outbox (tenant, alert_key, channel, code, payload, ticket_id, test, next_attempt_at, created_at)
VALUES ($1, $2, $3, $4, $5::json, $6, $7, $9, $8)
ON CONFLICT (tenant, alert_key, channel) DO NOTHING
RETURNING 1;
