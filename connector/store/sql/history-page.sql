-- history-page: one page of a customer's events, newest first (by when they happened at the source).
-- $1 text          tenant
-- $2 json          array of subject ids (every subject the asked-for identities resolve to)
-- $3 timestamptz   cursor: occurred_at of the last row of the previous page, or NULL for the first page
-- $4 bigint        cursor: seq of that row
-- $5 int           rows to return
SELECT seq, id, kind, status_before, status_after, occurred_at, recorded_at, subject_id, public, sealed
FROM standing_events
WHERE tenant = $1
  AND subject_id IN (SELECT value::uuid FROM json_array_elements_text($2::json))
  AND ($3::timestamptz IS NULL OR (occurred_at, seq) < ($3::timestamptz, $4::bigint))
ORDER BY occurred_at DESC, seq DESC
LIMIT $5;
