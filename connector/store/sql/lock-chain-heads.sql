-- lock-chain-heads: row-locks each tenant's chain head for the rest of the transaction, creating
-- it at genesis if new. Concurrent writers of one tenant queue here, so a chain cannot fork.
-- $1 json   array of tenant ids; locked in sorted order so two batches never deadlock.
-- Returns   tenant, seq, hash of each head as committed when the lock was obtained.
INSERT INTO chain_heads (tenant)
SELECT t FROM json_array_elements_text($1::json) AS t ORDER BY t
ON CONFLICT (tenant) DO UPDATE SET tenant = excluded.tenant
RETURNING tenant, seq, hash;
