-- attribution-of-events: the attribution records of some events, with their subject's wrapped key
-- (NULL once erased).
-- $1 text   tenant
-- $2 json   array of event ids (uuid)
SELECT a.id, a.event_id, a.subject_id,
       to_char(a.read_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS read_at,
       a.public, a.sealed, s.wrapped_key
FROM event_attributions a
JOIN subjects s ON s.tenant = a.tenant AND s.subject_id = a.subject_id
WHERE a.tenant = $1 AND a.event_id IN (SELECT (json_array_elements_text($2::json))::uuid);
