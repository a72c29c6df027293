-- 001_standing_log: the append-only, hash-chained log of account standing events.
-- Runs inside the store's schema (search_path). No inputs.
--
-- Tables
--   standing_events     one row per event, chained per tenant (seq, prev_hash, hash). Append-only.
--   chain_heads         the newest (seq, hash) of each tenant's chain; its row lock serializes writers.
--   chain_boundaries    recorded links where a chain legitimately starts after seq 1 (retention). Append-only.
--   subjects            one customer ("data subject") per row, with its wrapped data key; erasure nulls the key.
--   subject_identities  blind-indexed identities (email, provider ids) -> subject. Erasure deletes them.

CREATE TABLE standing_events (
  tenant          text        NOT NULL,
  seq             bigint      NOT NULL CHECK (seq > 0),
  id              uuid        NOT NULL,
  kind            text        NOT NULL,
  status_before   text,
  status_after    text,
  occurred_at     timestamptz NOT NULL,
  recorded_at     timestamptz NOT NULL,
  subject_id      uuid        NOT NULL,
  public          jsonb       NOT NULL,
  sealed          bytea       NOT NULL,
  prev_hash       text        NOT NULL,
  hash            text        NOT NULL,
  -- Derived from the hashed `public` document so the idempotency key cannot drift from it.
  source_system   text        GENERATED ALWAYS AS (public #>> '{source,system}') STORED,
  source_event_id text        GENERATED ALWAYS AS (public #>> '{source,event_id}') STORED,
  PRIMARY KEY (tenant, seq),
  CONSTRAINT standing_events_source_event_unique UNIQUE (tenant, source_system, source_event_id)
);
CREATE INDEX standing_events_subject_history ON standing_events (tenant, subject_id, occurred_at DESC, seq DESC);

CREATE TABLE chain_heads (
  tenant text   PRIMARY KEY,
  seq    bigint NOT NULL DEFAULT 0,
  hash   text   NOT NULL DEFAULT '0000000000000000000000000000000000000000000000000000000000000000'
);

CREATE TABLE chain_boundaries (
  tenant      text        NOT NULL,
  seq         bigint      NOT NULL,
  hash        text        NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  reason      text        NOT NULL,
  PRIMARY KEY (tenant, seq)
);

CREATE TABLE subjects (
  tenant      text        NOT NULL,
  subject_id  uuid        NOT NULL,
  wrapped_key bytea,
  created_at  timestamptz NOT NULL DEFAULT now(),
  erased_at   timestamptz,
  PRIMARY KEY (tenant, subject_id),
  CHECK ((wrapped_key IS NULL) = (erased_at IS NOT NULL))
);

CREATE TABLE subject_identities (
  tenant     text NOT NULL,
  digest     text NOT NULL,
  subject_id uuid NOT NULL,
  PRIMARY KEY (tenant, digest),
  FOREIGN KEY (tenant, subject_id) REFERENCES subjects (tenant, subject_id)
);
CREATE INDEX subject_identities_subject ON subject_identities (tenant, subject_id);

-- Append-only, enforced by the database: no UPDATE, DELETE or TRUNCATE of log rows by anyone
-- the triggers apply to. (A superuser can bypass triggers; the hash chain is what detects that.)
CREATE FUNCTION standing_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'standing: % on % is not allowed: the log is append-only', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER standing_events_append_only BEFORE UPDATE OR DELETE ON standing_events
  FOR EACH ROW EXECUTE FUNCTION standing_refuse_change();
CREATE TRIGGER standing_events_no_truncate BEFORE TRUNCATE ON standing_events
  FOR EACH STATEMENT EXECUTE FUNCTION standing_refuse_change();
CREATE TRIGGER chain_boundaries_append_only BEFORE UPDATE OR DELETE ON chain_boundaries
  FOR EACH ROW EXECUTE FUNCTION standing_refuse_change();
CREATE TRIGGER chain_boundaries_no_truncate BEFORE TRUNCATE ON chain_boundaries
  FOR EACH STATEMENT EXECUTE FUNCTION standing_refuse_change();

-- A chain head only moves forward.
CREATE FUNCTION standing_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.seq < OLD.seq THEN
    RAISE EXCEPTION 'standing: chain head of % cannot move back from % to %', OLD.tenant, OLD.seq, NEW.seq
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER chain_heads_forward_only BEFORE UPDATE ON chain_heads
  FOR EACH ROW EXECUTE FUNCTION standing_head_forward_only();
CREATE TRIGGER chain_heads_no_delete BEFORE DELETE ON chain_heads
  FOR EACH ROW EXECUTE FUNCTION standing_refuse_change();
