-- inbox-settle: records what processing concluded for a batch of inbox rows. A row only moves from
-- the state the worker loaded it in: still pending, and (when given) with the attempts it had then.
-- A stale job (a replay raced it, another worker settled it first) changes nothing.
-- $1 json   array of {tenant, source, event_id, state ('stored'|'ignored'|'quarantined'), outcome (object),
--           mapping_version, loaded_attempts (integer or null: any)}
UPDATE intake_inbox i
SET state = s.state, outcome = s.outcome, mapping_version = s.mapping_version, processed_at = now(), attempts = i.attempts + 1
FROM json_to_recordset($1::json) AS s(tenant text, source text, event_id text, state text, outcome jsonb, mapping_version integer, loaded_attempts integer)
WHERE i.tenant = s.tenant AND i.source = s.source AND i.event_id = s.event_id
  AND i.state = 'pending' AND (s.loaded_attempts IS NULL OR i.attempts = s.loaded_attempts);
