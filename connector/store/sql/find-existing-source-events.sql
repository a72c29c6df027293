-- find-existing-source-events: which of a batch's source events are already in the log.
-- Run after lock-chain-heads, so it sees every row committed by writers that held the lock before.
-- $1 json   array of {tenant, system, event_id}
-- Returns   tenant, system, event_id, seq, id of each one already stored.
SELECT e.tenant, e.source_system AS system, e.source_event_id AS event_id, e.seq, e.id
FROM json_to_recordset($1::json) AS k(tenant text, system text, event_id text)
JOIN standing_events e
  ON e.tenant = k.tenant AND e.source_system = k.system AND e.source_event_id = k.event_id;
