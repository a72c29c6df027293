-- insights-flag-counts: how many reinstatements the warnings flag (the rules of insights-flagged, which
-- lists them), per warning and bucket and per warning over the whole range (bucket null), from the daily
-- rows; repeated_cycles counts customers, from the undone cycles' index. No personal data out.
-- $1 .. $14  as insights-flagged
-- Returns    warning, bucket (YYYY-MM-DD or null), n
WITH days AS (
  SELECT * FROM insights_daily_reinstatements
  WHERE tenant = $1 AND day BETWEEN $2::date AND $3::date
    AND ($5::text IS NULL OR source = $5) AND ($6 = 'all' OR about = $6)
), undone AS (
  SELECT subject_id, reinstated_at, reinstatement_seq FROM insights_cycles
  WHERE $12::bool AND tenant = $1 AND deactivation_seq IS NOT NULL
    AND reinstated_at >= ($2::date - $14::int)::timestamp AT TIME ZONE 'UTC'
    AND reinstated_at < ($3::date + 1)::timestamp AT TIME ZONE 'UTC'
    AND ($5::text IS NULL OR source = $5) AND ($6 = 'all' OR about = $6)
), repeated AS (
  SELECT DISTINCT ON (subject_id) subject_id, reinstated_at
  FROM (
    SELECT u.*, count(*) OVER (PARTITION BY subject_id ORDER BY reinstated_at
             RANGE BETWEEN make_interval(days => $14::int) PRECEDING AND CURRENT ROW) AS cycles
    FROM undone u
    WHERE subject_id IN (SELECT subject_id FROM undone GROUP BY subject_id HAVING count(*) >= $13::int)
  ) w
  WHERE reinstated_at >= $2::date::timestamp AT TIME ZONE 'UTC' AND cycles >= $13::int
  ORDER BY subject_id, reinstated_at, reinstatement_seq
), flagged AS (
  SELECT 'reinstatement_without_approval' AS warning, date_trunc($4, day::timestamp) AS bucket, n
  FROM days
  WHERE $7::bool AND NOT approved AND NOT reason_code = ANY ($8::text[])
  UNION ALL
  SELECT 'reactivation_after_fraud', date_trunc($4, day::timestamp), n
  FROM days
  WHERE $9::bool AND undone AND reason_code = ANY ($10::text[]) AND hours <= $11::int
  UNION ALL
  SELECT 'repeated_cycles', date_trunc($4, reinstated_at AT TIME ZONE 'UTC'), 1
  FROM repeated
)
SELECT warning, to_char(bucket, 'YYYY-MM-DD') AS bucket, sum(n)::int AS n
FROM flagged
GROUP BY GROUPING SETS ((warning, bucket), (warning))
ORDER BY 1, 2 NULLS LAST;
