-- insights-days-fold-reinstatements: counts the cycles of some days into insights_daily_reinstatements.
-- `hours` is the time from the undone deactivation in whole hours rounded up, so that "within W hours"
-- (W whole) is exactly hours <= W; at most 8761 (the fraud window's limit is 8760), -1 when none was undone.
-- Each day read by a range scan of its own, as in insights-days-fold-durations.
-- $1 text    tenant
-- $2 date[]  days
INSERT INTO insights_daily_reinstatements (tenant, day, about, source, reason_code, undone, approved, hours, n)
SELECT $1, d.day, c.about, c.source, coalesce(c.reason_code, ''), c.deactivation_seq IS NOT NULL, c.approved,
       CASE WHEN c.deactivation_seq IS NULL THEN -1
            ELSE least(8761, ceil(extract(epoch FROM c.reinstated_at - c.deactivated_at) / 3600))::int END,
       count(*)
FROM unnest($2::date[]) AS d(day)
CROSS JOIN LATERAL (
  SELECT * FROM insights_cycles c
  WHERE c.tenant = $1 AND c.reinstated_at >= d.day::timestamp AT TIME ZONE 'UTC'
    AND c.reinstated_at < (d.day + 1)::timestamp AT TIME ZONE 'UTC'
  OFFSET 0
) AS c
GROUP BY 2, 3, 4, 5, 6, 7, 8;
