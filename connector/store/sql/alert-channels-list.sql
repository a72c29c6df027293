-- alert-channels-list: a tenant's alert channels (webhook, zendesk_note), the secret still sealed.
-- $1 text     tenant
SELECT tenant, kind, url, secret_sealed, warnings, enabled, updated_by, updated_at
FROM alert_channels
WHERE tenant = $1
ORDER BY kind;
