-- tickets-of-requesters: the tickets the Zendesk app saw with one of these users as requester.
-- $1 text   tenant
-- $2 json   array of Zendesk user ids
-- Returns   ticket_id
SELECT ticket_id FROM tickets_seen
WHERE tenant = $1 AND requester_id IN (SELECT json_array_elements_text($2::json));
