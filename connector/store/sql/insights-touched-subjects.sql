-- insights-touched-subjects: the subjects with a log row in (after, through] that can change their cycles
-- or decisions (insights-fold-cycles, insights-fold-decisions read only these kinds): the ones the
-- catch-up (or a retention cut) recomputes. A row of another kind changes neither.
-- $1 text    tenant
-- $2 bigint  after
-- $3 bigint  through
-- Returns    one row: subjects (uuid[], empty if none)
SELECT coalesce(array_agg(DISTINCT subject_id), '{}') AS subjects
FROM standing_events
WHERE tenant = $1 AND seq > $2 AND seq <= $3
  AND (kind IN ('deactivation', 'reinstatement', 'reinstatement_requested', 'reinstatement_approved',
                'reinstatement_denied')
       OR (kind = 'status_observed' AND status_after = 'active' AND status_before IS NOT NULL
           AND status_before <> 'active'));
