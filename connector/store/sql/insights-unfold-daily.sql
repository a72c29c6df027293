-- insights-unfold-daily: takes the deactivations and reinstatements of log rows (after, through] out of
-- the tenant's daily counts (run before a retention cut removes those rows; insights-fold-daily added
-- them). Rows left at zero are removed by insights-daily-prune.
-- $1 text    tenant
-- $2 bigint  after
-- $3 bigint  through
WITH gone AS (
  SELECT (e.occurred_at AT TIME ZONE 'UTC')::date AS day, c.change, s.kind AS about,
         coalesce(e.source_system, '') AS source, coalesce(e.public ->> 'reason_code', '') AS reason_code,
         coalesce(e.public #>> '{initiation,type}', 'unknown') AS initiation, count(*) AS events
  FROM standing_events e
  JOIN subjects s ON s.tenant = e.tenant AND s.subject_id = e.subject_id
  CROSS JOIN LATERAL (
    SELECT CASE
      WHEN e.kind = 'deactivation' THEN 'deactivation'
      WHEN e.kind = 'reinstatement' OR (e.kind = 'status_observed' AND e.status_after = 'active'
        AND e.status_before IS NOT NULL AND e.status_before <> 'active') THEN 'reinstatement'
    END AS change
  ) c
  WHERE e.tenant = $1 AND e.seq > $2 AND e.seq <= $3 AND c.change IS NOT NULL
  GROUP BY 1, 2, 3, 4, 5, 6
)
UPDATE insights_daily d SET events = d.events - g.events
FROM gone g
WHERE d.tenant = $1 AND d.day = g.day AND d.change = g.change AND d.about = g.about AND d.source = g.source
  AND d.reason_code = g.reason_code AND d.initiation = g.initiation;
