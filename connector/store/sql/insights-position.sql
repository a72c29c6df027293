-- insights-position: how far a tenant's insights rollups are, and how far its log is.
-- $1 text   tenant
-- Returns   one row: through (highest seq folded in, 0 if none), head (highest seq in the log, 0 if none),
--           first (lowest seq in the log, 0 if none: it moves when a retention cut removes rows)
SELECT coalesce((SELECT through_seq FROM insights_progress WHERE tenant = $1), 0)::bigint AS through,
       coalesce((SELECT max(seq) FROM standing_events WHERE tenant = $1), 0)::bigint AS head,
       coalesce((SELECT min(seq) FROM standing_events WHERE tenant = $1), 0)::bigint AS first;
