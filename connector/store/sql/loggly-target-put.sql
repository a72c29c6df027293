-- loggly-target-put: creates or replaces a tenant's Loggly target settings; a change clears the last
-- error and any wait, and never moves the cursor (last_seq).
-- $1 text     tenant              $4 boolean  include_personal_data
-- $2 bytea    sealed token        $5 boolean  enabled
-- $3 text     tag                 $6 text     updated_by (a principal label)
INSERT INTO loggly_targets (tenant, token_sealed, tag, include_personal_data, enabled, updated_by, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, now())
ON CONFLICT (tenant) DO UPDATE SET token_sealed = $2, tag = $3, include_personal_data = $4, enabled = $5,
  updated_by = $6, updated_at = now(), last_error = NULL, last_error_at = NULL, not_before = NULL
RETURNING tenant, token_sealed, tag, include_personal_data, enabled, last_seq, last_success_at, last_error,
          last_error_at, not_before, updated_by, updated_at;
