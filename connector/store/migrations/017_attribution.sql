-- 017_attribution: who made a change and how it came about, learned after the event from the source's
-- own records (Zendesk's audit log and ticket audits). Runs inside the store's schema (search_path). No inputs.
--
-- Tables
--   event_attributions    one row per standing event attributed (or found unattributable), linked to the
--                         event by its id and seq. The log stays append-only: an attribution is a record of
--                         its own, never an edit of the event. Hash-chained per tenant (seq 1, 2, ...;
--                         the first prev_hash is 64 zeros): hash = SHA-256 hex of the JCS text of the
--                         row's record (connector/model/attribution.ts). `public` holds what a report
--                         needs in clear (initiation, actor type, the source asked, its record id, why it
--                         stayed unknown); `sealed` holds the actor's id, name and role as of the event and
--                         what the source said, under the event subject's key, so an erasure of the
--                         subject makes them unreadable while the chain stays intact. Append-only.
--   attribution_progress  per tenant: the last log seq the attribution job has looked at (its resumable
--                         cursor), and when it last ran. Working state.
--   tenants               + zendesk_api_url: the Zendesk API base for the tenant (NULL: the subdomain's).

CREATE TABLE event_attributions (
  tenant      text        NOT NULL,
  seq         bigint      NOT NULL CHECK (seq > 0),
  id          uuid        NOT NULL,
  event_id    uuid        NOT NULL,
  event_seq   bigint      NOT NULL,
  subject_id  uuid        NOT NULL,
  read_at     timestamptz NOT NULL,
  public      jsonb       NOT NULL,
  sealed      bytea       NOT NULL,
  prev_hash   text        NOT NULL,
  hash        text        NOT NULL,
  PRIMARY KEY (tenant, seq),
  CONSTRAINT event_attributions_one_per_event UNIQUE (tenant, event_id)
);
CREATE INDEX event_attributions_event_seq ON event_attributions (tenant, event_seq);
CREATE TRIGGER event_attributions_append_only BEFORE UPDATE OR DELETE ON event_attributions
  FOR EACH ROW EXECUTE FUNCTION standing_refuse_change();
CREATE TRIGGER event_attributions_no_truncate BEFORE TRUNCATE ON event_attributions
  FOR EACH STATEMENT EXECUTE FUNCTION standing_refuse_change();

CREATE TABLE attribution_progress (
  tenant     text        PRIMARY KEY,
  last_seq   bigint      NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE tenants ADD COLUMN zendesk_api_url text;
