-- insights-touched-subjects: the subjects with a log row in (after, through], whose cycles and decisions
-- the catch-up (or a retention cut) recomputes.
-- $1 text    tenant
-- $2 bigint  after
-- $3 bigint  through
-- Returns    one row: subjects (uuid[], empty if none)
SELECT coalesce(array_agg(DISTINCT subject_id), '{}') AS subjects
FROM standing_events
WHERE tenant = $1 AND seq > $2 AND seq <= $3;
