-- checkpoints-of-tenant: a tenant's signed checkpoints, oldest first, each with the hash the log's
-- row at its seq has now (NULL when that row is gone: removed by retention, or cut by an attacker).
-- $1 text   tenant
-- Returns   number, seq, body, hash, signature, row_hash
SELECT c.number, c.seq, c.body, c.hash, c.signature, e.hash AS row_hash
FROM checkpoints c
LEFT JOIN standing_events e ON e.tenant = c.tenant AND e.seq = c.seq
WHERE c.tenant = $1
ORDER BY c.number;
