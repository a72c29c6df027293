-- insights-touched-days: the UTC days holding a cycle or decision of a subject with a log row in
-- (after, through]: the days whose daily reinstatement and duration rows must be rebuilt (asked before
-- those subjects' cycles are forgotten, and again once they are folded in anew).
-- $1 text    tenant
-- $2 bigint  after
-- $3 bigint  through
-- Returns    day (YYYY-MM-DD)
WITH touched AS (
  SELECT DISTINCT subject_id FROM standing_events WHERE tenant = $1 AND seq > $2 AND seq <= $3
)
SELECT DISTINCT to_char(x.at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day
FROM (
  SELECT reinstated_at AS at FROM insights_cycles
  WHERE tenant = $1 AND subject_id IN (SELECT subject_id FROM touched)
  UNION ALL
  SELECT decided_at FROM insights_decisions
  WHERE tenant = $1 AND subject_id IN (SELECT subject_id FROM touched)
) AS x;
