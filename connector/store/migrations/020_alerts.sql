-- 020_alerts: alerting on history warnings (docs/alerts.md) and the Loggly SIEM target.
-- Runs inside the store's schema (search_path), as the role that owns the schema. No inputs.
--
-- Tables
--   alert_channels    one row per tenant and kind: 'webhook' (url, the signing secret sealed under the
--                     tenant-secrets key, AES-256-GCM, AAD `alert-secret:<tenant>:webhook`) or
--                     'zendesk_note' (a private note on the related ticket, with the tenant's Zendesk
--                     API credentials; no url or secret). `warnings` lists the warning codes sent (empty:
--                     every code). Who changed it last is `updated_by` (a principal label).
--   alert_scan_cursor the highest log seq whose warnings were turned into alerts, per tenant. Created at
--                     the tenant's first scan at the head of its log: a new channel gets no backlog.
--   alert_outbox      one row per (tenant, alert key, channel): the alert key is a digest of the warning
--                     code and its event ids, so a warning scanned twice is still one alert per channel.
--                     `state` pending -> sent | failed; `attempts`, `next_attempt_at` (the backoff or the
--                     receiver's Retry-After), `last_answer` (HTTP status and a short reason, never a
--                     secret or the body sent). `payload` is the alert as sent (pseudonymous: ids, codes,
--                     no customer identities); `ticket_id` (a note's ticket) is cleared once the alert
--                     is settled. `test` marks the admin's test-send.
--   alert_deliveries  the delivery log: one row per attempt (sent, retrying, failed), what the receiver
--                     answered, read by the admin page.
--   loggly_targets    one row per tenant: the Loggly customer token sealed (AAD `siem-token:<tenant>:loggly`),
--                     the tag, and the push cursor `last_seq`, with the same rules as siem_targets (014).

CREATE TABLE alert_channels (
  tenant         text        NOT NULL REFERENCES tenants (id),
  kind           text        NOT NULL CHECK (kind IN ('webhook', 'zendesk_note')),
  url            text,
  secret_sealed  bytea,
  warnings       text[]      NOT NULL DEFAULT '{}',
  enabled        boolean     NOT NULL DEFAULT true,
  updated_by     text        NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, kind),
  CHECK (kind <> 'webhook' OR (url IS NOT NULL AND secret_sealed IS NOT NULL))
);

CREATE TABLE alert_scan_cursor (
  tenant      text        PRIMARY KEY REFERENCES tenants (id),
  last_seq    bigint      NOT NULL CHECK (last_seq >= 0),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE alert_outbox (
  tenant           text        NOT NULL REFERENCES tenants (id),
  alert_key        text        NOT NULL,
  channel          text        NOT NULL CHECK (channel IN ('webhook', 'zendesk_note')),
  code             text        NOT NULL,
  payload          json        NOT NULL,
  ticket_id        text,
  test             boolean     NOT NULL DEFAULT false,
  state            text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
  attempts         integer     NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  last_answer      text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  settled_at       timestamptz,
  PRIMARY KEY (tenant, alert_key, channel)
);
CREATE INDEX alert_outbox_due ON alert_outbox (next_attempt_at) WHERE state = 'pending';

CREATE TABLE alert_deliveries (
  id          bigserial   PRIMARY KEY,
  tenant      text        NOT NULL REFERENCES tenants (id),
  alert_key   text        NOT NULL,
  channel     text        NOT NULL,
  code        text        NOT NULL,
  attempt     integer     NOT NULL,
  outcome     text        NOT NULL CHECK (outcome IN ('sent', 'retrying', 'failed')),
  status      integer,
  answer      text        NOT NULL,
  test        boolean     NOT NULL DEFAULT false,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_deliveries_tenant ON alert_deliveries (tenant, id DESC);

CREATE TABLE loggly_targets (
  tenant                text        PRIMARY KEY REFERENCES tenants (id),
  token_sealed          bytea       NOT NULL,
  tag                   text        NOT NULL,
  include_personal_data boolean     NOT NULL DEFAULT false,
  enabled               boolean     NOT NULL DEFAULT true,
  last_seq              bigint      NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
  last_success_at       timestamptz,
  last_error            text,
  last_error_at         timestamptz,
  not_before            timestamptz,
  updated_by            text        NOT NULL,
  updated_at            timestamptz NOT NULL DEFAULT now()
);
