-- attribution-progress-set: moves a tenant's attribution cursor forward (never back).
-- $1 text     tenant
-- $2 bigint   the last log seq looked at
INSERT INTO attribution_progress (tenant, last_seq, updated_at) VALUES ($1, $2, now())
ON CONFLICT (tenant) DO UPDATE
  SET last_seq = greatest(attribution_progress.last_seq, excluded.last_seq), updated_at = now();
