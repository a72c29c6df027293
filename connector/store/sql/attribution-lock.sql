-- attribution-lock: the transaction-scoped lock on a tenant's attribution chain; standing_retention_cut
-- takes it too (migration 021). A statement of its own: the next one's snapshot then follows the wait.
-- $1 text   tenant
SELECT pg_advisory_xact_lock(hashtextextended('standing.attribution:' || $1, 0));
