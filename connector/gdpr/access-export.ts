/**
 * GDPR subject access export: everything held about one person, as one JSON document (complete)
 * or as CSV (the events, one per line). Each event comes with its chain proof: the row exactly as
 * hashed, its hash and prev_hash, and the latest signed checkpoint that covers it.
 */
import type { ChainRecord } from '../model/chain.ts';
import { listCheckpoints, type SignedCheckpoint } from '../store/checkpoints.ts';
import type { StandingLog } from '../store/standing-log.ts';
import type { StoredStandingEvent } from '../store/event-codec.ts';
import {
  collectPerson,
  inboxOfPerson,
  loadGdprSql,
  type InboxRowOfPerson,
  type PersonIdentities,
  type SubjectInfo,
} from './person-data.ts';

const PERSON_OBJECTS = loadGdprSql('person-objects');

/** One read of a person's history, as the read audit recorded it. */
export interface HistoryRead {
  seq: number;
  at: string;
  action: string;
  principal: unknown;
  path: string;
}

/** Where reads of a history are recorded (the read audit). */
export interface HistoryReadsLog {
  readsOf(tenant: string, subjectIds: string[]): Promise<HistoryRead[]>;
}

export interface ExportedEvent {
  about: 'person' | 'account';
  event: StoredStandingEvent;
  proof: {
    seq: number;
    prev_hash: string;
    hash: string;
    /** The row exactly as hashed: SHA-256 of its JCS text (RFC 8785) is `hash`. */
    record: ChainRecord;
    /** Number of the latest signed checkpoint (in `checkpoint`) at or after this seq; null when none covers it yet. */
    checkpoint: number | null;
  };
}

export interface AccessExport {
  type: 'standing.access_export';
  version: 1;
  tenant: string;
  generated_at: string;
  /** The identities the export was asked for. */
  asked: PersonIdentities;
  /** The person's subjects, and the accounts they are linked to. */
  subjects: SubjectInfo[];
  linked_accounts: SubjectInfo[];
  /** Every identity of the person the readable events name. */
  identities: { email: string[]; zendesk_user_id: string[]; salesforce_contact_id: string[] };
  /** The person's events and their accounts' events (the person's history), seq order. */
  events: ExportedEvent[];
  /** The latest signed checkpoint of the tenant's chain (signature checkable with its public key). */
  checkpoint: (Omit<SignedCheckpoint, 'number' | 'seq'> & { number: number; seq: number }) | null;
  reads: HistoryRead[];
  field_values: {
    source: string;
    object: string;
    object_id: string;
    field_id: string;
    field_key: string;
    field_title: string;
    changed_at: string;
    event_id: string;
    value: unknown;
    actor_id: string | null;
  }[];
  tickets_seen: { ticket_id: string; requester_id: string | null; organization_id: string | null; seen_at: string }[];
  inbox: InboxRowOfPerson[];
}

export interface AccessExportOptions {
  /** @defaultValue () => new Date() */
  now?: () => Date;
}

export async function accessExport(
  log: StandingLog,
  reads: HistoryReadsLog,
  tenant: string,
  asked: PersonIdentities,
  options: AccessExportOptions = {},
): Promise<AccessExport> {
  const person = await collectPerson(log, log.db, tenant, asked);
  const latest = (await listCheckpoints(log, tenant)).at(-1);
  const checkpoint = latest ? { ...latest, number: Number(latest.number), seq: Number(latest.seq) } : null;
  const subjectIds = [...person.people, ...person.accounts].map((s) => s.subject_id);
  const objects = await log.db.query<{ what: 'field_value' | 'ticket_seen'; row: Record<string, string | null> }>(
    PERSON_OBJECTS,
    [tenant, JSON.stringify(person.identities.zendesk_user_id), JSON.stringify(person.ticketIds)],
  );
  const fieldValues: AccessExport['field_values'] = [];
  const ticketsSeen: AccessExport['tickets_seen'] = [];
  for (const { what, row } of objects) {
    if (what === 'ticket_seen') {
      ticketsSeen.push({
        ticket_id: row.ticket_id!,
        requester_id: row.requester_id ?? null,
        organization_id: row.organization_id ?? null,
        seen_at: new Date(row.seen_at!).toISOString(),
      });
      continue;
    }
    const { sealed, ...plain } = row;
    const part = log.fieldValues.unsealRow(tenant, plain.source!, plain.event_id!, sealed!);
    fieldValues.push({
      source: plain.source!,
      object: plain.object!,
      object_id: plain.object_id!,
      field_id: plain.field_id!,
      field_key: plain.field_key!,
      field_title: plain.field_title!,
      changed_at: new Date(plain.changed_at!).toISOString(),
      event_id: plain.event_id!,
      ...part,
    });
  }
  // What the sources said later about who made each change (attribution records) goes with the event.
  const attributed = await log.attributions.ofEvents(
    tenant,
    person.rows.map((r) => r.event.id),
  );
  return {
    type: 'standing.access_export',
    version: 1,
    tenant,
    generated_at: (options.now ?? (() => new Date()))().toISOString(),
    asked,
    subjects: person.people,
    linked_accounts: person.accounts,
    identities: person.identities,
    events: person.rows.map(({ event, record, hash }) => ({
      about: event.about,
      event: attributed.has(event.id) ? { ...event, attribution: attributed.get(event.id)! } : event,
      proof: {
        seq: record.seq,
        prev_hash: record.prev_hash,
        hash,
        record,
        checkpoint: checkpoint && checkpoint.seq >= record.seq ? checkpoint.number : null,
      },
    })),
    checkpoint,
    reads: subjectIds.length === 0 ? [] : await reads.readsOf(tenant, subjectIds),
    field_values: fieldValues,
    tickets_seen: ticketsSeen,
    inbox: await inboxOfPerson(log.db, tenant, person),
  };
}

const CSV_COLUMNS = [
  'seq',
  'about',
  'id',
  'kind',
  'status_before',
  'status_after',
  'occurred_at',
  'recorded_at',
  'source_system',
  'source_object',
  'source_id',
  'source_url',
  'source_event_id',
  'detected_via',
  'related_ticket_ids',
  'initiation_type',
  'initiation_temporary',
  'reason_code',
  'reason_text',
  'actor_type',
  'actor_id',
  'actor_name',
  'customer',
  'account',
  'conditions',
  'verification',
  'approvals',
  'evidence',
  'erased',
  'prev_hash',
  'hash',
  'checkpoint',
] as const;

/**
 * The export's events as CSV (RFC 4180, CRLF), one line per event with its chain proof; structured
 * fields as JSON text. Cells a spreadsheet would run as a formula are prefixed with `'`.
 */
export function accessExportCsv(doc: AccessExport): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const { about, event: e, proof } of doc.events) {
    const readable = e.erased ? null : e;
    const json = (v: unknown) => (v === undefined ? '' : JSON.stringify(v));
    const cells: Record<(typeof CSV_COLUMNS)[number], unknown> = {
      seq: proof.seq,
      about,
      id: e.id,
      kind: e.kind,
      status_before: e.status.before,
      status_after: e.status.after,
      occurred_at: e.occurred_at,
      recorded_at: e.recorded_at,
      source_system: e.source.system,
      source_object: e.source.object,
      source_id: e.source.id,
      source_url: e.source.url,
      source_event_id: e.source.event_id,
      detected_via: e.detected_via,
      related_ticket_ids: e.related_ticket_ids.join(' '),
      initiation_type: e.initiation?.type,
      initiation_temporary: e.initiation?.temporary,
      reason_code: e.reason?.code,
      reason_text: e.reason?.text,
      actor_type: e.actor.type,
      actor_id: e.actor.id,
      actor_name: e.actor.name,
      customer: json(readable?.customer),
      account: json(readable?.account),
      conditions: json(readable?.conditions),
      verification: json(readable?.verification),
      approvals: json(readable?.approvals),
      evidence: json(readable?.evidence),
      erased: e.erased,
      prev_hash: proof.prev_hash,
      hash: proof.hash,
      checkpoint: proof.checkpoint,
    };
    lines.push(CSV_COLUMNS.map((c) => csvCell(cells[c])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
