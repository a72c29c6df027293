-- inbox-load: the inbox rows for some keys that still wait for processing.
-- $1 json   array of {tenant, source, event_id}
-- Returns   tenant, source, event_id, body, meta, received_at, attempts of the pending ones.
SELECT i.tenant, i.source, i.event_id, i.body, i.meta, i.received_at, i.attempts
FROM json_to_recordset($1::json) AS k(tenant text, source text, event_id text)
JOIN intake_inbox i ON i.tenant = k.tenant AND i.source = k.source AND i.event_id = k.event_id
WHERE i.state = 'pending';
