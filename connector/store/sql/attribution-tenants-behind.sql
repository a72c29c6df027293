-- attribution-tenants-behind: tenants whose log has rows the attribution job has not looked at.
-- No inputs.
SELECT h.tenant
FROM chain_heads h
LEFT JOIN attribution_progress p ON p.tenant = h.tenant
WHERE h.seq > coalesce(p.last_seq, 0)
ORDER BY h.tenant;
