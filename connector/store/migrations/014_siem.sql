-- 014_siem: per-tenant Splunk HTTP Event Collector targets for the SIEM push, with the push cursor.
-- Runs inside the store's schema (search_path), as the role that owns the schema. No inputs.
--
-- Tables
--   siem_targets   one row per tenant and kind ('splunk_hec'): where to send (url, index, sourcetype,
--                  source, host), the HEC token sealed under the tenant-secrets key (AES-256-GCM,
--                  AAD `siem-token:<tenant>:<kind>`), whether personal data is included (only set by
--                  a caller allowed to read it), enabled, and the cursor `last_seq`: the highest seq
--                  Splunk answered success for. `last_error` / `last_error_at` keep the latest failure
--                  (never the token), `last_success_at` the latest accepted batch, `not_before`
--                  when Splunk asked to wait (Retry-After) or was busy. Who changed the
--                  settings last is `updated_by` (a principal label).

CREATE TABLE siem_targets (
  tenant                text        NOT NULL,
  kind                  text        NOT NULL CHECK (kind IN ('splunk_hec')),
  url                   text        NOT NULL,
  token_sealed          bytea       NOT NULL,
  index_name            text,
  sourcetype            text        NOT NULL,
  source                text        NOT NULL,
  host                  text,
  include_personal_data boolean     NOT NULL DEFAULT false,
  enabled               boolean     NOT NULL DEFAULT true,
  last_seq              bigint      NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
  last_success_at       timestamptz,
  last_error            text,
  last_error_at         timestamptz,
  not_before            timestamptz,
  updated_by            text        NOT NULL,
  updated_at            timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, kind)
);
