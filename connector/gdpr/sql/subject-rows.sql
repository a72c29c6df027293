-- subject-rows: every retained log row of some subjects, in seq order, exactly as hashed, with the
-- subject's kind and wrapped key (NULL once erased).
-- $1 text   tenant
-- $2 json   array of subject ids
SELECT e.seq, e.id, e.kind, e.status_before, e.status_after,
       to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at,
       to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at,
       e.subject_id, e.public, translate(encode(e.sealed, 'base64'), E'\n', '') AS sealed, e.prev_hash, e.hash,
       s.kind AS about, s.wrapped_key
FROM standing_events e
JOIN subjects s ON s.tenant = e.tenant AND s.subject_id = e.subject_id
WHERE e.tenant = $1 AND e.subject_id IN (SELECT value::uuid FROM json_array_elements_text($2::json))
ORDER BY e.seq;
