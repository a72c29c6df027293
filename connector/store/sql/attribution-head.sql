-- attribution-head: under a transaction-scoped lock on the tenant's attribution chain, its last
-- record (none for a new chain) and which of some events already have a record.
-- $1 text   tenant
-- $2 json   array of event ids (uuid) about to be attributed
SELECT h.seq, h.hash, already.ids
FROM (SELECT pg_advisory_xact_lock(hashtextextended('standing.attribution:' || $1, 0))) AS lock
LEFT JOIN LATERAL (
  SELECT seq, hash FROM event_attributions WHERE tenant = $1 ORDER BY seq DESC LIMIT 1
) AS h ON true
CROSS JOIN LATERAL (
  SELECT coalesce(json_agg(event_id), '[]'::json) AS ids FROM event_attributions
  WHERE tenant = $1 AND event_id IN (SELECT (json_array_elements_text($2::json))::uuid)
) AS already;
