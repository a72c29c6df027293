-- insights-lock: takes the tenant's catch-up lock (its insights_progress row, which
-- insights-progress-make made) for the transaction, so two readers never fold the same rows in twice.
-- A statement of its own after the insert: FOR UPDATE then waits for a reader that holds the row, and
-- reads the row as that reader left it.
-- $1 text   tenant
-- Returns   one row: through (highest seq already folded in)
SELECT through_seq::bigint AS through FROM insights_progress WHERE tenant = $1 FOR UPDATE;
