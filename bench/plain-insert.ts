/**
 * The raw baseline for appends: rows of the same columns and sizes as the log's, written into a
 * plain table (primary key only: no triggers, no secondary indexes, no chain, no dedupe) with a
 * multi-row `INSERT ... VALUES` or with `COPY ... FROM STDIN`. It tells what this machine's
 * PostgreSQL can take at all, so the log's figure can be read as a share of it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { NewStandingEvent } from '../connector/model/standing-event.ts';
import { deriveMasterKeys, newSubjectKey, sourceEventDigest } from '../connector/model/sealing.ts';
import { publicPart, sealEvent } from '../connector/store/event-codec.ts';

export const PLAIN_COLUMNS = [
  'tenant',
  'seq',
  'id',
  'kind',
  'status_before',
  'status_after',
  'occurred_at',
  'recorded_at',
  'subject_id',
  'public',
  'sealed',
  'prev_hash',
  'hash',
] as const;

export type PlainRow = [
  tenant: string,
  seq: number,
  id: string,
  kind: string,
  statusBefore: string | null,
  statusAfter: string | null,
  occurredAt: string,
  recordedAt: string,
  subjectId: string,
  publicJson: string,
  sealed: Buffer,
  prevHash: string,
  hash: string,
];

export async function createPlainTable(client: pg.Client, table: string): Promise<void> {
  await client.query(`CREATE TABLE ${table} (
    tenant text NOT NULL, seq bigint NOT NULL, id uuid NOT NULL, kind text NOT NULL, status_before text,
      status_after text,
    occurred_at timestamptz NOT NULL, recorded_at timestamptz NOT NULL, subject_id uuid NOT NULL, public jsonb NOT
      NULL,
    sealed bytea NOT NULL, prev_hash text NOT NULL, hash text NOT NULL, PRIMARY KEY (tenant, seq))`);
}

/** The rows the log would store for these events (sealed for real, hashes random), made before timing. */
/** Rows for the plain tables; `firstSeq` numbers them, so several calls can fill one table. */
export function toPlainRows(events: readonly NewStandingEvent[], firstSeq = 1): PlainRow[] {
  const subjects = new Map<string, { id: string; key: Buffer }>();
  const recordedAt = new Date().toISOString();
  const master = deriveMasterKeys(randomBytes(32));
  return events.map((e, i) => {
    const who = e.customer.email ?? JSON.stringify(e.customer);
    let subject = subjects.get(who);
    if (!subject) subjects.set(who, (subject = { id: randomUUID(), key: newSubjectKey() }));
    const id = randomUUID();
    return [
      e.tenant,
      i + firstSeq,
      id,
      e.kind,
      e.status.before,
      e.status.after,
      e.occurred_at,
      recordedAt,
      subject.id,
      JSON.stringify(publicPart(e, sourceEventDigest(master, e.tenant, e.source.system, e.source.event_id))),
      sealEvent(subject.key, e.tenant, id, e),
      randomBytes(32).toString('hex'),
      randomBytes(32).toString('hex'),
    ];
  });
}

/** One multi-row INSERT with bound parameters, committed on its own. */
export async function insertValues(client: pg.Client, table: string, rows: readonly PlainRow[]): Promise<void> {
  const width = PLAIN_COLUMNS.length;
  const tuples = rows.map((_, r) => `(${PLAIN_COLUMNS.map((_c, c) => `$${r * width + c + 1}`).join(',')})`);
  await client.query(`INSERT INTO ${table} (${PLAIN_COLUMNS.join(',')}) VALUES ${tuples.join(',')}`, rows.flat());
}

/** `pg`'s connection has these methods; its type declarations leave them out. */
interface CopyCapableConnection extends pg.Connection {
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
}

/**
 * `COPY ... FROM STDIN` without pg-copy-streams: a minimal query object for `client.query()` that
 * answers the server's CopyInResponse with the data, then CopyDone.
 * Protocol: https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-COPY
 */
class CopyIn implements pg.Submittable {
  readonly done: Promise<void>;
  private settle!: { resolve: () => void; reject: (err: Error) => void };

  constructor(
    private readonly text: string,
    private readonly data: Buffer,
  ) {
    this.done = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
  }

  submit(connection: pg.Connection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: pg.Connection): void {
    const copy = connection as CopyCapableConnection;
    copy.sendCopyFromChunk(this.data);
    copy.endCopyFrom();
  }

  handleCommandComplete(): void {}

  /** `pg` drops the active query on an error, so no ReadyForQuery reaches it afterwards: settle here. */
  handleError(err: Error): void {
    this.settle.reject(err);
  }

  handleReadyForQuery(): void {
    this.settle.resolve();
  }
}

/** COPY text format: backslash escapes for the characters that delimit fields and rows. */
function copyField(v: string | number | Buffer | null): string {
  if (v === null) return '\\N';
  if (Buffer.isBuffer(v)) return `\\\\x${v.toString('hex')}`;
  return String(v).replace(/[\\\t\n\r]/g, (ch) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[ch]!);
}

/** One COPY of these rows, committed on its own. */
export async function copyRows(client: pg.Client, table: string, rows: readonly PlainRow[]): Promise<void> {
  const text = rows.map((r) => r.map(copyField).join('\t')).join('\n') + '\n';
  const copy = client.query(
    new CopyIn(`COPY ${table} (${PLAIN_COLUMNS.join(',')}) FROM STDIN`, Buffer.from(text, 'utf8')),
  );
  await copy.done;
}
