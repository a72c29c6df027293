-- reconciliation-checkpoint-set: moves a stream's checkpoint, once the page's events are in the log.
-- $1 text tenant   $2 text source   $3 text stream   $4 jsonb position
INSERT INTO reconciliation_checkpoints (tenant, source, stream, position, updated_at)
VALUES ($1, $2, $3, $4, now())
ON CONFLICT (tenant, source, stream) DO UPDATE SET position = EXCLUDED.position, updated_at = now();
