-- siem-target-put: creates or replaces a tenant's Splunk HEC target settings; a change clears the last
-- error and any wait, and never moves the cursor (last_seq).
-- $1 text     tenant              $6 text     source
-- $2 text     url                 $7 text     host, or NULL
-- $3 bytea    sealed token        $8 boolean  include_personal_data
-- $4 text     index, or NULL      $9 boolean  enabled
-- $5 text     sourcetype          $10 text    updated_by (a principal label)
INSERT INTO siem_targets (tenant, kind, url, token_sealed, index_name, sourcetype, source, host, include_personal_data, enabled, updated_by, updated_at)
VALUES ($1, 'splunk_hec', $2, $3, $4, $5, $6, $7, $8, $9, $10, now())
ON CONFLICT (tenant, kind) DO UPDATE SET url = $2, token_sealed = $3, index_name = $4, sourcetype = $5, source = $6, host = $7,
  include_personal_data = $8, enabled = $9, updated_by = $10, updated_at = now(), last_error = NULL, last_error_at = NULL, not_before = NULL
RETURNING tenant, url, token_sealed, index_name, sourcetype, source, host, include_personal_data, enabled, last_seq,
          last_success_at, last_error, last_error_at, not_before, updated_by, updated_at;
