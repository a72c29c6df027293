-- 008_reconciliation: what scheduled reconciliation and backfill need to resume and to report.
-- Runs inside the store's schema (search_path). No inputs.
--
-- Tables
--   reconciliation_checkpoints  one row per tenant + source + stream (e.g. zendesk/users): the
--                               provider position (cursor, start time, SystemModstamp) up to which
--                               every record's findings are durable in the log. Moved only after
--                               the page's events were appended.
--   reconciliation_runs         one row per run (scheduled or backfill): when, how far, what it found.
--   transition_claims           one row per log entry appended by reconciliation that records a
--                               status change: the subject, the status and the window in which the
--                               change happened. A live event (webhook, change event, Outbound
--                               Message) for the same subject and status inside the window is the
--                               same transition: it is recorded as a duplicate of that entry
--                               (matched once), see connector/reconciliation/transition-matching.ts.

CREATE TABLE reconciliation_checkpoints (
  tenant     text        NOT NULL,
  source     text        NOT NULL,
  stream     text        NOT NULL,
  position   jsonb       NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, source, stream)
);

CREATE TABLE reconciliation_runs (
  id              uuid        PRIMARY KEY,
  tenant          text        NOT NULL,
  source          text        NOT NULL,
  trigger         text        NOT NULL,
  state           text        NOT NULL,
  started_at      timestamptz NOT NULL,
  ended_at        timestamptz,
  pages           integer     NOT NULL DEFAULT 0,
  records_read    integer     NOT NULL DEFAULT 0,
  events_appended integer     NOT NULL DEFAULT 0,
  drift_found     integer     NOT NULL DEFAULT 0,
  errors          jsonb       NOT NULL DEFAULT '[]'::jsonb
);
CREATE INDEX reconciliation_runs_recent ON reconciliation_runs (tenant, started_at DESC, id);

CREATE TABLE transition_claims (
  tenant                  text        NOT NULL,
  seq                     bigint      NOT NULL,
  subject_id              uuid        NOT NULL,
  status_after            text        NOT NULL,
  window_from             timestamptz NOT NULL,
  window_to               timestamptz NOT NULL,
  matched_source_event_id text,
  -- (tenant, seq) is the reconciliation entry's; no foreign key, so that standing_events keeps
  -- refusing TRUNCATE with its own append-only message.
  PRIMARY KEY (tenant, seq)
);
CREATE INDEX transition_claims_open ON transition_claims (tenant, subject_id, status_after) WHERE matched_source_event_id IS NULL;
