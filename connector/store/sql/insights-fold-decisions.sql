-- insights-fold-decisions: one insights_decisions row per reinstatement_approved or reinstatement_denied
-- of some subjects (as insights-fold-cycles), from their events up to `through`, with the earliest
-- reinstatement_requested of that subject since its previous decision (none: requested_at is null).
-- $1 text    tenant
-- $2 uuid[]  subjects (insights-touched-subjects)
-- $3 bigint  through: their events up to this seq
WITH touched AS (
  SELECT unnest($2::uuid[]) AS subject_id
), ev AS (
  SELECT e.subject_id, e.seq, e.kind, e.occurred_at, e.source_system,
         e.kind IN ('reinstatement_approved', 'reinstatement_denied') AS is_decision
  FROM touched t
  JOIN standing_events e ON e.tenant = $1 AND e.subject_id = t.subject_id
  WHERE e.seq <= $3 AND e.kind IN ('reinstatement_requested', 'reinstatement_approved', 'reinstatement_denied')
), marked AS (
  -- decided: how many decisions came before or at this event.
  SELECT ev.*, count(*) FILTER (WHERE is_decision)
           OVER (PARTITION BY subject_id ORDER BY occurred_at, seq ROWS UNBOUNDED PRECEDING) AS decided
  FROM ev
), first_request AS (
  SELECT subject_id, decided, min(occurred_at) AS requested_at FROM marked WHERE NOT is_decision GROUP BY 1, 2
)
INSERT INTO insights_decisions (tenant, decision_seq, subject_id, about, source, decided_at, decision, requested_at)
SELECT $1, m.seq, m.subject_id, s.kind, coalesce(m.source_system, ''), m.occurred_at,
       CASE m.kind WHEN 'reinstatement_approved' THEN 'approved' ELSE 'denied' END, r.requested_at
FROM marked m
JOIN subjects s ON s.tenant = $1 AND s.subject_id = m.subject_id
LEFT JOIN first_request r ON r.subject_id = m.subject_id AND r.decided = m.decided - 1
WHERE m.is_decision;
