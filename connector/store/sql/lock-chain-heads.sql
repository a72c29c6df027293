-- lock-chain-heads: row-locks each tenant's chain head for the rest of the transaction, creating
-- it at genesis if new (through the owner's standing_chain_heads_lock: the service role cannot
-- write chain_heads). Concurrent writers of one tenant queue here, so a chain cannot fork.
-- $1 json   array of tenant ids; locked in sorted order so two batches never deadlock.
-- Returns   tenant, seq, hash of each head as committed when the lock was obtained.
SELECT tenant, seq, hash FROM standing_chain_heads_lock($1::json);
