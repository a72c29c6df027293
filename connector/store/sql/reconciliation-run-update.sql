-- reconciliation-run-update: a run's counters so far, and its state (ended_at is set unless running).
-- $1 uuid id   $2 text state (running, completed, partial, failed)   $3 integer pages
-- $4 integer records_read   $5 integer events_appended   $6 integer drift_found   $7 jsonb errors
UPDATE reconciliation_runs
SET state = $2, pages = $3, records_read = $4, events_appended = $5, drift_found = $6, errors = $7,
    ended_at = CASE WHEN $2 = 'running' THEN NULL ELSE now() END
WHERE id = $1;
