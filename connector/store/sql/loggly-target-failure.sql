-- loggly-target-failure: records why a batch was not accepted, and how long to wait before the next try.
-- $1 text     tenant
-- $2 text     the error (reason, HTTP status, Loggly's answer; never the token)
-- $3 bigint   milliseconds to wait (Retry-After), or NULL: the next run
UPDATE loggly_targets
SET last_error = $2, last_error_at = now(),
    not_before = CASE WHEN $3::bigint IS NULL THEN NULL ELSE now() + $3::bigint * interval '1 millisecond' END
WHERE tenant = $1;
