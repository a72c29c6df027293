-- attribution-chain-page: a page of a tenant's attribution chain in seq order, exactly as hashed.
-- $1 text     tenant
-- $2 bigint   seq after which to read
-- $3 int      rows to return
SELECT seq, id, event_id, event_seq, subject_id,
       to_char(read_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS read_at,
       public, translate(encode(sealed, 'base64'), E'\n', '') AS sealed, prev_hash, hash
FROM event_attributions
WHERE tenant = $1 AND seq > $2
ORDER BY seq
LIMIT $3;
