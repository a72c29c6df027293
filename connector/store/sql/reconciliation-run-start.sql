-- reconciliation-run-start: records that a run began.
-- $1 uuid id   $2 text tenant   $3 text source   $4 text trigger (schedule, backfill)
INSERT INTO reconciliation_runs (id, tenant, source, trigger, state, started_at) VALUES ($1, $2, $3, $4, 'running', now());
