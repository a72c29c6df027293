-- retention-cut-point: how far a tenant's chain may be cut from its start: up to the row before the
-- first one recorded at or after the cutoff, before the first row of a subject under an active legal
-- hold, and at most a number of rows past the first retained one.
-- $1 text          tenant
-- $2 timestamptz   cutoff: rows recorded before it are expired
-- $3 bigint        most rows removed in one cut
-- Returns          first_seq (first retained row, NULL if none), head_seq, expired_through (the last
--                  expired row, holds aside), through (the last row to remove, < first_seq when nothing
--                  may go), held_from (first row of a held subject, or NULL), hash (of the row at through)
WITH head AS (
  SELECT seq FROM chain_heads WHERE tenant = $1
), active_holds AS (
  SELECT p.subject_id FROM legal_hold_events p
  WHERE p.tenant = $1 AND p.action = 'place' AND p.subject_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM legal_hold_events l WHERE l.hold_id = p.hold_id AND l.action = 'lift')
), bounds AS (
  SELECT (SELECT min(seq) FROM standing_events WHERE tenant = $1) AS first_seq,
         (SELECT seq FROM head) AS head_seq,
         (SELECT seq FROM standing_events WHERE tenant = $1 AND recorded_at >= $2 ORDER BY seq LIMIT 1) AS fresh_from,
         (SELECT min(e.seq) FROM standing_events e JOIN active_holds h ON e.subject_id = h.subject_id WHERE e.tenant = $1) AS held_from
), cut AS (
  SELECT first_seq, head_seq, held_from,
         least(coalesce(fresh_from - 1, head_seq), first_seq + $3 - 1) AS expired_through,
         least(coalesce(fresh_from - 1, head_seq), coalesce(held_from - 1, head_seq), first_seq + $3 - 1) AS through
  FROM bounds
)
SELECT cut.first_seq, cut.head_seq, cut.expired_through, cut.through, cut.held_from, e.hash
FROM cut LEFT JOIN standing_events e ON e.tenant = $1 AND e.seq = cut.through;
