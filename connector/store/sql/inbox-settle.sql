-- inbox-settle: records what processing concluded for a batch of inbox rows.
-- $1 json   array of {tenant, source, event_id, state ('stored'|'ignored'|'quarantined'), outcome (object), mapping_version}
UPDATE intake_inbox i
SET state = s.state, outcome = s.outcome, mapping_version = s.mapping_version, processed_at = now(), attempts = i.attempts + 1
FROM json_to_recordset($1::json) AS s(tenant text, source text, event_id text, state text, outcome jsonb, mapping_version integer)
WHERE i.tenant = s.tenant AND i.source = s.source AND i.event_id = s.event_id;
