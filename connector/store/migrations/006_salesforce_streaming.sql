-- 006_salesforce_streaming: where each tenant's Salesforce streaming subscriptions resume, and the
-- gaps Salesforce could not replay. Runs inside the store's schema (search_path). No inputs.
--
-- Tables
--   salesforce_replay  per tenant and channel (/data/AccountChangeEvent, /event/Foo__e, ...) the
--                      replay id of the last message whose event is durable in the intake inbox;
--                      a subscription resumes after it. -2 (replay every retained event) after a gap.
--   salesforce_gaps    replay ids Salesforce refused as too old or invalid (events retained 72 h):
--                      the events between `from_replay_id` and the resubscription from -2 may be
--                      lost and must be reconciled (AccountHistory, queryAll). Append-only record;
--                      `reconciled_at` is set by whoever reconciled it.

CREATE TABLE salesforce_replay (
  tenant     text        NOT NULL,
  channel    text        NOT NULL,
  replay_id  bigint      NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, channel)
);

CREATE TABLE salesforce_gaps (
  id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant         text        NOT NULL,
  channel        text        NOT NULL,
  from_replay_id bigint      NOT NULL,
  detected_at    timestamptz NOT NULL DEFAULT now(),
  reason         text        NOT NULL,
  reconciled_at  timestamptz
);
CREATE INDEX salesforce_gaps_open ON salesforce_gaps (tenant, detected_at) WHERE reconciled_at IS NULL;
