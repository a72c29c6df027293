-- insights-days-fold-durations: the measured intervals of some days into insights_daily_durations:
-- deactivation -> reinstatement by the reinstatement's day, earliest request -> decision by the decision's.
-- Each day's rows by a range scan of its own (LATERAL ... OFFSET 0): joined plainly, the planner
-- misjudges how few rows a day holds and reads the tenant's whole table.
-- $1 text    tenant
-- $2 date[]  days
INSERT INTO insights_daily_durations (tenant, day, measure, about, source, seconds)
SELECT $1, d.day, 'reinstatement', c.about, c.source,
       array_agg(extract(epoch FROM c.reinstated_at - c.deactivated_at)::float8)
FROM unnest($2::date[]) AS d(day)
CROSS JOIN LATERAL (
  SELECT * FROM insights_cycles c
  WHERE c.tenant = $1 AND c.reinstated_at >= d.day::timestamp AT TIME ZONE 'UTC'
    AND c.reinstated_at < (d.day + 1)::timestamp AT TIME ZONE 'UTC'
  OFFSET 0
) AS c
WHERE c.deactivated_at IS NOT NULL
GROUP BY 2, 3, 4, 5
UNION ALL
SELECT $1, d.day, 'decision', x.about, x.source, array_agg(extract(epoch FROM x.decided_at - x.requested_at)::float8)
FROM unnest($2::date[]) AS d(day)
JOIN insights_decisions x ON x.tenant = $1 AND x.decided_at >= d.day::timestamp AT TIME ZONE 'UTC'
  AND x.decided_at < (d.day + 1)::timestamp AT TIME ZONE 'UTC'
WHERE x.requested_at IS NOT NULL
GROUP BY 2, 3, 4, 5;
