-- 003_people_and_accounts: people and accounts are separate subjects; membership is a link; field
-- values are kept with their time so that mapping reads facts as of the event.
-- Runs inside the store's schema (search_path). No inputs.
--
-- Before this migration, a user's events carried their organization's identities, so the subject
-- directory filed colleagues of one organization under one subject (one key, one status). Such
-- subjects cannot be split afterwards (the chain hashes the subject id), so a database that already
-- holds subjects is refused with instructions instead of being migrated into wrong histories.
--
-- Tables
--   subjects.kind        'person' (Zendesk user, email, Salesforce Contact) or 'account' (Zendesk
--                        organization, Salesforce Account). Identities only attach within a kind.
--   subject_links        a person's membership of an account, with when it was first and last seen.
--   field_values         every custom field value a source reported (sealed), with its time and
--                        actor: what a status change reads its reason or approval from.
--   intake_inbox         an index to list ignored events (as quarantined ones are).

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM subjects) THEN
    RAISE EXCEPTION 'standing: this database holds subjects written before people and accounts were separated (Standing 0.1), where colleagues of one organization could share one history'
      USING HINT = 'Start on a new schema (set DATABASE_SCHEMA to a new name, or for the embedded default move .standing/pgdata aside), then re-send the events: replay them from your Zendesk webhooks'' history or let reconciliation re-import them. The old schema stays readable by Standing 0.1.';
  END IF;
END
$$;

ALTER TABLE subjects ADD COLUMN kind text NOT NULL CHECK (kind IN ('person', 'account'));

CREATE TABLE subject_links (
  tenant            text        NOT NULL,
  person_subject_id uuid        NOT NULL,
  account_subject_id uuid       NOT NULL,
  first_seen_at     timestamptz NOT NULL,
  last_seen_at      timestamptz NOT NULL,
  PRIMARY KEY (tenant, person_subject_id, account_subject_id),
  FOREIGN KEY (tenant, person_subject_id) REFERENCES subjects (tenant, subject_id),
  FOREIGN KEY (tenant, account_subject_id) REFERENCES subjects (tenant, subject_id)
);
CREATE INDEX subject_links_account ON subject_links (tenant, account_subject_id);

CREATE TABLE field_values (
  tenant      text        NOT NULL,
  source      text        NOT NULL,
  -- The provider's object: 'user', 'organization', 'ticket' (Zendesk).
  object      text        NOT NULL,
  object_id   text        NOT NULL,
  -- The field as the event named it (lower-cased), any of which a mapping rule may use.
  field_id    text        NOT NULL DEFAULT '',
  field_key   text        NOT NULL DEFAULT '',
  field_title text        NOT NULL DEFAULT '',
  changed_at  timestamptz NOT NULL,
  -- The source event that reported the value: one value per event, so redeliveries are no-ops.
  event_id    text        NOT NULL,
  -- AES-256-GCM envelope of {"value": ..., "actor_id": ...} (free text and agent ids are personal).
  sealed      bytea       NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, source, event_id)
);
CREATE INDEX field_values_as_of ON field_values (tenant, source, object, object_id, changed_at DESC);

CREATE INDEX intake_inbox_ignored ON intake_inbox (tenant, received_at DESC, event_id) WHERE state = 'ignored';
