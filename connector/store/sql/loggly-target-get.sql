-- loggly-target-get: a tenant's Loggly target, the token still sealed.
-- $1 text     tenant
SELECT tenant, token_sealed, tag, include_personal_data, enabled, last_seq, last_success_at, last_error,
       last_error_at, not_before, updated_by, updated_at
FROM loggly_targets
WHERE tenant = $1;
