-- alert-cursor-reset: puts the tenant's alert scan cursor at the head of its log (a channel turned on
-- after all were off: what happened meanwhile is not alerted).
-- $1 text     tenant
INSERT INTO alert_scan_cursor (tenant, last_seq)
SELECT $1, COALESCE(max(seq), 0) FROM standing_events WHERE tenant = $1
ON CONFLICT (tenant) DO UPDATE SET last_seq = GREATEST(alert_scan_cursor.last_seq, excluded.last_seq), updated_at = now();
