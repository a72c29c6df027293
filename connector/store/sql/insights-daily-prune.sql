-- insights-daily-prune: removes the tenant's daily counts that insights-unfold-daily left at zero.
-- $1 text    tenant
DELETE FROM insights_daily WHERE tenant = $1 AND events = 0;
