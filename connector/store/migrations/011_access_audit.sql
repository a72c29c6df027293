-- 011_access_audit: the read audit. Every read and export of a customer's history, and every
-- denied attempt, is a row of access_audit, hash-chained per tenant like the log (denials not tied
-- to a tenant go to the chain of tenant '*'). Runs inside the store's schema (search_path), as the
-- owner. No inputs.
--
-- Tables
--   access_audit        one row per read, export or denial: who (principal label and role, no
--                       secret), which subjects (uuids only: no identity is ever stored here, so an
--                       erasure leaves nothing readable), when, through which path. Append-only.
--   access_audit_heads  the newest (seq, hash) of each tenant's audit chain and the hash before it;
--                       appends move it in the same statement that inserts the row, and its row lock
--                       serializes them. It only moves one link forward.
-- Functions
--   standing_grant_service_role(role)   redefined: access_audit is INSERT and SELECT only.

CREATE TABLE access_audit (
  tenant      text        NOT NULL,
  seq         bigint      NOT NULL CHECK (seq > 0),
  id          uuid        NOT NULL,
  at          timestamptz NOT NULL,
  action      text        NOT NULL,
  principal   jsonb       NOT NULL,
  path        text        NOT NULL,
  subject_ids uuid[]      NOT NULL,
  outcome     text        NOT NULL CHECK (outcome IN ('allowed', 'denied')),
  detail      jsonb       NOT NULL,
  prev_hash   text        NOT NULL,
  hash        text        NOT NULL,
  PRIMARY KEY (tenant, seq)
);
-- Reads of one subject (auditors' filter, the GDPR access export).
CREATE INDEX access_audit_subjects ON access_audit USING gin (subject_ids);

CREATE TABLE access_audit_heads (
  tenant    text   PRIMARY KEY,
  seq       bigint NOT NULL,
  prev_hash text   NOT NULL,
  hash      text   NOT NULL
);

CREATE TRIGGER access_audit_append_only BEFORE UPDATE OR DELETE ON access_audit
  FOR EACH ROW EXECUTE FUNCTION standing_refuse_change();
CREATE TRIGGER access_audit_no_truncate BEFORE TRUNCATE ON access_audit
  FOR EACH STATEMENT EXECUTE FUNCTION standing_refuse_change();

CREATE FUNCTION standing_audit_head_next_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.tenant <> OLD.tenant OR NEW.seq <> OLD.seq + 1 OR NEW.prev_hash <> OLD.hash THEN
    RAISE EXCEPTION 'standing: the audit chain head of % moves one link forward only', OLD.tenant
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER access_audit_heads_next_only BEFORE UPDATE ON access_audit_heads
  FOR EACH ROW EXECUTE FUNCTION standing_audit_head_next_only();
CREATE TRIGGER access_audit_heads_no_delete BEFORE DELETE ON access_audit_heads
  FOR EACH ROW EXECUTE FUNCTION standing_refuse_change();
CREATE TRIGGER access_audit_heads_no_truncate BEFORE TRUNCATE ON access_audit_heads
  FOR EACH STATEMENT EXECUTE FUNCTION standing_refuse_change();

-- As in 010, plus the read audit: INSERT and SELECT on access_audit; on its heads INSERT, SELECT
-- and UPDATE (an append moves the head; the trigger allows one link forward only).
CREATE OR REPLACE FUNCTION standing_grant_service_role(p_role text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  s text := current_schema();
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s, p_role);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', s, p_role);
  EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON standing_events, chain_boundaries, checkpoints, '
    'legal_hold_events, retention_policies, mapping_versions, schema_migrations, service_role_grants, access_audit FROM %I', p_role);
  EXECUTE format('REVOKE DELETE, TRUNCATE, REFERENCES, TRIGGER ON access_audit_heads FROM %I', p_role);
  EXECUTE format('REVOKE INSERT ON chain_boundaries, schema_migrations, service_role_grants FROM %I', p_role);
  EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', s, p_role);
  EXECUTE format('GRANT EXECUTE ON FUNCTION standing_retention_cut(text, bigint, text, text, text, text) TO %I', p_role);
  INSERT INTO service_role_grants (role_name) VALUES (p_role) ON CONFLICT DO NOTHING;
END
$$;
REVOKE ALL ON FUNCTION standing_grant_service_role(text) FROM PUBLIC;
