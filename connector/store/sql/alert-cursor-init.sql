-- alert-cursor-init: the tenant's alert scan cursor, created at the head of its log the first time
-- (a new channel gets no alerts for the past). Returns the cursor.
-- $1 text     tenant
WITH made AS (
  INSERT INTO alert_scan_cursor (tenant, last_seq)
  SELECT $1, COALESCE(max(seq), 0) FROM standing_events WHERE tenant = $1
  ON CONFLICT (tenant) DO NOTHING
  RETURNING last_seq
)
SELECT last_seq FROM made
UNION ALL
SELECT last_seq FROM alert_scan_cursor WHERE tenant = $1
LIMIT 1;
