-- insights-touched-days: the cycles and decisions of some subjects, each as its UTC day and a digest of
-- the whole row. Asked before those subjects' cycles are forgotten and again once they are folded in
-- anew: the days of the rows that differ are the days whose daily reinstatement and duration rows must
-- be rebuilt (an appended event changes one day of its subject, not every day the subject has cycles on).
-- $1 text    tenant
-- $2 uuid[]  subjects (insights-touched-subjects)
-- Returns    day (YYYY-MM-DD), digest (text)
WITH touched AS (
  SELECT unnest($2::uuid[]) AS subject_id
)
SELECT to_char(x.at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, x.digest
FROM (
  SELECT c.reinstated_at AS at, md5(c::text) AS digest FROM insights_cycles c
  WHERE c.tenant = $1 AND c.subject_id IN (SELECT subject_id FROM touched)
  UNION ALL
  SELECT x.decided_at, md5(x::text) FROM insights_decisions x
  WHERE x.tenant = $1 AND x.subject_id IN (SELECT subject_id FROM touched)
) AS x;
