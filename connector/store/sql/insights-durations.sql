-- insights-durations: time to reinstatement (the undone deactivation -> the reinstatement, bucketed by
-- the reinstatement) and time to decision (the earliest request -> the approval or denial, bucketed by
-- the decision), in seconds: count, p50 and p90 (nearest rank: percentile_disc) and max, per bucket
-- and over the whole range (bucket null). Read from insights_daily_durations.
-- $1 text   tenant
-- $2 text   from: first UTC day (YYYY-MM-DD), inclusive
-- $3 text   to: last UTC day, inclusive
-- $4 text   bucket: day, week or month
-- $5 text   source system, or null for every source
-- $6 text   about: all, person or account
-- Returns   measure ('reinstatement' | 'decision'), bucket (YYYY-MM-DD or null), n, p50, p90, max (float8 seconds)
WITH d AS (
  SELECT measure, date_trunc($4, day::timestamp) AS bucket, unnest(seconds) AS seconds
  FROM insights_daily_durations
  WHERE tenant = $1 AND day BETWEEN $2::date AND $3::date
    AND ($5::text IS NULL OR source = $5) AND ($6 = 'all' OR about = $6)
)
SELECT measure, to_char(bucket, 'YYYY-MM-DD') AS bucket, count(*)::int AS n,
       percentile_disc(0.5) WITHIN GROUP (ORDER BY seconds) AS p50,
       percentile_disc(0.9) WITHIN GROUP (ORDER BY seconds) AS p90,
       max(seconds) AS max
FROM d
GROUP BY GROUPING SETS ((measure, bucket), (measure))
ORDER BY 1, 2 NULLS LAST;
