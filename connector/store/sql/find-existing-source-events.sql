-- find-existing-source-events: which of a batch's source events are already in the log.
-- Run after lock-chain-heads, so it sees every row committed by writers that held the lock before.
-- v2 rows keep a keyed digest of the source event id, v1 rows (written before migration 013) the id itself:
-- both are looked up, so a redelivery of an event stored before the upgrade stays a duplicate.
-- $1 json   array of {tenant, system, event_id (the digest), legacy_event_id (the provider's id)}
-- Returns   tenant, system, event_id (the digest asked for), seq, id of each one already stored.
SELECT k.tenant, k.system, k.event_id, e.seq, e.id
FROM json_to_recordset($1::json) AS k(tenant text, system text, event_id text, legacy_event_id text)
JOIN standing_events e
  ON e.tenant = k.tenant AND e.source_system = k.system AND e.source_event_id = k.event_id
UNION ALL
SELECT k.tenant, k.system, k.event_id, e.seq, e.id
FROM json_to_recordset($1::json) AS k(tenant text, system text, event_id text, legacy_event_id text)
JOIN standing_events e
  ON e.tenant = k.tenant AND e.source_system = k.system AND e.source_event_id = k.legacy_event_id;
