-- inbox-reopen: puts quarantined events back to pending so they are processed again (replay).
-- $1 text   tenant
-- $2 json   array of event ids, or NULL for every quarantined event of the tenant
-- $3 text   the job id suffix of the replay's jobs (see queue/intake-queue.ts)
-- Returns   source, event_id of the rows reopened.
UPDATE intake_inbox
SET state = 'pending', job_round = $3
WHERE tenant = $1 AND state = 'quarantined'
  AND ($2::json IS NULL OR event_id IN (SELECT value FROM json_array_elements_text($2::json)))
RETURNING source, event_id;
