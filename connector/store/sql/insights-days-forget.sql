-- insights-days-forget: removes the daily reinstatement and duration rows of some days, before
-- insights-days-fold-* rebuild them from insights_cycles and insights_decisions.
-- $1 text    tenant
-- $2 date[]  days
WITH durations AS (
  DELETE FROM insights_daily_durations WHERE tenant = $1 AND day = ANY ($2::date[])
)
DELETE FROM insights_daily_reinstatements WHERE tenant = $1 AND day = ANY ($2::date[]);
