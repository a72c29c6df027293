-- insights-counts: deactivations and reinstatements per bucket, change, reason code, initiation and source.
-- $1 text   tenant
-- $2 text   from: first UTC day (YYYY-MM-DD), inclusive
-- $3 text   to: last UTC day, inclusive
-- $4 text   bucket: day, week (ISO, starting Monday) or month
-- $5 text   source system, or null for every source
-- $6 text   about: all, person or account
-- Returns   bucket (YYYY-MM-DD of its first day), change, reason_code ('' for none), initiation, source, events
SELECT to_char(date_trunc($4, day::timestamp), 'YYYY-MM-DD') AS bucket, change, reason_code, initiation, source,
       sum(events)::int AS events
FROM insights_daily
WHERE tenant = $1 AND day BETWEEN $2::date AND $3::date
  AND ($5::text IS NULL OR source = $5) AND ($6 = 'all' OR about = $6)
GROUP BY 1, 2, 3, 4, 5
ORDER BY 1, 2, 3, 4, 5;
