-- 002_intake: tenants, their versioned mappings, and the intake inbox (quarantine included).
-- Runs inside the store's schema (search_path). No inputs.
--
-- Tables
--   tenants            one client company: its Zendesk subdomain and credentials (secrets sealed).
--   mapping_versions   every mapping document a tenant ever had, with who set it and when. Append-only.
--   intake_inbox       every accepted provider event, written before the webhook is answered 2xx, so
--                      it survives the loss of any process or of Redis. `state` says what became of it;
--                      `quarantined` rows wait for an admin to fix the mapping and replay them.

CREATE TABLE tenants (
  id                text        PRIMARY KEY,
  name              text        NOT NULL,
  zendesk_subdomain text,
  zendesk_api_email text,
  -- AES-256-GCM envelope of {"zendesk_webhook_secret": ..., "zendesk_api_token": ...}.
  secrets           bytea,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE mapping_versions (
  tenant     text        NOT NULL REFERENCES tenants (id),
  source     text        NOT NULL,
  version    integer     NOT NULL CHECK (version > 0),
  document   jsonb       NOT NULL,
  changed_by text        NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, source, version)
);
CREATE TRIGGER mapping_versions_append_only BEFORE UPDATE OR DELETE ON mapping_versions
  FOR EACH ROW EXECUTE FUNCTION standing_refuse_change();

CREATE TABLE intake_inbox (
  tenant          text        NOT NULL,
  source          text        NOT NULL,
  event_id        text        NOT NULL,
  received_at     timestamptz NOT NULL DEFAULT now(),
  body            jsonb       NOT NULL,
  -- Delivery details kept for tracing: webhook id, invocation id.
  meta            jsonb       NOT NULL DEFAULT '{}',
  state           text        NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'stored', 'ignored', 'quarantined')),
  -- What processing concluded: reason and problems (quarantined, ignored) or the log seqs (stored).
  outcome         jsonb,
  mapping_version integer,
  attempts        integer     NOT NULL DEFAULT 0,
  processed_at    timestamptz,
  PRIMARY KEY (tenant, source, event_id)
);
CREATE INDEX intake_inbox_pending ON intake_inbox (received_at) WHERE state = 'pending';
CREATE INDEX intake_inbox_quarantined ON intake_inbox (tenant, received_at DESC, event_id) WHERE state = 'quarantined';
