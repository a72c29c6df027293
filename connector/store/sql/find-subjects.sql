-- find-subjects: resolves identity blind indexes to the customers (subjects) they belong to.
-- $1 json   array of {tenant, digest}
-- Returns   tenant, digest, subject_id for each known digest.
SELECT i.tenant, i.digest, i.subject_id
FROM json_to_recordset($1::json) AS k(tenant text, digest text)
JOIN subject_identities i ON i.tenant = k.tenant AND i.digest = k.digest;
