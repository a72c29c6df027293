-- insights-progress-set: records that the tenant's rows up to `through` are folded into the rollups.
-- $1 text    tenant
-- $2 bigint  through
UPDATE insights_progress SET through_seq = $2 WHERE tenant = $1;
