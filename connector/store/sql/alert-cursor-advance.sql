-- alert-cursor-advance: moves the alert scan cursor once the alerts of the rows up to $3 are in the
-- outbox, only from the value the scan read (compare-and-set); returns a row when it moved.
-- $1 text     tenant
-- $2 bigint   the cursor the scan read
-- $3 bigint   the last seq scanned
UPDATE alert_scan_cursor SET last_seq = $3, updated_at = now()
WHERE tenant = $1 AND last_seq = $2
RETURNING 1;
