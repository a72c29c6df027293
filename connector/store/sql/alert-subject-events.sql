-- alert-subject-events: the latest log rows of one subject (oldest first), with the subject's kind and
-- wrapped data key (NULL once erased), for the warnings the alert scan computes.
-- $1 text     tenant
-- $2 uuid     subject id
-- $3 int      most rows (the newest ones)
SELECT * FROM (
  SELECT e.seq, e.id, e.kind, e.status_before, e.status_after, e.occurred_at, e.recorded_at, e.subject_id, e.public,
         translate(encode(e.sealed, 'base64'), E'\n', '') AS sealed, s.kind AS subject_kind, s.wrapped_key
  FROM standing_events e
  JOIN subjects s ON s.tenant = e.tenant AND s.subject_id = e.subject_id
  WHERE e.tenant = $1 AND e.subject_id = $2
  ORDER BY e.seq DESC
  LIMIT $3
) newest
ORDER BY seq;
