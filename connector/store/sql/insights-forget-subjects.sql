-- insights-forget-subjects: removes the cycles and decisions of every subject with a log row in
-- (after, through], so that insights-fold-cycles and insights-fold-decisions recompute them from all
-- their events (a late event can change which deactivation a reinstatement undoes).
-- $1 text    tenant
-- $2 bigint  after
-- $3 bigint  through
WITH touched AS (
  SELECT DISTINCT subject_id FROM standing_events WHERE tenant = $1 AND seq > $2 AND seq <= $3
), forgotten_decisions AS (
  DELETE FROM insights_decisions WHERE tenant = $1 AND subject_id IN (SELECT subject_id FROM touched)
)
DELETE FROM insights_cycles WHERE tenant = $1 AND subject_id IN (SELECT subject_id FROM touched);
