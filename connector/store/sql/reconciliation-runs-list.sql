-- reconciliation-runs-list: a tenant's runs, newest first.
-- $1 text tenant   $2 integer limit   $3 text source or NULL for every source
-- Returns  every column of reconciliation_runs, instants as ISO-8601 UTC text.
SELECT id, tenant, source, trigger, state,
       to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS started_at,
       to_char(ended_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ended_at,
       pages, records_read, events_appended, drift_found, errors
FROM reconciliation_runs
WHERE tenant = $1 AND ($3::text IS NULL OR source = $3)
ORDER BY started_at DESC, id
LIMIT $2;
