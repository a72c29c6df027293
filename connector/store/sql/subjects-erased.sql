-- subjects-erased: which of the subjects a batch resolved to were erased meanwhile (by any process),
-- and drops identities that a writer holding a stale cache attached to them after the erasure, so
-- that the batch, retried, resolves those identities to a new subject. Run under the chain-head
-- lock: erasure holds the same lock, so no row can be sealed under a key erased before it.
-- $1 json   array of {tenant, subject_id}
-- Returns   tenant, subject_id of each erased one.
WITH gone AS (
  SELECT s.tenant, s.subject_id
  FROM json_to_recordset($1::json) AS k(tenant text, subject_id uuid)
  JOIN subjects s ON s.tenant = k.tenant AND s.subject_id = k.subject_id
  WHERE s.erased_at IS NOT NULL
), dropped AS (
  DELETE FROM subject_identities i USING gone g
  WHERE i.tenant = g.tenant AND i.subject_id = g.subject_id
  RETURNING 1
)
SELECT DISTINCT tenant, subject_id FROM gone;
