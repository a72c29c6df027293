-- 021_attribution_retention: a retention cut removes the attribution records of the events it removes
-- (and with them the sealed names, ids and roles of the staff who made those changes), leaving a
-- boundary from which the rest of the attribution chain still verifies. Runs inside the store's schema
-- (search_path), as the schema's owner. No inputs.
--
-- Tables
--   attribution_boundaries  where a tenant's attribution chain legitimately starts after seq 1: the seq
--                           and hash of the last record a cut removed, and `log_seq`, the log boundary
--                           (chain_boundaries, signed) written by the same cut. Written only by
--                           standing_retention_cut. Append-only.
-- Functions
--   standing_attributions_guard()   event_attributions rows may leave only inside standing_retention_cut
--                                   (as standing_events_guard, migration 010, for the log's rows).
--   standing_retention_cut(tenant, through_seq, hash, reason, key_id, signature)   (replaced)
--       every check of migration 016 unchanged (head, row hash, policy and its cutoff by the database's
--       clock, legal holds, registered key, signed boundary), and also: under the attribution chain's
--       lock (the one attribution-head.sql takes), the longest prefix of the tenant's attribution chain
--       made only of records of removed events (event_seq <= through) goes, and its last record's
--       (seq, hash) is recorded in attribution_boundaries. The attribution job records events in log
--       order, so that prefix is every record of a removed event; one recorded out of that order
--       waits for the cut that removes the event recorded before it.

CREATE TABLE attribution_boundaries (
  tenant      text        NOT NULL,
  seq         bigint      NOT NULL CHECK (seq > 0),
  hash        text        NOT NULL,
  log_seq     bigint      NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  -- No foreign key to chain_boundaries: a TRUNCATE of it must meet its append-only trigger first.
  PRIMARY KEY (tenant, seq)
);
CREATE TRIGGER attribution_boundaries_append_only BEFORE UPDATE OR DELETE ON attribution_boundaries
  FOR EACH ROW EXECUTE FUNCTION standing_refuse_change();
CREATE TRIGGER attribution_boundaries_no_truncate BEFORE TRUNCATE ON attribution_boundaries
  FOR EACH STATEMENT EXECUTE FUNCTION standing_refuse_change();

-- standing_retention_cut sets `standing.attribution_cut` to '<tenant>:<seq>' for its own transaction
-- and runs as the table's owner; any other role setting the same variable is still refused.
CREATE FUNCTION standing_attributions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  cut text := current_setting('standing.attribution_cut', true);
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
DROP TRIGGER event_attributions_append_only ON event_attributions;
CREATE TRIGGER event_attributions_append_only BEFORE UPDATE OR DELETE ON event_attributions
  FOR EACH ROW EXECUTE FUNCTION standing_attributions_guard();

-- Removes the attribution records of the log rows a cut removed (see the header); the caller holds
-- the tenant's chain head and has just recorded the log boundary at p_through.
CREATE FUNCTION standing_attribution_cut(p_tenant text, p_through bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  blocked_from bigint;
  last_seq bigint;
  last_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('standing.attribution:' || p_tenant, 0));
  SELECT min(seq) INTO blocked_from FROM event_attributions WHERE tenant = p_tenant AND event_seq > p_through;
  SELECT seq, hash INTO last_seq, last_hash FROM event_attributions
  WHERE tenant = p_tenant AND event_seq <= p_through AND (blocked_from IS NULL OR seq < blocked_from)
  ORDER BY seq DESC LIMIT 1;
  IF last_seq IS NULL THEN
    RETURN;
  END IF;
  INSERT INTO attribution_boundaries (tenant, seq, hash, log_seq) VALUES (p_tenant, last_seq, last_hash, p_through);
  PERFORM set_config('standing.attribution_cut', p_tenant || ':' || last_seq, true);
  DELETE FROM event_attributions WHERE tenant = p_tenant AND seq <= last_seq;
  PERFORM set_config('standing.attribution_cut', '', true);
END
$$;

CREATE OR REPLACE FUNCTION standing_retention_cut(p_tenant text, p_through bigint, p_hash text, p_reason text, p_key_id text, p_signature text)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  head_seq bigint;
  row_hash text;
  held_subject uuid;
  pol retention_policies;
  cutoff timestamptz;
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
  -- The policy in force and its cutoff, as retentionCutoff() in connector/store/retention.ts, on this clock.
  SELECT * INTO pol FROM retention_policies WHERE tenant = p_tenant ORDER BY version DESC LIMIT 1;
  IF pol.tenant IS NULL THEN
    RAISE EXCEPTION 'standing: tenant % has no retention policy: nothing may be cut', p_tenant USING ERRCODE = 'check_violation';
  END IF;
  cutoff := CASE
    WHEN pol.keep_days IS NOT NULL THEN (now() AT TIME ZONE 'UTC' - make_interval(days => pol.keep_days)) AT TIME ZONE 'UTC'
    WHEN pol.category = 'financial' THEN (now() AT TIME ZONE 'UTC' - interval '7 years') AT TIME ZONE 'UTC'
    WHEN pol.category = 'telecom' THEN (now() AT TIME ZONE 'UTC' - interval '2 years') AT TIME ZONE 'UTC'
  END;
  IF cutoff IS NULL OR EXISTS (SELECT 1 FROM standing_events WHERE tenant = p_tenant AND seq <= p_through AND recorded_at >= cutoff) THEN
    RAISE EXCEPTION 'standing: retention of % through seq % would remove rows recorded after the policy''s cutoff (%, policy v%)', p_tenant, p_through, cutoff, pol.version
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
  IF NOT EXISTS (SELECT 1 FROM checkpoint_keys WHERE key_id = p_key_id) THEN
    RAISE EXCEPTION 'standing: checkpoint key % is not registered: run `standing checkpoint register-key` with DATABASE_OWNER_URL set', p_key_id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NOT standing_signature_valid(p_key_id, standing_boundary_text(p_tenant, p_through, p_hash, p_reason, p_key_id), p_signature) THEN
    RAISE EXCEPTION 'standing: the boundary of % at seq % is not signed by checkpoint key %', p_tenant, p_through, p_key_id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  INSERT INTO chain_boundaries (tenant, seq, hash, reason, key_id, signature)
  VALUES (p_tenant, p_through, p_hash, p_reason, p_key_id, p_signature);
  PERFORM set_config('standing.retention_cut', p_tenant || ':' || p_through, true);
  DELETE FROM standing_events WHERE tenant = p_tenant AND seq <= p_through;
  GET DIAGNOSTICS removed = ROW_COUNT;
  PERFORM set_config('standing.retention_cut', '', true);
  PERFORM standing_attribution_cut(p_tenant, p_through);
  RETURN removed;
END
$$;

-- CREATE OR REPLACE keeps the function's grants but not its settings: pin it again, as migration 016 does.
DO $$
BEGIN
  EXECUTE format('ALTER FUNCTION standing_retention_cut(text, bigint, text, text, text, text) SET search_path = %I, pg_temp',
    current_schema());
  REVOKE ALL ON FUNCTION standing_retention_cut(text, bigint, text, text, text, text) FROM PUBLIC;
  REVOKE ALL ON FUNCTION standing_attribution_cut(text, bigint) FROM PUBLIC;
END
$$;
