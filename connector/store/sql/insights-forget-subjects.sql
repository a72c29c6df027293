-- insights-forget-subjects: removes the cycles and decisions of some subjects, so that insights-fold-
-- cycles and insights-fold-decisions recompute them from all their events (a late event can change which
-- deactivation a reinstatement undoes).
-- $1 text    tenant
-- $2 uuid[]  subjects (insights-touched-subjects)
WITH touched AS (
  SELECT unnest($2::uuid[]) AS subject_id
), forgotten_decisions AS (
  DELETE FROM insights_decisions WHERE tenant = $1 AND subject_id IN (SELECT subject_id FROM touched)
)
DELETE FROM insights_cycles WHERE tenant = $1 AND subject_id IN (SELECT subject_id FROM touched);
