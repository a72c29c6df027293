-- reconciliation-checkpoint-get: where a tenant's reconciliation of one source stream stands.
-- $1 text tenant   $2 text source (zendesk, salesforce)   $3 text stream (users, organizations, Account, ...)
-- Returns  position (jsonb), updated_at; no row before the first durable page.
SELECT position, updated_at FROM reconciliation_checkpoints WHERE tenant = $1 AND source = $2 AND stream = $3;
