-- checkpoint-insert: records a signed checkpoint; a checkpoint with that number already written (by
-- another writer meanwhile) wins and nothing is written.
-- $1 text    tenant
-- $2 bigint  number
-- $3 bigint  seq
-- $4 jsonb   body (exactly what is signed)
-- $5 text    hash of the body (SHA-256 of its JCS text, hex)
-- $6 text    signature (base64 Ed25519)
-- Returns    number when written
INSERT INTO checkpoints (tenant, number, seq, body, hash, signature)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (tenant, number) DO NOTHING
RETURNING number;
