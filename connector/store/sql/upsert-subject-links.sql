-- upsert-subject-links: records that a person belonged to an account at some time (membership is a
-- link between two subjects, never a merge), widening the seen-between interval of a known link.
-- Rows are written in key order so that concurrent batches wait for each other instead of deadlocking.
-- $1 json   array of {tenant, person_subject_id, account_subject_id, seen_at}
INSERT INTO subject_links AS l (tenant, person_subject_id, account_subject_id, first_seen_at, last_seen_at)
SELECT tenant, person_subject_id, account_subject_id, min(seen_at), max(seen_at)
FROM json_to_recordset($1::json) AS k(tenant text, person_subject_id uuid, account_subject_id uuid, seen_at timestamptz)
GROUP BY tenant, person_subject_id, account_subject_id
ORDER BY tenant, person_subject_id, account_subject_id
ON CONFLICT (tenant, person_subject_id, account_subject_id) DO UPDATE
SET first_seen_at = least(l.first_seen_at, excluded.first_seen_at),
    last_seen_at = greatest(l.last_seen_at, excluded.last_seen_at);
