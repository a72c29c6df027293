-- inbox-set-job-round: records which job now carries some pending events (before it is enqueued).
-- $1 json   array of {tenant, source, event_id}
-- $2 text   the job id suffix of the round (see queue/intake-queue.ts), '' for the first
UPDATE intake_inbox i
SET job_round = nullif($2, '')
FROM json_to_recordset($1::json) AS k(tenant text, source text, event_id text)
WHERE i.tenant = k.tenant AND i.source = k.source AND i.event_id = k.event_id AND i.state = 'pending';
