-- inbox-reopen: puts quarantined events back to pending so they are processed again (replay).
-- $1 text   tenant
-- $2 json   array of event ids, or NULL for every quarantined event of the tenant
-- Returns   source, event_id of the rows reopened.
UPDATE intake_inbox
SET state = 'pending'
WHERE tenant = $1 AND state = 'quarantined'
  AND ($2::json IS NULL OR event_id IN (SELECT value FROM json_array_elements_text($2::json)))
RETURNING source, event_id;
