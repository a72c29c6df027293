-- attribution-head: the last link of a tenant's attribution chain (its last record; else the boundary a
-- retention cut left; none for a new chain), which of some events already have a record, and the last
-- log seq retention removed (an event at or before it is gone: its attribution is not written). Run
-- after attribution-lock.sql in the same transaction, so this statement sees what a cut committed.
-- $1 text   tenant
-- $2 json   array of event ids (uuid) about to be attributed
SELECT h.seq, h.hash, already.ids, cut.through AS removed_through
FROM (SELECT 1) AS one
LEFT JOIN LATERAL (
  SELECT seq, hash FROM (
    (SELECT seq, hash FROM event_attributions WHERE tenant = $1 ORDER BY seq DESC LIMIT 1)
    UNION ALL
    (SELECT seq, hash FROM attribution_boundaries WHERE tenant = $1 ORDER BY seq DESC LIMIT 1)
  ) AS links ORDER BY seq DESC LIMIT 1
) AS h ON true
CROSS JOIN LATERAL (
  SELECT coalesce(json_agg(event_id), '[]'::json) AS ids FROM event_attributions
  WHERE tenant = $1 AND event_id IN (SELECT (json_array_elements_text($2::json))::uuid)
) AS already
CROSS JOIN LATERAL (
  SELECT max(seq) AS through FROM chain_boundaries WHERE tenant = $1
) AS cut;
