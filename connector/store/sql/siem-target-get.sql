-- siem-target-get: a tenant's Splunk HEC target, the token still sealed.
-- $1 text   tenant
SELECT tenant, url, token_sealed, index_name, sourcetype, source, host, include_personal_data, enabled, last_seq,
       last_success_at, last_error, last_error_at, not_before, updated_by, updated_at
FROM siem_targets
WHERE tenant = $1 AND kind = 'splunk_hec';
