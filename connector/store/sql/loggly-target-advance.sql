-- loggly-target-advance: moves a Loggly target's cursor after Loggly accepted a batch, only from the
-- value the push read (compare-and-set); returns a row when it moved.
-- $1 text     tenant
-- $2 bigint   the cursor the push read
-- $3 bigint   the last seq of the accepted batch
UPDATE loggly_targets SET last_seq = $3, last_success_at = now(), last_error = NULL, last_error_at = NULL, not_before = NULL
WHERE tenant = $1 AND last_seq = $2
RETURNING 1;
