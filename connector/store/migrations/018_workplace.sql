-- 018_workplace: what the Zendesk app needs to record a reinstatement's steps with the acting agent
-- proven (docs/zendesk-app.md, "Actions"). Runs inside the store's schema (search_path), as the
-- schema's owner. No inputs.
--
-- Tables (working state: the service role may SELECT, INSERT, UPDATE, DELETE, see grants.sql)
--   tenant_workplace_settings  per tenant: the app's public key (Zendesk signs the app page's JWT with
--                              its private key), who may approve, the reason codes agents choose
--                              from, whether an approval is applied in Zendesk (JSON, validated by
--                              connector/app-api/workplace-settings.ts).
--   app_agent_sessions         a short session per proven agent: the SHA-256 of the session token
--                              (the token itself is only ever in the agent's app page), the Zendesk
--                              user it is bound to, that user's role, name and groups as Zendesk
--                              confirmed them when the session began, and when it expires.
CREATE TABLE tenant_workplace_settings (
  tenant     text        PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  settings   jsonb       NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE app_agent_sessions (
  token_hash      bytea       PRIMARY KEY,
  tenant          text        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  zendesk_user_id text        NOT NULL,
  name            text        NOT NULL,
  role            text        NOT NULL,
  group_ids       text[]      NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL
);
CREATE INDEX app_agent_sessions_expiry ON app_agent_sessions (expires_at);
