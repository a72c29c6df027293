-- chain-advance: moves each tenant's head to its newest row, once the rows are inserted (through
-- the owner's standing_chain_advance, which refuses a head that is not a row of the chain). The
-- caller holds the heads' locks (lock-chain-heads.sql) in the same transaction.
-- $1 json   array of heads {tenant, seq, hash}; a head that did not move is left alone.
SELECT standing_chain_advance($1::json);
