-- history-page: one page of a history, newest first (by when things happened at the source): the
-- events of the subjects asked for and, for a person, of the accounts they are linked to
-- (membership, see subject_links), each row labelled with its subject's kind (`about`).
-- The subjects are resolved from identity digests here, in the same round trip, with their wrapped
-- data keys (NULL once erased).
-- Each subject's rows are read in index order and stop at the page size (LATERAL ... LIMIT), then the
-- few candidates are merged: a page costs O(limit x subjects) rows, however long the history is.
-- $1 text          tenant
-- $2 json          array of identity digests (blind indexes) the caller asked by
-- $3 timestamptz   cursor: occurred_at of the last row of the previous page, or NULL for the first page
-- $4 bigint        cursor: seq of that row
-- $5 int           rows to return
-- $6 text          which subjects: 'all', 'person' or 'account'
-- Timestamps come back as ISO 8601 text in UTC with milliseconds (what the API returns): parsing them
-- into Date objects and formatting them again cost more than the rest of a row's decoding. `sealed`
-- comes back as base64 (as hashed; PostgreSQL wraps base64 at 76 characters, so newlines are
-- removed): shorter than bytea's hex text, and only decoded for subjects whose key is present.
WITH asked AS (
  SELECT DISTINCT sub.subject_id, sub.kind, sub.wrapped_key
  FROM subject_identities i
  JOIN subjects sub ON sub.tenant = i.tenant AND sub.subject_id = i.subject_id
  WHERE i.tenant = $1 AND i.digest IN (SELECT json_array_elements_text($2::json))
), covered AS (
  SELECT subject_id, kind, wrapped_key FROM asked
  UNION
  SELECT acc.subject_id, acc.kind, acc.wrapped_key
  FROM asked p
  JOIN subject_links l ON l.tenant = $1 AND l.person_subject_id = p.subject_id
  JOIN subjects acc ON acc.tenant = $1 AND acc.subject_id = l.account_subject_id
  WHERE p.kind = 'person'
)
SELECT e.seq, e.id, e.kind, e.status_before, e.status_after,
       to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at,
       to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at,
       e.subject_id, e.public,
       translate(encode(e.sealed, 'base64'), E'\n', '') AS sealed,
       s.kind AS about,
       s.wrapped_key
FROM covered AS s
CROSS JOIN LATERAL (
  SELECT seq, id, kind, status_before, status_after, occurred_at, recorded_at, subject_id, public, sealed
  FROM standing_events
  WHERE tenant = $1
    AND subject_id = s.subject_id
    AND ($3::timestamptz IS NULL OR (occurred_at, seq) < ($3::timestamptz, $4::bigint))
  ORDER BY occurred_at DESC, seq DESC
  LIMIT $5
) AS e
WHERE $6::text = 'all' OR s.kind = $6::text
ORDER BY e.occurred_at DESC, e.seq DESC
LIMIT $5;
