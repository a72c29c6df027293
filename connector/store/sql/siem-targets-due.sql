-- siem-targets-due: the enabled Splunk HEC targets whose Retry-After wait is over, by tenant.
-- $1 timestamptz   now (the push's clock)
SELECT tenant, url, token_sealed, index_name, sourcetype, source, host, include_personal_data, enabled, last_seq,
       last_success_at, last_error, last_error_at, not_before, updated_by, updated_at
FROM siem_targets
WHERE kind = 'splunk_hec' AND enabled AND (not_before IS NULL OR not_before <= $1)
ORDER BY tenant;
