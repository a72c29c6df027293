-- insights-flagged: the reinstatements in the range that the tenant's warning settings flag, as the
-- warnings define them (connector/history/standing-warnings.ts), from the public fields:
--   reinstatement_without_approval  no approval step between the undone deactivation (or the previous
--                                   reinstatement) and it, unless the deactivation's reason is exempt;
--   reactivation_after_fraud        it undoes a deactivation with a fraud reason code, within window_hours;
--   repeated_cycles                 per subject, the first reinstatement in the range that completes at
--                                   least min_cycles deactivation-then-reinstatement cycles within
--                                   window_days (cycles before the range count towards the window).
-- Personal data: subject ids. Counted by insights-flag-counts; listed (audited) by the drill-down.
-- $1 text    tenant
-- $2 text    from: first UTC day (YYYY-MM-DD), inclusive
-- $3 text    to: last UTC day, inclusive
-- $4 text    bucket: day, week or month
-- $5 text    source system, or null for every source
-- $6 text    about: all, person or account
-- $7 bool    unapproved_reinstatement.enabled     $8 text[]  its exempt_reason_codes
-- $9 bool    fraud_reactivation.enabled           $10 text[] its reason_codes    $11 int  its window_hours
-- $12 bool   repeated_cycles.enabled              $13 int    its min_cycles      $14 int  its window_days
-- Returns    warning, subject_id, about, bucket (YYYY-MM-DD), at (ISO instant), event_ids (uuid[]), cycles
WITH scope AS (
  SELECT c.*, date_trunc($4, c.reinstated_at AT TIME ZONE 'UTC') AS bucket,
         c.reinstated_at >= $2::date::timestamp AT TIME ZONE 'UTC' AS in_range
  FROM insights_cycles c
  WHERE c.tenant = $1
    AND c.reinstated_at >= ($2::date - CASE WHEN $12::bool THEN $14::int ELSE 0 END)::timestamp AT TIME ZONE 'UTC'
    AND c.reinstated_at < ($3::date + 1)::timestamp AT TIME ZONE 'UTC'
    AND ($5::text IS NULL OR c.source = $5) AND ($6 = 'all' OR c.about = $6)
), repeated AS (
  SELECT DISTINCT ON (subject_id) *
  FROM (
    SELECT scope.*, count(*) OVER (PARTITION BY subject_id ORDER BY reinstated_at
             RANGE BETWEEN make_interval(days => $14::int) PRECEDING AND CURRENT ROW) AS cycles
    FROM scope WHERE $12::bool AND deactivation_seq IS NOT NULL
  ) w
  WHERE in_range AND cycles >= $13::int
  ORDER BY subject_id, reinstated_at, reinstatement_seq
), flagged AS (
  SELECT 'reinstatement_without_approval' AS warning, subject_id, about, bucket, reinstated_at,
         ARRAY[reinstatement_id] AS event_ids, NULL::int AS cycles
  FROM scope
  WHERE in_range AND $7::bool AND NOT approved AND (reason_code IS NULL OR NOT reason_code = ANY ($8::text[]))
  UNION ALL
  SELECT 'reactivation_after_fraud', subject_id, about, bucket, reinstated_at, ARRAY[reinstatement_id, deactivation_id],
         NULL
  FROM scope
  WHERE in_range AND $9::bool AND deactivation_seq IS NOT NULL AND reason_code = ANY ($10::text[])
    AND reinstated_at >= deactivated_at AND reinstated_at - deactivated_at <= make_interval(hours => $11::int)
  UNION ALL
  SELECT 'repeated_cycles', subject_id, about, bucket, reinstated_at, ARRAY[reinstatement_id], cycles::int
  FROM repeated
)
SELECT warning, subject_id, about, to_char(bucket, 'YYYY-MM-DD') AS bucket,
       to_char(reinstated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, event_ids, cycles
FROM flagged
