-- 019_insights: rollups of the log's public fields for the insights (GET /api/v1/tenants/{t}/insights).
-- Runs inside the store's schema (search_path), as the role that owns the schema. No inputs.
--
-- Working state, derived only from standing_events' public columns (kind, status, occurred_at,
-- subject_id, source, reason code, initiation) and subjects.kind: dropping the rows and setting
-- insights_progress back to 0 rebuilds them. The reader catches a tenant up (connector/store/insights.ts)
-- before it answers, so no write path of the log pays for them.
--
-- Tables
--   insights_progress   per tenant, the highest log seq folded into the rollups.
--   insights_daily      counts of deactivations and reinstatements per UTC day of occurred_at, change,
--                       subject kind, source, reason code ('' for none) and initiation ('unknown' for none).
--   insights_cycles     one row per reinstatement: the deactivation it undoes (the subject's previous
--                       deactivation or reinstatement, when that was a deactivation), that one's reason
--                       code, and whether a reinstatement_approved step was recorded between the two.
--   insights_decisions  one row per reinstatement_approved / reinstatement_denied: the earliest
--                       reinstatement_requested of the subject since its previous decision.
--   insights_daily_reinstatements  insights_cycles counted per UTC day of the reinstatement, subject kind,
--                       source, the undone deactivation's reason code ('' for none), whether one was
--                       undone, whether approved, and the whole hours it took (rounded up, at most 8761;
--                       -1 when none was undone): what the warning counts need, whatever the thresholds.
--   insights_daily_durations  per UTC day, measure ('reinstatement' | 'decision'), subject kind and source,
--                       the measured intervals in seconds, for exact percentiles over any range.
-- A late event (occurred before events already folded in) is handled by recomputing the cycles and
-- decisions of every subject it touches, then the two daily tables of every day those were on.

CREATE TABLE insights_progress (
  tenant      text   PRIMARY KEY,
  through_seq bigint NOT NULL DEFAULT 0 CHECK (through_seq >= 0)
);

CREATE TABLE insights_daily (
  tenant      text   NOT NULL,
  day         date   NOT NULL,
  change      text   NOT NULL CHECK (change IN ('deactivation', 'reinstatement')),
  about       text   NOT NULL,
  source      text   NOT NULL,
  reason_code text   NOT NULL,
  initiation  text   NOT NULL,
  events      bigint NOT NULL CHECK (events >= 0),
  PRIMARY KEY (tenant, day, change, about, source, reason_code, initiation)
);

CREATE TABLE insights_cycles (
  tenant            text        NOT NULL,
  reinstatement_seq bigint      NOT NULL,
  reinstatement_id  uuid        NOT NULL,
  subject_id        uuid        NOT NULL,
  about             text        NOT NULL,
  source            text        NOT NULL,
  reinstated_at     timestamptz NOT NULL,
  deactivation_seq  bigint,
  deactivation_id   uuid,
  deactivated_at    timestamptz,
  reason_code       text,
  approved          boolean     NOT NULL,
  PRIMARY KEY (tenant, reinstatement_seq)
);
CREATE INDEX insights_cycles_time ON insights_cycles (tenant, reinstated_at);
CREATE INDEX insights_cycles_subject ON insights_cycles (tenant, subject_id);

CREATE TABLE insights_decisions (
  tenant       text        NOT NULL,
  decision_seq bigint      NOT NULL,
  subject_id   uuid        NOT NULL,
  about        text        NOT NULL,
  source       text        NOT NULL,
  decided_at   timestamptz NOT NULL,
  decision     text        NOT NULL CHECK (decision IN ('approved', 'denied')),
  requested_at timestamptz,
  PRIMARY KEY (tenant, decision_seq)
);
CREATE INDEX insights_decisions_time ON insights_decisions (tenant, decided_at);
CREATE INDEX insights_decisions_subject ON insights_decisions (tenant, subject_id);
-- Repeated cycles: the undone cycles of a range, read from the index alone.
CREATE INDEX insights_cycles_undone ON insights_cycles (tenant, reinstated_at) INCLUDE (subject_id, source, about)
  WHERE deactivation_seq IS NOT NULL;

CREATE TABLE insights_daily_reinstatements (
  tenant      text    NOT NULL,
  day         date    NOT NULL,
  about       text    NOT NULL,
  source      text    NOT NULL,
  reason_code text    NOT NULL,
  undone      boolean NOT NULL,
  approved    boolean NOT NULL,
  hours       integer NOT NULL,
  n           bigint  NOT NULL CHECK (n > 0),
  PRIMARY KEY (tenant, day, about, source, reason_code, undone, approved, hours)
);

CREATE TABLE insights_daily_durations (
  tenant  text     NOT NULL,
  day     date     NOT NULL,
  measure text     NOT NULL CHECK (measure IN ('reinstatement', 'decision')),
  about   text     NOT NULL,
  source  text     NOT NULL,
  seconds float8[] NOT NULL,
  PRIMARY KEY (tenant, day, measure, about, source)
);
