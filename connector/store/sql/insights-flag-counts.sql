-- insights-flag-counts: how many reinstatements insights-flagged flags, per warning and bucket, and per
-- warning over the whole range (bucket null); repeated_cycles counts customers. No personal data out.
-- $1 .. $14  as insights-flagged, whose query takes the place of the marker in FROM below.
-- Returns    warning, bucket (YYYY-MM-DD or null), n
SELECT warning, bucket, count(*)::int AS n
FROM (/*flagged*/) AS f
GROUP BY GROUPING SETS ((warning, bucket), (warning))
ORDER BY 1, 2 NULLS LAST;
