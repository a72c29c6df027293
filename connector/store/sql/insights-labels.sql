-- insights-labels: for the drill-down, each subject's kind, wrapped key (null once erased) and latest
-- event (sealed), whose identities name the customer.
-- $1 text    tenant
-- $2 uuid[]  subject ids
-- Returns    subject_id, kind, wrapped_key, label_id, label_sealed (base64)
SELECT s.subject_id, s.kind, s.wrapped_key, lbl.id AS label_id,
       translate(encode(lbl.sealed, 'base64'), E'\n', '') AS label_sealed
FROM subjects s
LEFT JOIN LATERAL (
  SELECT id, sealed FROM standing_events
  WHERE tenant = $1 AND subject_id = s.subject_id
  ORDER BY occurred_at DESC, seq DESC
  LIMIT 1
) AS lbl ON true
WHERE s.tenant = $1 AND s.subject_id = ANY ($2::uuid[]);
