-- insights-chunk-end: where a catch-up of at most `rows` log rows after `after` ends.
-- $1 text    tenant
-- $2 bigint  after: the highest seq already folded in
-- $3 int     rows: most rows to fold, or null for all
-- Returns    one row: through (the last of those rows' seq, null if none), rows (how many)
SELECT max(seq)::bigint AS through, count(*)::int AS rows
FROM (SELECT seq FROM standing_events WHERE tenant = $1 AND seq > $2 ORDER BY seq LIMIT $3) AS chunk;
