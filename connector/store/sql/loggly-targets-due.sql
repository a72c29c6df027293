-- loggly-targets-due: the enabled Loggly targets whose Retry-After wait is over, by tenant.
-- $1 timestamptz   now (the push's clock)
SELECT tenant, token_sealed, tag, include_personal_data, enabled, last_seq, last_success_at, last_error,
       last_error_at, not_before, updated_by, updated_at
FROM loggly_targets
WHERE enabled AND (not_before IS NULL OR not_before <= $1)
ORDER BY tenant;
