-- subject-keys: the wrapped data keys of some subjects (NULL once the subject was erased).
-- $1 json   array of {tenant, subject_id}
-- Returns   tenant, subject_id, wrapped_key
SELECT s.tenant, s.subject_id, s.wrapped_key
FROM json_to_recordset($1::json) AS k(tenant text, subject_id uuid)
JOIN subjects s ON s.tenant = k.tenant AND s.subject_id = k.subject_id;
