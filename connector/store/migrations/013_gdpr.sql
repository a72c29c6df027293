-- 013_gdpr: what GDPR erasure records. Runs inside the store's schema (search_path). No inputs.
--
-- Tables
--   subject_erasures   one row per erased subject: when, by whom (a principal label, never a
--                      customer's data), why (the operator's reason) and the seq of the `erasure`
--                      entry appended to the chain for it. Append-only.
--
-- Log rows written from this version on have `public.v = 2` (see connector/model/chain.ts): the
-- source's record id, URL and related tickets are sealed, and `public.source.event_id` (from which
-- the generated `source_event_id` idempotency column is derived) is a keyed digest. Rows written
-- before keep their v1 form; nothing here rewrites them.

CREATE TABLE subject_erasures (
  tenant     text        NOT NULL,
  subject_id uuid        NOT NULL,
  erased_at  timestamptz NOT NULL DEFAULT now(),
  actor      text        NOT NULL,
  reason     text        NOT NULL,
  seq        bigint      NOT NULL,
  -- What else was removed: {inbox_rows_redacted, field_values_deleted, tickets_seen_deleted}.
  removed    jsonb       NOT NULL DEFAULT '{}',
  PRIMARY KEY (tenant, subject_id),
  FOREIGN KEY (tenant, subject_id) REFERENCES subjects (tenant, subject_id)
);
CREATE TRIGGER subject_erasures_append_only BEFORE UPDATE OR DELETE ON subject_erasures
  FOR EACH ROW EXECUTE FUNCTION standing_refuse_change();
CREATE TRIGGER subject_erasures_no_truncate BEFORE TRUNCATE ON subject_erasures
  FOR EACH STATEMENT EXECUTE FUNCTION standing_refuse_change();
