-- insert-events: appends a batch of already-chained rows and moves each tenant's head, in one call
-- to the owner's standing_events_append (the service role cannot write chain_heads; the function
-- moves a head only to a row of its chain). The caller holds the heads' locks (lock-chain-heads.sql).
-- $1 json   array of rows {tenant, seq, id, kind, status_before, status_after, occurred_at,
--           recorded_at, subject_id, public (object), sealed (base64), prev_hash, hash}
-- $2 json   array of new heads {tenant, seq, hash}; a head that did not move is left alone
SELECT standing_events_append($1::json, $2::json);
