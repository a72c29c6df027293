-- 010_checkpoints: signed checkpoints, signed chain boundaries, retention through one sanctioned
-- function, legal holds, and the grants that let the service run as a role that cannot rewrite the past.
-- Runs inside the store's schema (search_path), as the role that owns the schema (the owner). No inputs.
--
-- Tables
--   checkpoints              per tenant, a chain of signed statements "the chain was at (seq, hash) at
--                            this time, starting after this boundary", each naming the previous one's
--                            hash. `body` is exactly what is signed (Ed25519 over its JCS text). Append-only.
--   chain_boundaries         + key_id, signature: a boundary written by retention is signed like a
--                            checkpoint (body {type, version, tenant, seq, hash, reason, key_id}).
--   retention_policies       every retention setting a tenant had (category, days kept), newest in
--                            force, with who set it and when. Append-only.
--   legal_hold_events        placing and lifting legal holds on a tenant or a subject. Append-only: a
--                            hold is active while it has a 'place' row and no 'lift' row.
--   service_role_grants      roles given the service's grants (standing_grant_service_role): the
--                            migrator re-grants them after every migration, so new tables are covered.
-- Functions
--   standing_retention_cut(tenant, through_seq, hash, reason, key_id, signature)
--       SECURITY DEFINER, owned by the owner: the only way rows leave standing_events. Refuses a cut
--       beyond the head, a hash that is not the row's, or any row under a legal hold; records the
--       signed boundary, then deletes the tenant's rows up to through_seq. Returns the rows deleted.
--   standing_grant_service_role(role)   (owner only) gives a login role what the service needs.

ALTER TABLE chain_boundaries ADD COLUMN key_id text, ADD COLUMN signature text;

CREATE TABLE checkpoints (
  tenant     text        NOT NULL,
  number     bigint      NOT NULL CHECK (number > 0),
  seq        bigint      NOT NULL CHECK (seq >= 0),
  body       jsonb       NOT NULL,
  hash       text        NOT NULL,
  signature  text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, number)
);
CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON checkpoints
  FOR EACH ROW EXECUTE FUNCTION standing_refuse_change();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION standing_refuse_change();

CREATE TABLE retention_policies (
  tenant     text        NOT NULL,
  version    integer     NOT NULL CHECK (version > 0),
  category   text        NOT NULL,
  keep_days  integer     CHECK (keep_days IS NULL OR keep_days > 0),
  changed_by text        NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, version)
);
CREATE TRIGGER retention_policies_append_only BEFORE UPDATE OR DELETE ON retention_policies
  FOR EACH ROW EXECUTE FUNCTION standing_refuse_change();

CREATE TABLE legal_hold_events (
  hold_id    uuid        NOT NULL,
  action     text        NOT NULL CHECK (action IN ('place', 'lift')),
  tenant     text        NOT NULL,
  -- NULL: the whole tenant is on hold.
  subject_id uuid,
  reason     text        NOT NULL,
  actor      text        NOT NULL,
  at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (hold_id, action)
);
CREATE INDEX legal_hold_events_tenant ON legal_hold_events (tenant, at);
CREATE TRIGGER legal_hold_events_append_only BEFORE UPDATE OR DELETE ON legal_hold_events
  FOR EACH ROW EXECUTE FUNCTION standing_refuse_change();
CREATE TRIGGER legal_hold_events_no_truncate BEFORE TRUNCATE ON legal_hold_events
  FOR EACH STATEMENT EXECUTE FUNCTION standing_refuse_change();

CREATE TABLE service_role_grants (
  role_name  text        PRIMARY KEY,
  granted_at timestamptz NOT NULL DEFAULT now()
);

-- standing_events rows may leave only inside standing_retention_cut: it sets
-- `standing.retention_cut` to '<tenant>:<seq>' for its own transaction, and runs as the table's
-- owner. Any other role setting the same variable is still refused (current_user is checked).
CREATE FUNCTION standing_events_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  cut text := current_setting('standing.retention_cut', true);
BEGIN
  IF TG_OP = 'DELETE' AND cut IS NOT NULL AND cut <> ''
     AND split_part(cut, ':', 1) = OLD.tenant AND OLD.seq <= split_part(cut, ':', 2)::bigint
     AND current_user = (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = TG_RELID) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'standing: % on % is not allowed: the log is append-only', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END
$$;
DROP TRIGGER standing_events_append_only ON standing_events;
CREATE TRIGGER standing_events_append_only BEFORE UPDATE OR DELETE ON standing_events
  FOR EACH ROW EXECUTE FUNCTION standing_events_guard();

CREATE FUNCTION standing_retention_cut(p_tenant text, p_through bigint, p_hash text, p_reason text, p_key_id text, p_signature text)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  head_seq bigint;
  row_hash text;
  held_subject uuid;
  removed bigint;
BEGIN
  -- Serializes with appenders (they hold this row while they write).
  SELECT seq INTO head_seq FROM chain_heads WHERE tenant = p_tenant FOR UPDATE;
  IF head_seq IS NULL OR p_through IS NULL OR p_through < 1 OR p_through > head_seq THEN
    RAISE EXCEPTION 'standing: retention of % through seq % is beyond the head (%)', p_tenant, p_through, coalesce(head_seq, 0)
      USING ERRCODE = 'check_violation';
  END IF;
  SELECT hash INTO row_hash FROM standing_events WHERE tenant = p_tenant AND seq = p_through;
  IF row_hash IS NULL OR row_hash <> p_hash THEN
    RAISE EXCEPTION 'standing: retention of % through seq %: no row with that hash', p_tenant, p_through
      USING ERRCODE = 'check_violation';
  END IF;
  IF EXISTS (SELECT 1 FROM legal_hold_events p WHERE p.tenant = p_tenant AND p.action = 'place' AND p.subject_id IS NULL
             AND NOT EXISTS (SELECT 1 FROM legal_hold_events l WHERE l.hold_id = p.hold_id AND l.action = 'lift')) THEN
    RAISE EXCEPTION 'standing: tenant % is under a legal hold', p_tenant USING ERRCODE = 'object_in_use';
  END IF;
  SELECT e.subject_id INTO held_subject
  FROM legal_hold_events p
  JOIN standing_events e ON e.tenant = p_tenant AND e.subject_id = p.subject_id AND e.seq <= p_through
  WHERE p.tenant = p_tenant AND p.action = 'place' AND p.subject_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM legal_hold_events l WHERE l.hold_id = p.hold_id AND l.action = 'lift')
  LIMIT 1;
  IF held_subject IS NOT NULL THEN
    RAISE EXCEPTION 'standing: subject % of tenant % is under a legal hold', held_subject, p_tenant USING ERRCODE = 'object_in_use';
  END IF;
  INSERT INTO chain_boundaries (tenant, seq, hash, reason, key_id, signature)
  VALUES (p_tenant, p_through, p_hash, p_reason, p_key_id, p_signature);
  PERFORM set_config('standing.retention_cut', p_tenant || ':' || p_through, true);
  DELETE FROM standing_events WHERE tenant = p_tenant AND seq <= p_through;
  GET DIAGNOSTICS removed = ROW_COUNT;
  PERFORM set_config('standing.retention_cut', '', true);
  RETURN removed;
END
$$;
REVOKE ALL ON FUNCTION standing_retention_cut(text, bigint, text, text, text, text) FROM PUBLIC;

-- What the service needs, and nothing that rewrites the past: on the log tables (standing_events,
-- chain_boundaries, checkpoints, legal_hold_events, retention_policies, mapping_versions) INSERT
-- and SELECT only, and on chain_boundaries not even INSERT (retention writes it through
-- standing_retention_cut). Not being the owner, it cannot ALTER a table or disable its triggers.
CREATE FUNCTION standing_grant_service_role(p_role text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  s text := current_schema();
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s, p_role);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', s, p_role);
  EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON standing_events, chain_boundaries, checkpoints, '
    'legal_hold_events, retention_policies, mapping_versions, schema_migrations, service_role_grants FROM %I', p_role);
  EXECUTE format('REVOKE INSERT ON chain_boundaries, schema_migrations, service_role_grants FROM %I', p_role);
  EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', s, p_role);
  EXECUTE format('GRANT EXECUTE ON FUNCTION standing_retention_cut(text, bigint, text, text, text, text) TO %I', p_role);
  INSERT INTO service_role_grants (role_name) VALUES (p_role) ON CONFLICT DO NOTHING;
END
$$;
REVOKE ALL ON FUNCTION standing_grant_service_role(text) FROM PUBLIC;
