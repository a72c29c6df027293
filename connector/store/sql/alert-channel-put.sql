-- alert-channel-put: creates or replaces one alert channel of a tenant.
-- $1 text     tenant                          $5 text[]   warning codes (empty: every code)
-- $2 text     kind (webhook, zendesk_note)    $6 boolean  enabled
-- $3 text     url, or NULL (zendesk_note)     $7 text     updated_by (a principal label)
-- $4 bytea    sealed secret, or NULL
INSERT INTO alert_channels (tenant, kind, url, secret_sealed, warnings, enabled, updated_by, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, now())
ON CONFLICT (tenant, kind) DO UPDATE SET url = $3, secret_sealed = $4, warnings = $5, enabled = $6, updated_by = $7,
  updated_at = now();
