-- insights-lock: takes the tenant's catch-up lock (its insights_progress row, made if missing) for the
-- transaction, so two readers never fold the same rows in twice.
-- $1 text   tenant
-- Returns   one row: through (highest seq already folded in)
WITH made AS (
  INSERT INTO insights_progress (tenant) VALUES ($1) ON CONFLICT (tenant) DO NOTHING
)
SELECT through_seq::bigint AS through FROM insights_progress WHERE tenant = $1 FOR UPDATE;
