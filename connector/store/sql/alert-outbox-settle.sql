-- alert-outbox-settle: records one delivery attempt: the outbox row's new state and the delivery log
-- row, in one statement. Nothing when the row is no longer pending (settled by another deliverer).
-- $1 text     tenant                      $6 int          HTTP status, or NULL (no answer)
-- $2 text     alert key                   $7 text         the answer (short; never a secret or the body sent)
-- $3 text     channel                     $8 timestamptz  now
-- $4 text     new state (pending, sent, failed)           $9 text  outcome (sent, retrying, failed)
-- $5 timestamptz  next attempt (state pending), or NULL
WITH u AS (
  UPDATE alert_outbox
  SET state = $4, attempts = attempts + 1, next_attempt_at = COALESCE($5, next_attempt_at), last_answer = $7,
      settled_at = CASE WHEN $4 = 'pending' THEN NULL ELSE $8::timestamptz END,
      -- A ticket id is kept only while the note may still be sent (it links the alert to a customer).
      ticket_id = CASE WHEN $4 = 'pending' THEN ticket_id ELSE NULL END
  WHERE tenant = $1 AND alert_key = $2 AND channel = $3 AND state = 'pending'
  RETURNING tenant, alert_key, channel, code, attempts, test
)
INSERT INTO alert_deliveries (tenant, alert_key, channel, code, attempt, outcome, status, answer, test, at)
SELECT tenant, alert_key, channel, code, attempts, $9, $6, $7, test, $8 FROM u
RETURNING id;
