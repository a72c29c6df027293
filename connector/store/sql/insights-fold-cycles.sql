-- insights-fold-cycles: one insights_cycles row per reinstatement of some subjects (those with new log
-- rows, or with rows a retention cut removed), from all that subject's events up to `through`, in the order the warnings read
-- them (occurred_at, then seq). The deactivation a reinstatement undoes is the subject's previous
-- deactivation-or-reinstatement when that was a deactivation; it counts as approved when a
-- reinstatement_approved event lies between the two (as `reinstatement_without_approval` reads it,
-- from the public kind only: an approval recorded inside a sealed event is not visible here).
-- $1 text    tenant
-- $2 uuid[]  subjects (insights-touched-subjects)
-- $3 bigint  through: their events up to this seq
WITH touched AS (
  SELECT unnest($2::uuid[]) AS subject_id
), ev AS (
  SELECT e.subject_id, e.seq, e.id, e.kind, e.occurred_at, e.source_system, e.public ->> 'reason_code' AS reason_code,
         e.kind = 'deactivation' AS is_deactivation,
         (e.kind = 'reinstatement' OR (e.kind = 'status_observed' AND e.status_after = 'active'
           AND e.status_before IS NOT NULL AND e.status_before <> 'active')) AS is_reinstatement
  FROM touched t
  JOIN standing_events e ON e.tenant = $1 AND e.subject_id = t.subject_id
  WHERE e.seq <= $3 AND (e.kind IN ('deactivation', 'reinstatement', 'reinstatement_approved')
    OR (e.kind = 'status_observed' AND e.status_after = 'active' AND e.status_before IS NOT NULL
        AND e.status_before <> 'active'))
), marked AS (
  -- boundary: how many deactivations and reinstatements came before or at this event.
  SELECT ev.*, count(*) FILTER (WHERE is_deactivation OR is_reinstatement)
           OVER (PARTITION BY subject_id ORDER BY occurred_at, seq ROWS UNBOUNDED PRECEDING) AS boundary
  FROM ev
), approved_between AS (
  SELECT DISTINCT subject_id, boundary FROM marked WHERE kind = 'reinstatement_approved'
), bounds AS (
  SELECT m.*, lag(is_deactivation) OVER w AS after_deactivation, lag(seq) OVER w AS prev_seq,
         lag(id) OVER w AS prev_id, lag(occurred_at) OVER w AS prev_at, lag(reason_code) OVER w AS prev_reason
  FROM marked m
  WHERE is_deactivation OR is_reinstatement
  WINDOW w AS (PARTITION BY subject_id ORDER BY occurred_at, seq)
)
INSERT INTO insights_cycles (tenant, reinstatement_seq, reinstatement_id, subject_id, about, source, reinstated_at,
  deactivation_seq, deactivation_id, deactivated_at, reason_code, approved)
SELECT $1, b.seq, b.id, b.subject_id, s.kind, coalesce(b.source_system, ''), b.occurred_at,
       CASE WHEN b.after_deactivation THEN b.prev_seq END, CASE WHEN b.after_deactivation THEN b.prev_id END,
       CASE WHEN b.after_deactivation THEN b.prev_at END, CASE WHEN b.after_deactivation THEN b.prev_reason END,
       EXISTS (SELECT 1 FROM approved_between a WHERE a.subject_id = b.subject_id AND a.boundary = b.boundary - 1)
FROM bounds b
JOIN subjects s ON s.tenant = $1 AND s.subject_id = b.subject_id
WHERE b.is_reinstatement;
