-- grants: every right the service's database role has, in one place. Applied by the migrator after
-- the migrations (as the schema's owner, PostgreSQL only), which then calls
-- standing_grant_service_role for each role recorded in service_role_grants; `standing db grant
-- --role <name>` records and grants a new one. Runs inside the store's schema (search_path). No inputs.
--
-- standing_grant_service_role(role) first takes away every right the role has on this schema's
-- tables and owner functions, then grants exactly the list below. The service role owns nothing: it
-- cannot ALTER a table, disable a trigger, or redefine a function. What it may do on the tables that
-- keep the past:
--   standing_events      SELECT, INSERT           (rows leave only through standing_retention_cut)
--   chain_heads          SELECT                   (standing_chain_heads_lock, standing_chain_advance, standing_events_append)
--   chain_boundaries     SELECT                   (written by standing_retention_cut)
--   attribution_boundaries SELECT                 (written by standing_retention_cut)
--   checkpoints          SELECT                   (standing_checkpoint_insert)
--   checkpoint_keys      SELECT                   (only the owner registers a key)
--   legal_hold_events    SELECT                   (standing_hold_place, standing_hold_lift)
--   retention_policies, mapping_versions, access_audit, subject_erasures, event_attributions   SELECT, INSERT
--                        (attribution records leave only through standing_retention_cut, too)
--   access_audit_heads   SELECT, INSERT, UPDATE   (a trigger lets the head move one link forward only)
--   api_keys             SELECT, INSERT, UPDATE   (create, revoke, last used; never deleted)
--   schema_migrations    SELECT                   (the service checks that nothing is pending)
--   service_role_grants  nothing
-- Every other table (the intake inbox, subjects and identities, tenants, settings, reconciliation,
-- Salesforce, SIEM and alerting state, the insights rollups) is working state: SELECT, INSERT, UPDATE, DELETE.
-- No TRUNCATE, REFERENCES or TRIGGER anywhere. Owner functions it may execute: standing_retention_cut,
-- standing_hold_place, standing_hold_lift, standing_checkpoint_insert, standing_chain_heads_lock,
-- standing_chain_advance, standing_events_append.
-- test/store/grants.integration.test.ts checks every table and owner function against this list.

CREATE OR REPLACE FUNCTION standing_grant_service_role(p_role text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  s text := current_schema();
  t text;
  f regprocedure;
  keep_past constant text[] := ARRAY['standing_events', 'retention_policies', 'mapping_versions', 'access_audit', 'subject_erasures',
    'event_attributions'];
  read_only constant text[] := ARRAY['chain_heads', 'chain_boundaries', 'checkpoints', 'checkpoint_keys', 'legal_hold_events', 'schema_migrations',
    'attribution_boundaries'];
  no_delete constant text[] := ARRAY['access_audit_heads', 'api_keys'];
  none constant text[] := ARRAY['service_role_grants'];
  callable constant text[] := ARRAY['standing_retention_cut', 'standing_hold_place', 'standing_hold_lift',
    'standing_checkpoint_insert', 'standing_chain_heads_lock', 'standing_chain_advance', 'standing_events_append'];
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s, p_role);
  EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM %I', s, p_role);
  FOR t IN SELECT c.relname FROM pg_class c WHERE c.relnamespace = s::regnamespace AND c.relkind IN ('r', 'p') LOOP
    IF t = ANY (keep_past) THEN
      EXECUTE format('GRANT SELECT, INSERT ON %I TO %I', t, p_role);
    ELSIF t = ANY (read_only) THEN
      EXECUTE format('GRANT SELECT ON %I TO %I', t, p_role);
    ELSIF t = ANY (no_delete) THEN
      EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I TO %I', t, p_role);
    ELSIF NOT t = ANY (none) THEN
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO %I', t, p_role);
    END IF;
  END LOOP;
  EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', s, p_role);
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p WHERE p.pronamespace = s::regnamespace AND p.prosecdef LOOP
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM %I', f, p_role);
  END LOOP;
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p WHERE p.pronamespace = s::regnamespace AND p.prosecdef AND p.proname = ANY (callable) LOOP
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', f, p_role);
  END LOOP;
  INSERT INTO service_role_grants (role_name) VALUES (p_role) ON CONFLICT DO NOTHING;
END
$$;
REVOKE ALL ON FUNCTION standing_grant_service_role(text) FROM PUBLIC;
