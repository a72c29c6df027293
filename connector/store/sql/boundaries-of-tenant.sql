-- boundaries-of-tenant: where a tenant's chain was cut by retention, oldest first.
-- $1 text   tenant
-- Returns   seq, hash, reason, key_id, signature, recorded_at
SELECT seq, hash, reason, key_id, signature, recorded_at
FROM chain_boundaries
WHERE tenant = $1
ORDER BY seq;
