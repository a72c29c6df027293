-- 012_api_keys: API keys per tenant and role (README "Roles and API keys").
-- Runs inside the store's schema (search_path). No inputs.
--
-- Tables
--   api_keys   one key: its tenant, role and name, and the SHA-256 of its secret (never the
--              secret: it is shown once, when created). A revoked key stays, with who revoked it
--              and when, so audit records naming `api-key:<key_id>` can always be resolved.

CREATE TABLE api_keys (
  key_id        text        PRIMARY KEY,
  tenant        text        NOT NULL REFERENCES tenants (id),
  role          text        NOT NULL CHECK (role IN ('agent', 'admin', 'auditor')),
  name          text        NOT NULL,
  secret_sha256 bytea       NOT NULL,
  created_by    text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  revoked_by    text,
  revoked_at    timestamptz,
  last_used_at  timestamptz
);
CREATE INDEX api_keys_tenant ON api_keys (tenant, created_at);
