-- current-standing: every subject a history covers (those asked for and, for a person, the accounts
-- they are linked to), each with its current status and when it began (the start of the latest run
-- of events that carry that status; observations that repeat it do not reset the clock), and its
-- latest event (sealed), whose identities name the subject in the answer.
-- $1 text   tenant
-- $2 json   array of identity digests (blind indexes) the caller asked by
-- Returns   one row per subject: subject_id, kind, asked (bool), wrapped_key, status, since,
--           label_id, label_sealed (base64), linked_since (for linked accounts), digests (its
--           identities' blind indexes, to recognise it in a person's event that names it as context)
WITH asked AS (
  SELECT DISTINCT sub.subject_id, sub.kind, sub.wrapped_key
  FROM subject_identities i
  JOIN subjects sub ON sub.tenant = i.tenant AND sub.subject_id = i.subject_id
  WHERE i.tenant = $1 AND i.digest IN (SELECT json_array_elements_text($2::json))
), covered AS (
  SELECT subject_id, kind, wrapped_key, true AS asked, NULL::timestamptz AS linked_since FROM asked
  UNION ALL
  SELECT acc.subject_id, acc.kind, acc.wrapped_key, false, min(l.first_seen_at)
  FROM asked p
  JOIN subject_links l ON l.tenant = $1 AND l.person_subject_id = p.subject_id
  JOIN subjects acc ON acc.tenant = $1 AND acc.subject_id = l.account_subject_id
  WHERE p.kind = 'person' AND acc.subject_id NOT IN (SELECT subject_id FROM asked)
  GROUP BY acc.subject_id, acc.kind, acc.wrapped_key
)
SELECT c.subject_id, c.kind, c.asked, c.wrapped_key,
       cur.status, to_char(cur.since AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS since,
       lbl.id AS label_id, translate(encode(lbl.sealed, 'base64'), E'\n', '') AS label_sealed,
       to_char(c.linked_since AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS linked_since,
       ARRAY(SELECT digest FROM subject_identities WHERE tenant = $1 AND subject_id = c.subject_id) AS digests
FROM covered c
LEFT JOIN LATERAL (
  SELECT x.status_after AS status, x.occurred_at AS since
  FROM (
    SELECT status_after, occurred_at, seq, lag(status_after) OVER (ORDER BY occurred_at, seq) AS previous_status
    FROM standing_events
    WHERE tenant = $1 AND subject_id = c.subject_id AND status_after IS NOT NULL
  ) AS x
  WHERE x.previous_status IS DISTINCT FROM x.status_after
  ORDER BY x.occurred_at DESC, x.seq DESC
  LIMIT 1
) AS cur ON true
LEFT JOIN LATERAL (
  SELECT id, sealed FROM standing_events
  WHERE tenant = $1 AND subject_id = c.subject_id
  ORDER BY occurred_at DESC, seq DESC
  LIMIT 1
) AS lbl ON true
ORDER BY c.asked DESC, c.kind DESC, c.subject_id;
