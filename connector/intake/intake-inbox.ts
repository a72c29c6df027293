/**
 * The intake inbox: every provider event the connector accepts is written here (PostgreSQL,
 * committed) before the provider gets its 2xx. The queue only carries keys into this table, so an
 * event survives the crash of the API process, of a worker, or of Redis; the sweeper re-enqueues
 * whatever stays pending. Quarantine is the `quarantined` state of the same rows.
 */
import { LRUCache } from 'lru-cache';
import { loadSql } from '../store/sql.ts';
import type { Database } from '../store/database.ts';
import { MicroBatcher, type MicroBatcherOptions } from '../lib/micro-batcher.ts';
import type { FieldProblem, SourceName } from '../model/standing-event.ts';
import { isRefusedData } from '../store/database-errors.ts';
import { CursorError } from '../lib/errors.ts';

const SQL = {
  accept: loadSql('inbox-accept'),
  load: loadSql('inbox-load'),
  settle: loadSql('inbox-settle'),
  quarantined: loadSql('inbox-quarantined'),
  reopen: loadSql('inbox-reopen'),
  stalePending: loadSql('inbox-stale-pending'),
  purgeSettled: loadSql('inbox-purge-settled'),
  recordFailure: loadSql('inbox-record-failure'),
  setJobRound: loadSql('inbox-set-job-round'),
};

/** A pending event the sweeper looks at: its key, attempts, the round of its job, and its page cursor. */
export interface StalePendingRow extends InboxKey {
  attempts: number;
  /** Id suffix of the job that carries it ('' or null: the first job). */
  job_round: string | null;
  cursor_at: string;
}

export interface InboxKey {
  tenant: string;
  source: SourceName;
  event_id: string;
}

export interface InboxEntry extends InboxKey {
  body: unknown;
  meta: Record<string, string>;
}

export interface PendingInboxRow extends InboxEntry {
  received_at: string;
  attempts: number;
}

/**
 * What processing concluded for one row. `loaded_attempts`: the row's attempts when it was loaded;
 * by default, what this inbox's last `load` (or `recordFailure`) saw.
 */
export type Settlement = InboxKey & { loaded_attempts?: number } & (
    | {
        state: 'stored';
        outcome: { seqs: number[]; duplicates: number; recorded_by_reconciliation?: number };
        mapping_version: number;
      }
    | { state: 'ignored'; outcome: { reason: string }; mapping_version: number }
    | { state: 'quarantined'; outcome: { reason: string; problems: FieldProblem[] }; mapping_version: number | null }
  );

export const INBOX_STATES = ['pending', 'stored', 'ignored', 'quarantined'] as const;
export type InboxState = (typeof INBOX_STATES)[number];

/** An inbox event as an admin inspects it: why it is quarantined or ignored, and its raw payload. */
export interface QuarantinedEvent {
  source: SourceName;
  event_id: string;
  received_at: string;
  processed_at: string | null;
  attempts: number;
  mapping_version: number | null;
  reason: string;
  problems: FieldProblem[];
  body: unknown;
}

/**
 * The purge's batches: each deletes at most `batchSize` rows (short transactions), and one call
 * at most `maxRows` (300,000 a minute keeps up with 5,000 events/s).
 */
export const DEFAULT_PURGE = { batchSize: 10_000, maxRows: 1_000_000 } as const;

export const inboxKeyString = (k: InboxKey) => `${k.tenant}\u0000${k.source}\u0000${k.event_id}`;
const iso = (v: unknown) => (v instanceof Date ? v : new Date(String(v))).toISOString();

export class IntakeInbox {
  private readonly writer: MicroBatcher<InboxEntry, { duplicate: boolean } | Error>;
  /** Attempts of each row as loaded, until it is settled: what `settle` requires the row to still have. */
  private readonly loadedAttempts = new LRUCache<string, number>({ max: 100_000 });

  /** `writeBatching`: how concurrent webhook requests are grouped into one INSERT (group commit). */
  constructor(
    private readonly db: Database,
    writeBatching: MicroBatcherOptions = { maxBatch: 500, maxWaitMs: 0, maxInFlight: 2 },
  ) {
    this.writer = new MicroBatcher((entries) => this.acceptBatch(entries), writeBatching);
  }

  /** Resolves once the entry is committed; `duplicate` when the same event was accepted before. */
  async accept(entry: InboxEntry): Promise<{ duplicate: boolean }> {
    const result = await this.writer.submit(entry);
    if (result instanceof Error) throw result;
    return result;
  }

  async load(keys: readonly InboxKey[]): Promise<PendingInboxRow[]> {
    if (keys.length === 0) return [];
    const rows = await this.db.query<PendingInboxRow & { received_at: Date }>(SQL.load, [
      JSON.stringify(keys.map(keyOnly)),
    ]);
    for (const r of rows) this.loadedAttempts.set(inboxKeyString(r), r.attempts);
    return rows.map((r) => ({ ...r, received_at: iso(r.received_at) }));
  }

  /** Applies the settlements to rows still in the state they were loaded in; others stay as they are. */
  async settle(settlements: readonly Settlement[]): Promise<void> {
    if (settlements.length === 0) return;
    const rows = settlements.map((s) => ({
      ...s,
      loaded_attempts: s.loaded_attempts ?? this.loadedAttempts.get(inboxKeyString(s)) ?? null,
    }));
    await this.db.query(SQL.settle, [JSON.stringify(rows)]);
    for (const s of settlements) this.loadedAttempts.delete(inboxKeyString(s));
  }

  /** Counts a failed attempt of a pending event; its attempts after counting, or null if no longer pending. */
  async recordFailure(key: InboxKey): Promise<number | null> {
    const [row] = await this.db.query<{ attempts: number }>(SQL.recordFailure, [key.tenant, key.source, key.event_id]);
    if (!row) {
      this.loadedAttempts.delete(inboxKeyString(key));
      return null;
    }
    this.loadedAttempts.set(inboxKeyString(key), row.attempts);
    return row.attempts;
  }

  /** One page of the tenant's inbox events in `state` (quarantined by default), newest first, with why. */
  async quarantined(
    tenant: string,
    options: { limit?: number; cursor?: string; state?: InboxState } = {},
  ): Promise<{ events: QuarantinedEvent[]; next_cursor: string | null }> {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
    const cursor = options.cursor ? decodeCursor(options.cursor) : null;
    const rows = await this.db.query<{
      source: SourceName;
      event_id: string;
      received_at: Date;
      processed_at: Date | null;
      attempts: number;
      mapping_version: number | null;
      outcome: { reason?: string; problems?: FieldProblem[] } | null;
      body: unknown;
      cursor_at: string;
    }>(SQL.quarantined, [tenant, cursor?.t ?? null, cursor?.e ?? '', limit + 1, options.state ?? 'quarantined']);
    const events = rows.slice(0, limit).map((r) => ({
      source: r.source,
      event_id: r.event_id,
      received_at: iso(r.received_at),
      processed_at: r.processed_at ? iso(r.processed_at) : null,
      attempts: r.attempts,
      mapping_version: r.mapping_version,
      reason: r.outcome?.reason ?? (options.state === 'pending' ? 'pending' : 'unknown'),
      problems: r.outcome?.problems ?? [],
      body: r.body,
    }));
    const last = rows[limit - 1];
    return { events, next_cursor: rows.length > limit && last ? encodeCursor(last.cursor_at, last.event_id) : null };
  }

  /**
   * Back to pending (replay); `eventIds` null reopens every quarantined event of the tenant.
   * `jobRound`: the id suffix of the jobs the replay enqueues (see `roundSuffix`), recorded for the
   * sweeper, which otherwise looks for the first job and re-enqueues an event whose replay waits.
   * Admins replay through admin-actions.ts, which passes it.
   */
  async reopen(tenant: string, eventIds: readonly string[] | null, jobRound: string): Promise<InboxKey[]> {
    const rows = await this.db.query<{ source: SourceName; event_id: string }>(SQL.reopen, [
      tenant,
      eventIds ? JSON.stringify(eventIds) : null,
      jobRound || null,
    ]);
    return rows.map((r) => ({ tenant, source: r.source, event_id: r.event_id }));
  }

  /**
   * One page of events pending for longer than `olderThanMs`, oldest first, after `after` (a row of the previous page).
   */
  async stalePending(
    olderThanMs: number,
    limit: number,
    after: StalePendingRow | null = null,
  ): Promise<StalePendingRow[]> {
    return this.db.query<StalePendingRow>(SQL.stalePending, [
      olderThanMs,
      limit,
      after?.cursor_at ?? null,
      after?.tenant ?? '',
      after?.source ?? '',
      after?.event_id ?? '',
    ]);
  }

  /** Records that the job with id suffix `jobRound` now carries these (pending) events. */
  async setJobRound(keys: readonly InboxKey[], jobRound: string): Promise<void> {
    if (keys.length > 0) await this.db.query(SQL.setJobRound, [JSON.stringify(keys.map(keyOnly)), jobRound]);
  }

  /**
   * Deletes settled (stored, ignored) rows processed more than `days` ago, in batches of
   * `batchSize` until none is left or `maxRows` went; returns how many.
   */
  async purgeSettled(days: number, options: { batchSize?: number; maxRows?: number } = {}): Promise<number> {
    const batchSize = options.batchSize ?? DEFAULT_PURGE.batchSize;
    const maxRows = options.maxRows ?? DEFAULT_PURGE.maxRows;
    let total = 0;
    while (total < maxRows) {
      const [row] = await this.db.query<{ n: number }>(SQL.purgeSettled, [days, Math.min(batchSize, maxRows - total)]);
      const n = Number(row?.n ?? 0);
      total += n;
      if (n < batchSize) break;
    }
    return total;
  }

  /** Waits for inbox writes in flight. */
  close(): Promise<void> {
    return this.writer.close();
  }

  /**
   * One INSERT for the whole group. If PostgreSQL refuses the data of some entry (a text jsonb
   * cannot hold that slipped past the edge checks), each entry is written alone, so that only the
   * culprit's request fails and its neighbours are stored.
   */
  private async acceptBatch(entries: InboxEntry[]): Promise<({ duplicate: boolean } | Error)[]> {
    try {
      return await this.insertEntries(entries);
    } catch (err) {
      if (entries.length === 1 || !isRefusedData(err)) throw err;
    }
    const results: ({ duplicate: boolean } | Error)[] = [];
    for (const entry of entries) {
      try {
        results.push(...(await this.insertEntries([entry])));
      } catch (err) {
        if (!isRefusedData(err)) throw err;
        results.push(err instanceof Error ? err : new Error(String(err)));
      }
    }
    return results;
  }

  private async insertEntries(entries: InboxEntry[]): Promise<{ duplicate: boolean }[]> {
    const written = await this.db.query<InboxKey>(SQL.accept, [
      JSON.stringify(entries.map((e) => ({ ...keyOnly(e), body: e.body, meta: e.meta }))),
    ]);
    const fresh = new Set(written.map(inboxKeyString));
    // Within one batch the same event twice: the first is new, later ones are duplicates.
    const seen = new Set<string>();
    return entries.map((e) => {
      const k = inboxKeyString(e);
      const duplicate = !fresh.has(k) || seen.has(k);
      seen.add(k);
      return { duplicate };
    });
  }
}

const keyOnly = (k: InboxKey): InboxKey => ({ tenant: k.tenant, source: k.source, event_id: k.event_id });

export class InvalidQuarantineCursorError extends CursorError {
  override name = 'InvalidQuarantineCursorError';
}

function encodeCursor(t: string, e: string): string {
  return Buffer.from(JSON.stringify({ t, e })).toString('base64url');
}
function decodeCursor(c: string): { t: string; e: string } {
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as { t?: unknown; e?: unknown };
    if (typeof v.t === 'string' && typeof v.e === 'string' && !Number.isNaN(Date.parse(v.t))) return { t: v.t, e: v.e };
  } catch {
    // fall through
  }
  throw new InvalidQuarantineCursorError('cursor is not one this API returned');
}
