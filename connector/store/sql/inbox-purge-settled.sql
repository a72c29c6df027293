-- inbox-purge-settled: deletes one batch of inbox rows whose outcome is final and old enough (stored
-- or ignored), bounding how long raw payloads (personal data) are kept. Quarantined and pending rows
-- stay. Found through intake_inbox_settled (004), so a batch costs its own rows, not a table scan.
-- A redelivery after the purge is accepted again and deduped by the log.
-- $1 int   age in days, counted from processing
-- $2 int   most rows deleted in this batch
-- Returns   n, the number of rows deleted
WITH old AS (
  SELECT tenant, source, event_id
  FROM intake_inbox
  WHERE state IN ('stored', 'ignored') AND processed_at < now() - make_interval(days => $1)
  ORDER BY processed_at
  LIMIT $2
), gone AS (
  DELETE FROM intake_inbox i
  USING old
  WHERE i.tenant = old.tenant AND i.source = old.source AND i.event_id = old.event_id
  RETURNING 1
)
SELECT count(*)::int AS n FROM gone;
