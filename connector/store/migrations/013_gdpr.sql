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

-- As in 011, plus subject_erasures: INSERT and SELECT only (the record of an erasure is not rewritten).
CREATE OR REPLACE FUNCTION standing_grant_service_role(p_role text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  s text := current_schema();
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s, p_role);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', s, p_role);
  EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON standing_events, chain_boundaries, checkpoints, '
    'legal_hold_events, retention_policies, mapping_versions, schema_migrations, service_role_grants, access_audit, subject_erasures FROM %I', p_role);
  EXECUTE format('REVOKE DELETE, TRUNCATE, REFERENCES, TRIGGER ON access_audit_heads FROM %I', p_role);
  EXECUTE format('REVOKE INSERT ON chain_boundaries, schema_migrations, service_role_grants FROM %I', p_role);
  EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', s, p_role);
  EXECUTE format('GRANT EXECUTE ON FUNCTION standing_retention_cut(text, bigint, text, text, text, text) TO %I', p_role);
  INSERT INTO service_role_grants (role_name) VALUES (p_role) ON CONFLICT DO NOTHING;
END
$$;
REVOKE ALL ON FUNCTION standing_grant_service_role(text) FROM PUBLIC;
