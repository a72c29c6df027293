/**
 * Finds everything held about one person, for an access export and for erasure alike: their
 * subjects, every log row of theirs (and of the accounts they are linked to) decoded with its chain
 * data, the ids of their provider objects (Zendesk user, tickets), and the inbox rows naming them.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ChainRecord } from '../model/chain.ts';
import { toRecord, type ChainRow } from '../store/chain-row.ts';
import { salesforceId15 } from '../model/sealing.ts';
import { CustomerIdentities, PERSON_IDENTITY_KINDS, type SubjectKind } from '../model/standing-event.ts';
import type { SqlClient } from '../store/database.ts';
import { decodeEvent, type StoredStandingEvent } from '../store/event-codec.ts';
import type { StandingLog } from '../store/standing-log.ts';

export const loadGdprSql = (name: string): string =>
  readFileSync(new URL(`./sql/${name}.sql`, import.meta.url), 'utf8');

const SQL = {
  subjectsOf: loadGdprSql('subjects-of'),
  subjectRows: loadGdprSql('subject-rows'),
  inboxNaming: loadGdprSql('inbox-naming'),
  ticketsOfRequesters: loadGdprSql('tickets-of-requesters'),
};

/** A person's identities, as the API and the CLI take them: at least one, no account identity. */
export const PersonIdentities = z
  .strictObject({
    email: CustomerIdentities.shape.email,
    zendesk_user_id: CustomerIdentities.shape.zendesk_user_id,
    salesforce_contact_id: CustomerIdentities.shape.salesforce_contact_id,
  })
  .refine((p) => PERSON_IDENTITY_KINDS.some((k) => p[k] !== undefined), {
    message: `needs at least one identity of the person: ${PERSON_IDENTITY_KINDS.join(', ')}`,
  });
export type PersonIdentities = z.infer<typeof PersonIdentities>;

export interface SubjectInfo {
  subject_id: string;
  kind: SubjectKind;
  created_at: string;
  erased_at: string | null;
  /** For a person: the accounts they are linked to (membership). */
  linked: { subject_id: string; first_seen_at: string; last_seen_at: string }[];
}

/** One log row of the person (or of a linked account), decoded, with what re-hashes it. */
export interface PersonRow {
  event: StoredStandingEvent;
  record: ChainRecord;
  hash: string;
}

export interface PersonData {
  people: SubjectInfo[];
  accounts: SubjectInfo[];
  rows: PersonRow[];
  /** Every identity of the person seen in the request or in their readable events. */
  identities: { email: string[]; zendesk_user_id: string[]; salesforce_contact_id: string[] };
  ticketIds: string[];
}

export interface InboxRowOfPerson {
  source: string;
  event_id: string;
  state: string;
  received_at: string;
  processed_at: string | null;
  outcome: unknown;
  body: unknown;
}

interface RawRow extends ChainRow {
  prev_hash: string;
  hash: string;
  about: SubjectKind;
  wrapped_key: Buffer | null;
}

const isoOf = (v: unknown): string => (v instanceof Date ? v : new Date(String(v))).toISOString();

/**
 * The person's subjects (people only: account identities are refused at the edge) and everything in the log about them.
 */
export async function collectPerson(
  log: StandingLog,
  db: SqlClient,
  tenant: string,
  asked: PersonIdentities,
): Promise<PersonData> {
  const found = await log.subjects.find(tenant, asked);
  const infos = found.length === 0 ? [] : await subjectsOf(db, tenant, found);
  const people = infos.filter((s) => s.kind === 'person');
  const accountIds = [...new Set(people.flatMap((p) => p.linked.map((l) => l.subject_id)))];
  const accounts = accountIds.length === 0 ? [] : await subjectsOf(db, tenant, accountIds);
  const ids = [...people.map((p) => p.subject_id), ...accountIds];
  const raw = ids.length === 0 ? [] : await db.query<RawRow>(SQL.subjectRows, [tenant, JSON.stringify(ids)]);
  const rows = raw.map((r): PersonRow => {
    const body = toRecord(tenant, r);
    const record: ChainRecord = { ...body, prev_hash: r.prev_hash };
    return {
      event: decodeEvent(body, log.subjects.keyOf(tenant, r.subject_id, r.wrapped_key), r.about),
      record,
      hash: r.hash,
    };
  });
  const identities = {
    email: new Set<string>(),
    zendesk_user_id: new Set<string>(),
    salesforce_contact_id: new Set<string>(),
  };
  const add = (c: Partial<Record<string, unknown>> | undefined) => {
    for (const k of PERSON_IDENTITY_KINDS) if (typeof c?.[k] === 'string') identities[k].add(c[k]);
  };
  add(asked);
  const tickets = new Set<string>();
  for (const { event } of rows) {
    if (event.about !== 'person' || event.erased) continue;
    add(event.customer);
    if (event.source.object === 'ticket' && event.source.id) tickets.add(event.source.id);
    for (const t of event.related_ticket_ids) tickets.add(t);
  }
  const zendeskUsers = [...identities.zendesk_user_id];
  if (zendeskUsers.length > 0) {
    for (const t of await db.query<{ ticket_id: string }>(SQL.ticketsOfRequesters, [
      tenant,
      JSON.stringify(zendeskUsers),
    ]))
      tickets.add(t.ticket_id);
  }
  return {
    people,
    accounts,
    rows,
    identities: {
      email: [...identities.email],
      zendesk_user_id: zendeskUsers,
      salesforce_contact_id: [...identities.salesforce_contact_id],
    },
    ticketIds: [...tickets],
  };
}

async function subjectsOf(db: SqlClient, tenant: string, ids: string[]): Promise<SubjectInfo[]> {
  const rows = await db.query<{
    subject_id: string;
    kind: SubjectKind;
    created_at: unknown;
    erased_at: unknown;
    linked: { subject_id: string; first_seen_at: string; last_seen_at: string }[];
  }>(SQL.subjectsOf, [tenant, JSON.stringify(ids)]);
  return rows.map((r) => ({
    subject_id: r.subject_id,
    kind: r.kind,
    created_at: isoOf(r.created_at),
    erased_at: r.erased_at === null ? null : isoOf(r.erased_at),
    linked: r.linked.map((l) => ({
      subject_id: l.subject_id,
      first_seen_at: isoOf(l.first_seen_at),
      last_seen_at: isoOf(l.last_seen_at),
    })),
  }));
}

const escapeRegex = (s: string) => s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
/** A whole token: not inside a longer id or word (JSON quotes, spaces and punctuation delimit). */
const token = (s: string) => `(^|[^[:alnum:]_@.+-])${escapeRegex(s)}($|[^[:alnum:]_@.+-])`;

/** Inbox rows held about the person: their stored entries' rows, and rows naming an identity or ticket. */
export async function inboxOfPerson(db: SqlClient, tenant: string, person: PersonData): Promise<InboxRowOfPerson[]> {
  const needles = new Set<string>();
  for (const e of person.identities.email) needles.add(e);
  for (const z of person.identities.zendesk_user_id) needles.add(z);
  for (const c of person.identities.salesforce_contact_id) {
    needles.add(c);
    needles.add(salesforceId15(c));
  }
  for (const t of person.ticketIds) needles.add(t);
  const subjectIds = person.people.map((p) => p.subject_id);
  if (needles.size === 0 && subjectIds.length === 0) return [];
  const rows = await db.query<InboxRowOfPerson & { received_at: unknown; processed_at: unknown }>(SQL.inboxNaming, [
    tenant,
    JSON.stringify(subjectIds),
    JSON.stringify([...needles].map(token)),
  ]);
  return rows.map((r) => ({
    ...r,
    received_at: isoOf(r.received_at),
    processed_at: r.processed_at === null ? null : isoOf(r.processed_at),
  }));
}
