-- attribution-pending: the next log rows the attribution job has not looked at, oldest first, with
-- their subject's wrapped key (NULL once erased).
-- $1 text     tenant
-- $2 bigint   the job's cursor: the last seq looked at
-- $3 int      rows to return
SELECT e.seq, e.id, e.kind, e.status_before, e.status_after,
       to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at,
       to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at,
       e.subject_id, e.public,
       translate(encode(e.sealed, 'base64'), E'\n', '') AS sealed,
       s.kind AS about, s.wrapped_key
FROM standing_events e
JOIN subjects s ON s.tenant = e.tenant AND s.subject_id = e.subject_id
WHERE e.tenant = $1 AND e.seq > $2
ORDER BY e.seq
LIMIT $3;
