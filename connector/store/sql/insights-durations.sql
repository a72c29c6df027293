-- insights-durations: the measured intervals of the range, in seconds, per day, measure and bucket, from
-- insights_daily_durations: time to reinstatement (the undone deactivation -> the reinstatement, by the
-- reinstatement's day) and time to decision (the earliest request -> the approval or denial, by the
-- decision's day). The caller takes the percentiles (a few thousand numbers: PostgreSQL's sorts of them
-- per group and grouping set cost more than reading them).
-- $1 text   tenant
-- $2 text   from: first UTC day (YYYY-MM-DD), inclusive
-- $3 text   to: last UTC day, inclusive
-- $4 text   bucket: day, week or month
-- $5 text   source system, or null for every source
-- $6 text   about: all, person or account
-- Returns   measure ('reinstatement' | 'decision'), bucket (YYYY-MM-DD), seconds (float8[])
SELECT measure, to_char(date_trunc($4, day::timestamp), 'YYYY-MM-DD') AS bucket, seconds
FROM insights_daily_durations
WHERE tenant = $1 AND day BETWEEN $2::date AND $3::date
  AND ($5::text IS NULL OR source = $5) AND ($6 = 'all' OR about = $6);
