-- 005_zendesk_app: what the Zendesk app's connector endpoints need.
-- Runs inside the store's schema (search_path). No inputs.
--
-- Tables
--   tickets_seen         per tenant and ticket, the requester and organization as the latest ticket
--                        event received said (the sidebar serves the history of exactly these). Only
--                        Zendesk ids: no names, no emails.
--   tenant_app_settings  per tenant, the thresholds of the history warnings (JSON, validated by
--                        connector/history/standing-warnings.ts); no row means the defaults.

CREATE TABLE tickets_seen (
  tenant          text        NOT NULL,
  ticket_id       text        NOT NULL,
  requester_id    text,
  organization_id text,
  seen_at         timestamptz NOT NULL,
  PRIMARY KEY (tenant, ticket_id)
);

CREATE TABLE tenant_app_settings (
  tenant     text        PRIMARY KEY REFERENCES tenants (id),
  warnings   jsonb       NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);
