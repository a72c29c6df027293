-- inbox-redact: drops the raw payload of inbox rows (GDPR erasure). The row stays, so a redelivery
-- of the same provider event is still recognised as a duplicate; what processing concluded is kept
-- only as its reason or seqs (problems may quote the payload).
-- $1 text   tenant
-- $2 json   array of {source, event_id}
-- Returns   the number of rows redacted (one row, column n).
WITH r AS (
  UPDATE intake_inbox i
  SET body = '{"redacted": "gdpr_erasure"}'::jsonb,
      outcome = CASE WHEN i.outcome IS NULL THEN NULL
                     ELSE jsonb_strip_nulls(jsonb_build_object('reason', i.outcome -> 'reason', 'seqs', i.outcome -> 'seqs', 'redacted', true)) END
  FROM json_to_recordset($2::json) AS k(source text, event_id text)
  WHERE i.tenant = $1 AND i.source = k.source AND i.event_id = k.event_id
  RETURNING 1
)
SELECT count(*)::int AS n FROM r;
