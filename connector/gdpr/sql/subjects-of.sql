-- subjects-of: some subjects of a tenant with their kind and state, and the accounts the people
-- among them are linked to (membership).
-- $1 text   tenant
-- $2 json   array of subject ids
-- Returns   subject_id, kind, created_at, erased_at, linked (json array of
--           {subject_id, first_seen_at, last_seen_at}, empty for an account)
SELECT s.subject_id, s.kind, s.created_at, s.erased_at,
       coalesce((SELECT json_agg(json_build_object('subject_id', l.account_subject_id, 'first_seen_at', l.first_seen_at, 'last_seen_at', l.last_seen_at)
                                 ORDER BY l.first_seen_at)
                 FROM subject_links l WHERE l.tenant = s.tenant AND l.person_subject_id = s.subject_id), '[]'::json) AS linked
FROM subjects s
WHERE s.tenant = $1 AND s.subject_id IN (SELECT value::uuid FROM json_array_elements_text($2::json))
ORDER BY s.created_at, s.subject_id;
