-- insights-fold-daily: adds the deactivations and reinstatements of log rows (after, through] to the
-- tenant's daily counts. A reinstatement is what the warnings call one (connector/history/standing-warnings.ts):
-- a `reinstatement` event, or a `status_observed` that found the subject active after another status.
-- $1 text    tenant
-- $2 bigint  after: rows with a higher seq ...
-- $3 bigint  through: ... up to this seq
INSERT INTO insights_daily AS d (tenant, day, change, about, source, reason_code, initiation, events)
SELECT $1, (e.occurred_at AT TIME ZONE 'UTC')::date, c.change, s.kind, coalesce(e.source_system, ''),
       coalesce(e.public ->> 'reason_code', ''), coalesce(e.public #>> '{initiation,type}', 'unknown'), count(*)
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
GROUP BY 2, 3, 4, 5, 6, 7
ON CONFLICT (tenant, day, change, about, source, reason_code, initiation)
DO UPDATE SET events = d.events + excluded.events;
