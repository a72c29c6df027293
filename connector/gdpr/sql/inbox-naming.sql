-- inbox-naming: the inbox rows of a tenant held about a person: rows whose stored entries belong to
-- the person's subjects, and any row whose body names one of the person's identities or tickets as a
-- whole token (so `48213` does not match `148213`). A scan of the tenant's inbox: erasure and access
-- exports are rare. Bodies already redacted by an erasure are skipped.
-- $1 text   tenant
-- $2 json   array of subject ids
-- $3 json   array of POSIX regular expressions, one per identity or ticket id (escaped by the caller),
--           matched case-insensitively against the body's JSON text
-- Returns   source, event_id, state, received_at, processed_at, outcome, body
SELECT i.source, i.event_id, i.state, i.received_at, i.processed_at, i.outcome, i.body
FROM intake_inbox i
WHERE i.tenant = $1
  AND NOT (i.body ? 'redacted')
  AND (
    (i.state = 'stored' AND EXISTS (
      SELECT 1 FROM jsonb_array_elements_text(coalesce(i.outcome -> 'seqs', '[]'::jsonb)) AS q(seq)
      JOIN standing_events e ON e.tenant = i.tenant AND e.seq = q.seq::bigint
      WHERE e.subject_id IN (SELECT value::uuid FROM json_array_elements_text($2::json))))
    OR EXISTS (SELECT 1 FROM json_array_elements_text($3::json) AS n(pattern) WHERE i.body::text ~* n.pattern)
  )
ORDER BY i.received_at, i.source, i.event_id;
