-- insights-touched-days: the UTC days holding a cycle or decision of some subjects: the days whose daily
-- reinstatement and duration rows must be rebuilt (asked before those subjects' cycles are forgotten, and
-- again once they are folded in anew).
-- $1 text    tenant
-- $2 uuid[]  subjects (insights-touched-subjects)
-- Returns    day (YYYY-MM-DD)
WITH touched AS (
  SELECT unnest($2::uuid[]) AS subject_id
)
SELECT DISTINCT to_char(x.at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day
FROM (
  SELECT reinstated_at AS at FROM insights_cycles
  WHERE tenant = $1 AND subject_id IN (SELECT subject_id FROM touched)
  UNION ALL
  SELECT decided_at FROM insights_decisions
  WHERE tenant = $1 AND subject_id IN (SELECT subject_id FROM touched)
) AS x;
