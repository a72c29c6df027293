-- person-objects: what is kept in clear about a person's provider objects outside the log, for an
-- access export: field values (sealed, the caller unseals) and the app's record of their tickets.
-- $1 text   tenant
-- $2 json   array of Zendesk user ids
-- $3 json   array of ticket ids
-- Returns   what ('field_value' | 'ticket_seen'), one json row each
SELECT 'field_value' AS what, json_build_object('source', f.source, 'object', f.object, 'object_id', f.object_id, 'field_id', f.field_id,
         'field_key', f.field_key, 'field_title', f.field_title, 'changed_at', f.changed_at, 'event_id', f.event_id,
         'sealed', translate(encode(f.sealed, 'base64'), E'\n', '')) AS row
FROM field_values f
WHERE f.tenant = $1 AND f.source = 'zendesk'
  AND ((f.object = 'user' AND f.object_id IN (SELECT json_array_elements_text($2::json)))
    OR (f.object = 'ticket' AND f.object_id IN (SELECT json_array_elements_text($3::json))))
UNION ALL
SELECT 'ticket_seen', json_build_object('ticket_id', t.ticket_id, 'requester_id', t.requester_id, 'organization_id', t.organization_id, 'seen_at', t.seen_at)
FROM tickets_seen t
WHERE t.tenant = $1
  AND (t.requester_id IN (SELECT json_array_elements_text($2::json)) OR t.ticket_id IN (SELECT json_array_elements_text($3::json)));
