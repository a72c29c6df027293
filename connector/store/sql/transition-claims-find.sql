-- transition-claims-find: open claims of reconciliation entries that a live event (webhook, change
-- event, Outbound Message) of the same subject and status falls into. Run under the chain-head lock.
-- $1 json   array of {i (the event's index in the batch), tenant, subject_id, status_after, occurred_at}
-- Returns   i, seq, id, source_event_id of each claim that matches, oldest entry first per event.
SELECT k.i, c.seq, e.id, e.source_event_id
FROM json_to_recordset($1::json) AS k(i integer, tenant text, subject_id uuid, status_after text, occurred_at timestamptz)
JOIN transition_claims c
  ON c.tenant = k.tenant AND c.subject_id = k.subject_id AND c.status_after = k.status_after
 AND c.matched_source_event_id IS NULL AND k.occurred_at BETWEEN c.window_from AND c.window_to
JOIN standing_events e ON e.tenant = c.tenant AND e.seq = c.seq
ORDER BY k.i, c.seq;
