-- register-subjects: creates new subjects (person or account) with their wrapped keys and attaches identities.
-- Both inserts ignore conflicts: when two writers race for the same new identity one wins, and
-- the caller re-reads find-subjects to learn which. Identities are inserted in (tenant, digest)
-- order so that two writers meeting the same new customers in different orders wait for each
-- other instead of deadlocking.
-- $1 json   array of new subjects {tenant, subject_id, kind ('person'|'account'), wrapped_key (base64)}
-- $2 json   array of identities {tenant, digest, subject_id}
WITH new_subjects AS (
  INSERT INTO subjects (tenant, subject_id, kind, wrapped_key)
  SELECT tenant, subject_id, kind, decode(wrapped_key, 'base64')
  FROM json_to_recordset($1::json) AS s(tenant text, subject_id uuid, kind text, wrapped_key text)
  ON CONFLICT DO NOTHING
  RETURNING 1
)
INSERT INTO subject_identities (tenant, digest, subject_id)
SELECT tenant, digest, subject_id
FROM json_to_recordset($2::json) AS i(tenant text, digest text, subject_id uuid)
ORDER BY tenant, digest
ON CONFLICT DO NOTHING;
