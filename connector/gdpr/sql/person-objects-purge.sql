-- person-objects-purge: deletes what is kept in clear about a person's provider objects outside the
-- log: the field-value history (point-in-time mapping) of their Zendesk user and tickets, and the
-- Zendesk app's record of their tickets.
-- $1 text   tenant
-- $2 json   array of Zendesk user ids
-- $3 json   array of ticket ids
-- Returns   field_values_deleted, tickets_seen_deleted
WITH fv AS (
  DELETE FROM field_values f
  WHERE f.tenant = $1 AND f.source = 'zendesk'
    AND ((f.object = 'user' AND f.object_id IN (SELECT json_array_elements_text($2::json)))
      OR (f.object = 'ticket' AND f.object_id IN (SELECT json_array_elements_text($3::json))))
  RETURNING 1
), ts AS (
  DELETE FROM tickets_seen t
  WHERE t.tenant = $1
    AND (t.requester_id IN (SELECT json_array_elements_text($2::json)) OR t.ticket_id IN (SELECT json_array_elements_text($3::json)))
  RETURNING 1
)
SELECT (SELECT count(*) FROM fv)::int AS field_values_deleted, (SELECT count(*) FROM ts)::int AS tickets_seen_deleted;
