-- 007_salesforce_settings: a tenant's Salesforce connection, one row per tenant connected to an org.
-- Runs inside the store's schema (search_path). No inputs.
--
-- Tables
--   salesforce_settings  the org (its id is what Outbound Messages are checked against), where to
--                        log in and as whom; secrets (JWT private key, refresh token, client secret)
--                        are an AES-256-GCM envelope under the tenant-secrets key, as Zendesk's are.

CREATE TABLE salesforce_settings (
  tenant          text        PRIMARY KEY REFERENCES tenants (id),
  organization_id text,
  instance_url    text,
  login_url       text        NOT NULL DEFAULT 'https://login.salesforce.com',
  client_id       text,
  username        text,
  -- Change Data Capture channels to subscribe to; NULL: Account and Contact change events.
  cdc_channels    text[],
  secrets         bytea,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
