-- 016_trust_boundaries: what the service role may no longer write directly. Holds, lifts, retention
-- cuts, checkpoints and chain heads change only through functions owned by the owner role
-- (SECURITY DEFINER, search_path pinned to this schema), which check what a caller cannot forge.
-- The service role's grants themselves are listed in connector/store/grants.sql (applied after the
-- migrations), not here. Runs inside the store's schema (search_path), as the schema's owner. No inputs.
--
-- Tables
--   checkpoint_keys      the Ed25519 public keys checkpoints and boundaries may be signed with: key_id
--                        (SHA-256 hex of the key's SPKI DER, as in connector/model/checkpoint.ts), the
--                        32 raw bytes, when and by whom registered. Only the owner registers a key
--                        (standing_checkpoint_key_register). Append-only.
--   legal_hold_events    + seq, prev_hash, hash: a hash chain per tenant (seq 1, 2, ...; the first
--                        prev_hash is 64 zeros). hash = SHA-256 hex of the UTF-8 of standing_hold_text(...)
--                        (JCS, RFC 8785, of {action, actor, at, hold_id, prev_hash, reason, seq,
--                        subject_id, tenant, type: 'standing.legal_hold', version: 1}, `at` as ISO 8601
--                        UTC with milliseconds). Rows recorded before this migration are chained here,
--                        in the order (at, hold_id, place before lift).
-- Functions (SECURITY DEFINER, owned by the owner; which of them the service may call: grants.sql)
--   standing_checkpoint_key_register(public_key bytea, registered_by text) -> key_id
--   standing_retention_cut(tenant, through_seq, hash, reason, key_id, signature)   (replaced)
--       as before (head, row hash, legal holds), and also: the tenant has a retention policy, every
--       row removed was recorded before the policy's cutoff (from the database's clock), key_id is a
--       registered checkpoint key and the signature is its Ed25519 signature of the boundary body.
--   standing_hold_place(tenant, subject_id, reason, actor) / standing_hold_lift(tenant, hold_id, reason, actor)
--       actor must be `api-key:<key_id>` of an unrevoked key of that tenant whose role may manage
--       legal holds (auditor); appends the chained row.
--   standing_checkpoint_insert(tenant, number, seq, body, hash, signature) -> number (NULL: that number
--       exists already): the body is a well-formed checkpoint of that tenant, number and seq, linked to
--       the previous checkpoint, its hash is right, and it is signed by a registered key.
--   standing_chain_heads_lock(tenants json) -> (tenant, seq, hash): creates and row-locks chain heads.
--   standing_chain_advance(heads json): moves each head forward to a row that exists with that hash.
--   standing_events_append(rows json, heads json): inserts a chained batch, then standing_chain_advance.
-- Pure helpers (not SECURITY DEFINER): standing_boundary_text, standing_checkpoint_text,
-- standing_hold_text (the canonical texts signed or hashed), standing_signature_valid.

CREATE TABLE checkpoint_keys (
  key_id        text        PRIMARY KEY CHECK (key_id ~ '^[0-9a-f]{64}$'),
  public_key    bytea       NOT NULL UNIQUE CHECK (length(public_key) = 32),
  registered_by text        NOT NULL,
  registered_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER checkpoint_keys_append_only BEFORE UPDATE OR DELETE ON checkpoint_keys
  FOR EACH ROW EXECUTE FUNCTION standing_refuse_change();
CREATE TRIGGER checkpoint_keys_no_truncate BEFORE TRUNCATE ON checkpoint_keys
  FOR EACH STATEMENT EXECUTE FUNCTION standing_refuse_change();

-- JCS (RFC 8785) by hand: keys in sorted order, strings through to_json (which escapes exactly as
-- JSON.stringify does: \" \\ \b \f \n \r \t, other controls as \u00xx, nothing else).
CREATE FUNCTION standing_boundary_text(p_tenant text, p_seq bigint, p_hash text, p_reason text, p_key_id text)
RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT '{"hash":' || to_json(p_hash)::text || ',"key_id":' || to_json(p_key_id)::text
    || ',"reason":' || to_json(p_reason)::text || ',"seq":' || p_seq::text
    || ',"tenant":' || to_json(p_tenant)::text || ',"type":"standing.boundary","version":1}'
$$;

CREATE FUNCTION standing_hold_text(p_tenant text, p_seq bigint, p_hold_id uuid, p_action text, p_subject_id uuid,
  p_reason text, p_actor text, p_at timestamptz, p_prev_hash text)
RETURNS text LANGUAGE sql STABLE AS $$
  SELECT '{"action":' || to_json(p_action)::text || ',"actor":' || to_json(p_actor)::text
    || ',"at":' || to_json(to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text
    || ',"hold_id":' || to_json(p_hold_id::text)::text || ',"prev_hash":' || to_json(p_prev_hash)::text
    || ',"reason":' || to_json(p_reason)::text || ',"seq":' || p_seq::text
    || ',"subject_id":' || coalesce(to_json(p_subject_id::text)::text, 'null')
    || ',"tenant":' || to_json(p_tenant)::text || ',"type":"standing.legal_hold","version":1}'
$$;

-- NULL when the body is not exactly a checkpoint body (see CheckpointBody in connector/model/checkpoint.ts).
CREATE FUNCTION standing_checkpoint_text(b jsonb) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF jsonb_typeof(b) IS DISTINCT FROM 'object' OR jsonb_typeof(b->'start') IS DISTINCT FROM 'object' THEN
    RETURN NULL;
  END IF;
  IF coalesce((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(b) k) <> ARRAY['at', 'head_hash', 'key_id', 'number', 'previous', 'public_key', 'seq', 'start', 'tenant', 'type', 'version']
     OR (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(b->'start') k) <> ARRAY['hash', 'seq']
     OR b->'type' <> '"standing.checkpoint"' OR b->'version' <> '1'
     OR jsonb_typeof(b->'number') <> 'number' OR jsonb_typeof(b->'seq') <> 'number' OR jsonb_typeof(b->'start'->'seq') <> 'number'
     OR (b->>'number') !~ '^[0-9]{1,15}$' OR (b->>'seq') !~ '^[0-9]{1,15}$' OR (b->'start'->>'seq') !~ '^[0-9]{1,15}$'
     OR jsonb_typeof(b->'previous') NOT IN ('string', 'null')
     OR EXISTS (SELECT 1 FROM unnest(ARRAY['at', 'head_hash', 'key_id', 'public_key', 'tenant']) f WHERE jsonb_typeof(b->f) IS DISTINCT FROM 'string')
     OR jsonb_typeof(b->'start'->'hash') <> 'string', true) THEN
    RETURN NULL;
  END IF;
  RETURN '{"at":' || to_json(b->>'at')::text || ',"head_hash":' || to_json(b->>'head_hash')::text
    || ',"key_id":' || to_json(b->>'key_id')::text || ',"number":' || (b->>'number')
    || ',"previous":' || coalesce(to_json(b->>'previous')::text, 'null')
    || ',"public_key":' || to_json(b->>'public_key')::text || ',"seq":' || (b->>'seq')
    || ',"start":{"hash":' || to_json(b->'start'->>'hash')::text || ',"seq":' || (b->'start'->>'seq') || '}'
    || ',"tenant":' || to_json(b->>'tenant')::text || ',"type":"standing.checkpoint","version":1}';
END
$$;

-- Whether `signature` (base64) is the Ed25519 signature of `text` (UTF-8) by the registered key `key_id`.
CREATE FUNCTION standing_signature_valid(p_key_id text, p_text text, p_signature text) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
DECLARE
  pk bytea;
  sig bytea;
BEGIN
  SELECT public_key INTO pk FROM checkpoint_keys WHERE key_id = p_key_id;
  IF pk IS NULL OR p_text IS NULL OR p_signature IS NULL OR p_signature !~ '^[A-Za-z0-9+/]{86}==$' THEN
    RETURN false;
  END IF;
  sig := decode(p_signature, 'base64');
  RETURN standing_ed25519_verify(pk, convert_to(p_text, 'UTF8'), sig);
END
$$;

-- The SPKI DER of an Ed25519 key is this 12-byte prefix and the 32 raw bytes (RFC 8410).
CREATE FUNCTION standing_checkpoint_key_register(p_public_key bytea, p_registered_by text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  id text;
BEGIN
  IF p_public_key IS NULL OR length(p_public_key) <> 32 THEN
    RAISE EXCEPTION 'standing: a checkpoint public key is 32 raw bytes' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  id := encode(sha256('\x302a300506032b6570032100'::bytea || p_public_key), 'hex');
  INSERT INTO checkpoint_keys (key_id, public_key, registered_by) VALUES (id, p_public_key, p_registered_by)
  ON CONFLICT DO NOTHING;
  RETURN id;
END
$$;

-- Which actors may place or lift a hold: an unrevoked API key of the tenant in a role of
-- PERMISSIONS['hold.manage'] (connector/access/permissions.ts). The operator token and app users may not.
CREATE FUNCTION standing_hold_actor_check(p_tenant text, p_actor text) RETURNS void LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF p_actor IS NULL OR p_actor !~ '^api-key:[0-9a-f]{16}$' OR NOT EXISTS (
       SELECT 1 FROM api_keys WHERE key_id = substr(p_actor, 9) AND tenant = p_tenant AND revoked_at IS NULL AND role = 'auditor') THEN
    RAISE EXCEPTION 'standing: % may not manage legal holds of tenant % (an unrevoked auditor API key of the tenant may)', coalesce(p_actor, '(no actor)'), p_tenant
      USING ERRCODE = 'insufficient_privilege';
  END IF;
END
$$;

ALTER TABLE legal_hold_events ADD COLUMN seq bigint, ADD COLUMN prev_hash text, ADD COLUMN hash text;

-- Appends one chained hold row; the caller holds the tenant's hold lock.
CREATE FUNCTION standing_hold_append(p_tenant text, p_hold_id uuid, p_action text, p_subject_id uuid, p_reason text, p_actor text)
RETURNS legal_hold_events LANGUAGE plpgsql AS $$
DECLARE
  last legal_hold_events;
  r legal_hold_events;
BEGIN
  SELECT * INTO last FROM legal_hold_events WHERE tenant = p_tenant ORDER BY seq DESC LIMIT 1;
  r.tenant := p_tenant;
  r.hold_id := p_hold_id;
  r.action := p_action;
  r.subject_id := p_subject_id;
  r.reason := p_reason;
  r.actor := p_actor;
  r.at := date_trunc('milliseconds', clock_timestamp());
  r.seq := coalesce(last.seq, 0) + 1;
  r.prev_hash := coalesce(last.hash, repeat('0', 64));
  r.hash := encode(sha256(convert_to(standing_hold_text(r.tenant, r.seq, r.hold_id, r.action, r.subject_id, r.reason, r.actor, r.at, r.prev_hash), 'UTF8')), 'hex');
  INSERT INTO legal_hold_events SELECT r.*;
  RETURN r;
END
$$;

-- Chain the holds recorded before this migration (their rows are rewritten once, here, by the owner).
ALTER TABLE legal_hold_events DISABLE TRIGGER legal_hold_events_append_only;
UPDATE legal_hold_events SET at = date_trunc('milliseconds', at);
DO $$
DECLARE
  e record;
  last_tenant text := NULL;
  n bigint;
  prev text;
BEGIN
  FOR e IN SELECT * FROM legal_hold_events ORDER BY tenant, at, hold_id, action DESC LOOP
    IF last_tenant IS DISTINCT FROM e.tenant THEN
      last_tenant := e.tenant;
      n := 0;
      prev := repeat('0', 64);
    END IF;
    n := n + 1;
    UPDATE legal_hold_events SET seq = n, prev_hash = prev,
      hash = encode(sha256(convert_to(standing_hold_text(e.tenant, n, e.hold_id, e.action, e.subject_id, e.reason, e.actor, e.at, prev), 'UTF8')), 'hex')
    WHERE hold_id = e.hold_id AND action = e.action
    RETURNING hash INTO prev;
  END LOOP;
END
$$;
ALTER TABLE legal_hold_events ENABLE TRIGGER legal_hold_events_append_only;
ALTER TABLE legal_hold_events ALTER COLUMN seq SET NOT NULL, ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL,
  ADD CONSTRAINT legal_hold_events_chain UNIQUE (tenant, seq), ADD CONSTRAINT legal_hold_events_seq CHECK (seq > 0);

CREATE FUNCTION standing_hold_place(p_tenant text, p_subject_id uuid, p_reason text, p_actor text)
RETURNS legal_hold_events LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
  PERFORM standing_hold_actor_check(p_tenant, p_actor);
  IF p_reason IS NULL OR length(p_reason) NOT BETWEEN 1 AND 2000 THEN
    RAISE EXCEPTION 'standing: a legal hold needs a reason of 1-2000 characters' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtextextended('standing.legal_hold:' || p_tenant, 0));
  RETURN standing_hold_append(p_tenant, gen_random_uuid(), 'place', p_subject_id, p_reason, p_actor);
END
$$;

-- NULL when the hold is not an active hold of the tenant.
CREATE FUNCTION standing_hold_lift(p_tenant text, p_hold_id uuid, p_reason text, p_actor text)
RETURNS legal_hold_events LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  placed legal_hold_events;
BEGIN
  PERFORM standing_hold_actor_check(p_tenant, p_actor);
  IF p_reason IS NULL OR length(p_reason) NOT BETWEEN 1 AND 2000 THEN
    RAISE EXCEPTION 'standing: lifting a legal hold needs a reason of 1-2000 characters' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtextextended('standing.legal_hold:' || p_tenant, 0));
  SELECT * INTO placed FROM legal_hold_events p WHERE p.tenant = p_tenant AND p.hold_id = p_hold_id AND p.action = 'place'
    AND NOT EXISTS (SELECT 1 FROM legal_hold_events l WHERE l.hold_id = p.hold_id AND l.action = 'lift');
  IF placed.hold_id IS NULL THEN
    RETURN NULL;
  END IF;
  RETURN standing_hold_append(p_tenant, p_hold_id, 'lift', placed.subject_id, p_reason, p_actor);
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
  RETURN removed;
END
$$;

CREATE FUNCTION standing_checkpoint_insert(p_tenant text, p_number bigint, p_seq bigint, p_body jsonb, p_hash text, p_signature text)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  body_text text := standing_checkpoint_text(p_body);
  pk bytea;
  previous text;
  written bigint;
BEGIN
  IF body_text IS NULL OR p_body->>'tenant' IS DISTINCT FROM p_tenant OR (p_body->>'number')::bigint IS DISTINCT FROM p_number
     OR (p_body->>'seq')::bigint IS DISTINCT FROM p_seq OR p_number < 1
     OR encode(sha256(convert_to(body_text, 'UTF8')), 'hex') IS DISTINCT FROM p_hash THEN
    RAISE EXCEPTION 'standing: checkpoint % of % is not a well-formed checkpoint body with that hash', p_number, p_tenant
      USING ERRCODE = 'check_violation';
  END IF;
  IF p_number > 1 THEN
    SELECT hash INTO previous FROM checkpoints WHERE tenant = p_tenant AND number = p_number - 1;
    IF previous IS NULL THEN
      RAISE EXCEPTION 'standing: checkpoint % of % has no checkpoint % before it', p_number, p_tenant, p_number - 1 USING ERRCODE = 'check_violation';
    END IF;
  END IF;
  IF p_body->>'previous' IS DISTINCT FROM previous THEN
    RAISE EXCEPTION 'standing: checkpoint % of % is not linked to the checkpoint before it', p_number, p_tenant USING ERRCODE = 'check_violation';
  END IF;
  SELECT public_key INTO pk FROM checkpoint_keys WHERE key_id = p_body->>'key_id';
  IF pk IS NULL THEN
    RAISE EXCEPTION 'standing: checkpoint key % is not registered: run `standing checkpoint register-key` with DATABASE_OWNER_URL set', p_body->>'key_id'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  -- The PEM the body carries must be that key (an export is self-describing, and must not lie).
  IF regexp_replace(p_body->>'public_key', '-----[A-Z ]+-----|\s', '', 'g') IS DISTINCT FROM encode('\x302a300506032b6570032100'::bytea || pk, 'base64')
     OR NOT standing_signature_valid(p_body->>'key_id', body_text, p_signature) THEN
    RAISE EXCEPTION 'standing: checkpoint % of % is not signed by checkpoint key %', p_number, p_tenant, p_body->>'key_id'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  INSERT INTO checkpoints (tenant, number, seq, body, hash, signature)
  VALUES (p_tenant, p_number, p_seq, p_body, p_hash, p_signature)
  ON CONFLICT (tenant, number) DO NOTHING
  RETURNING number INTO written;
  RETURN written;
END
$$;

CREATE FUNCTION standing_chain_heads_lock(p_tenants json) RETURNS TABLE (tenant text, seq bigint, hash text)
LANGUAGE sql SECURITY DEFINER AS $$
  INSERT INTO chain_heads AS h (tenant)
  SELECT t FROM json_array_elements_text(p_tenants) AS t ORDER BY t
  ON CONFLICT (tenant) DO UPDATE SET tenant = excluded.tenant
  RETURNING h.tenant, h.seq, h.hash
$$;

CREATE FUNCTION standing_chain_advance(p_heads json) RETURNS void LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  wanted int;
  moved int;
BEGIN
  SELECT count(*) INTO wanted FROM json_to_recordset(p_heads) AS n(tenant text, seq bigint, hash text)
  JOIN chain_heads h ON h.tenant = n.tenant WHERE n.seq <> h.seq OR n.hash <> h.hash;
  UPDATE chain_heads h SET seq = n.seq, hash = n.hash
  FROM json_to_recordset(p_heads) AS n(tenant text, seq bigint, hash text)
  JOIN standing_events e ON e.tenant = n.tenant AND e.seq = n.seq AND e.hash = n.hash
  WHERE h.tenant = n.tenant AND (n.seq <> h.seq OR n.hash <> h.hash);
  GET DIAGNOSTICS moved = ROW_COUNT;
  IF moved <> wanted THEN
    RAISE EXCEPTION 'standing: a chain head moves only to a row of its chain' USING ERRCODE = 'insufficient_privilege';
  END IF;
END
$$;

-- Inserts a chained batch and moves the heads in one call (one round trip, as the single statement
-- that did both before): the head check in standing_chain_advance sees the rows inserted here.
CREATE FUNCTION standing_events_append(p_rows json, p_heads json) RETURNS void LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
  INSERT INTO standing_events
    (tenant, seq, id, kind, status_before, status_after, occurred_at, recorded_at, subject_id, public, sealed, prev_hash, hash)
  SELECT tenant, seq, id, kind, status_before, status_after, occurred_at, recorded_at, subject_id, public,
         decode(sealed, 'base64'), prev_hash, hash
  FROM json_to_recordset(p_rows) AS r(
    tenant text, seq bigint, id uuid, kind text, status_before text, status_after text, occurred_at timestamptz,
    recorded_at timestamptz, subject_id uuid, public jsonb, sealed text, prev_hash text, hash text);
  PERFORM standing_chain_advance(p_heads);
END
$$;

-- Pin every SECURITY DEFINER function of this schema to this schema, pg_temp last: a caller's
-- temporary table named like one of ours must never be what the function reads.
DO $$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p WHERE p.pronamespace = current_schema()::regnamespace AND p.prosecdef LOOP
    EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f, current_schema());
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
  END LOOP;
END
$$;
