-- alert-deliveries-page: a tenant's delivery log, newest first.
-- $1 text     tenant
-- $2 bigint   only rows with an id below this (the previous page's last), or NULL
-- $3 int      most rows
SELECT id, alert_key, channel, code, attempt, outcome, status, answer, test, at
FROM alert_deliveries
WHERE tenant = $1 AND ($2::bigint IS NULL OR id < $2)
ORDER BY id DESC
LIMIT $3;
