-- inbox-accept: records accepted provider events before the sender is answered; repeats are ignored.
-- $1 json   array of {tenant, source, event_id, body (object), meta (object)}
-- Returns   tenant, source, event_id of the rows newly written (absent ones were duplicates).
INSERT INTO intake_inbox (tenant, source, event_id, body, meta)
SELECT tenant, source, event_id, body, meta
FROM json_to_recordset($1::json) AS e(tenant text, source text, event_id text, body jsonb, meta jsonb)
ON CONFLICT (tenant, source, event_id) DO NOTHING
RETURNING tenant, source, event_id;
