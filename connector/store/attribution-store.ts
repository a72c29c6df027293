/**
 * Attribution records (connector/model/attribution.ts) in PostgreSQL: appended in a hash chain per
 * tenant, each linked to one standing event; the personal parts (the actor's id, name and role, what
 * the source said) sealed under the event subject's key, so erasing the subject erases them too.
 * Reading them calls no provider: a history or a replay shows what was recorded.
 */
import { randomUUID } from 'node:crypto';
import {
  ATTRIBUTION_GENESIS_HASH,
  attributionAad,
  hashAttributionRecord,
  type AttributionChainRecord,
} from '../model/attribution-chain.ts';
import {
  joinAttribution,
  splitAttribution,
  type Attribution,
  type AttributionPublic,
  type AttributionSealed,
} from '../model/attribution.ts';
import { walkChain, type ChainBreak, type LinkCheck } from '../model/chain.ts';
import { seal, unseal } from '../model/sealing.ts';
import type { SubjectKind } from '../model/standing-event.ts';
import { toRecord, type ChainRow } from './chain-row.ts';
import type { Database } from './database.ts';
import { decodeEvent, type StoredStandingEvent } from './event-codec.ts';
import { loadSql } from './sql.ts';
import type { SubjectResolver } from './subject-resolver.ts';

const SQL = {
  pending: loadSql('attribution-pending'),
  ofEvents: loadSql('attribution-of-events'),
  lock: loadSql('attribution-lock'),
  head: loadSql('attribution-head'),
  start: loadSql('attribution-boundary-before'),
  insert: loadSql('attribution-insert'),
  progress: loadSql('attribution-progress-set'),
  behind: loadSql('attribution-tenants-behind'),
  page: loadSql('attribution-chain-page'),
};

const GENESIS = { seq: 0, hash: ATTRIBUTION_GENESIS_HASH } as const;

/** An event's attribution to record. */
export interface AttributionToRecord {
  event: { id: string; seq: number; subject_id: string };
  attribution: Attribution;
}

export interface PendingEvents {
  events: StoredStandingEvent[];
  /** The subject of each event (by event id): its attribution is sealed under that subject's key. */
  subjectOf: Map<string, string>;
  /** The highest seq read (the cursor to move to once these are handled), or the cursor itself. */
  lastSeq: number;
}

export class AttributionStore {
  constructor(
    private readonly db: Database,
    private readonly subjects: SubjectResolver,
  ) {}

  /** Where the job stands for a tenant: the last log seq it looked at. */
  async cursor(tenant: string): Promise<number> {
    const rows = await this.db.query<{ last_seq: string }>(
      'SELECT last_seq FROM attribution_progress WHERE tenant = $1',
      [tenant],
    );
    return rows[0] ? Number(rows[0].last_seq) : 0;
  }

  /** The next `limit` log rows after `afterSeq`, decoded (personal parts absent once the subject was erased). */
  async pending(tenant: string, afterSeq: number, limit: number): Promise<PendingEvents> {
    const rows = await this.db.query<ChainRow & { about: SubjectKind; wrapped_key: Buffer | null }>(SQL.pending, [
      tenant,
      afterSeq,
      limit,
    ]);
    const subjectOf = new Map<string, string>();
    const events = rows.map((r) => {
      subjectOf.set(r.id, r.subject_id);
      return decodeEvent(toRecord(tenant, r), this.subjects.keyOf(tenant, r.subject_id, r.wrapped_key), r.about);
    });
    return { events, subjectOf, lastSeq: events.length > 0 ? Number(rows.at(-1)!.seq) : afterSeq };
  }

  /**
   * Appends the records (an event that already has one keeps it: the first word stands; an event a
   * retention cut removed meanwhile gets none) and moves the tenant's cursor to `throughSeq`, in one
   * transaction. Returns how many records were written.
   */
  async record(tenant: string, items: readonly AttributionToRecord[], throughSeq: number): Promise<number> {
    const keys = await this.subjects.keysFor(
      tenant,
      items.map((i) => i.event.subject_id),
    );
    return this.db.transaction(async (tx) => {
      await tx.query(SQL.lock, [tenant]);
      const [head] = await tx.query<{
        seq: string | null;
        hash: string | null;
        ids: string[];
        removed_through: string | null;
      }>(SQL.head, [tenant, JSON.stringify(items.map((i) => i.event.id))]);
      const already = new Set(head?.ids ?? []);
      // standing_retention_cut takes the same lock: what it removed before this run records stays removed.
      const removedThrough = head?.removed_through ? Number(head.removed_through) : 0;
      let seq = head?.seq ? Number(head.seq) : 0;
      let prev = head?.hash ?? ATTRIBUTION_GENESIS_HASH;
      const rows: (AttributionChainRecord & { hash: string })[] = [];
      for (const item of items) {
        if (already.has(item.event.id) || item.event.seq <= removedThrough) continue;
        already.add(item.event.id);
        const id = randomUUID();
        const parts = splitAttribution(item.attribution);
        const key = keys.get(item.event.subject_id) ?? null;
        // An erased subject's attribution keeps its public part only: nothing personal is written for them.
        const sealed = key
          ? seal(key, Buffer.from(JSON.stringify(parts.sealed), 'utf8'), attributionAad(tenant, id)).toString('base64')
          : '';
        const record: AttributionChainRecord = {
          tenant,
          seq: ++seq,
          id,
          event_id: item.event.id,
          event_seq: item.event.seq,
          subject_id: item.event.subject_id,
          read_at: new Date(item.attribution.read_at).toISOString(),
          public: parts.public,
          sealed,
          prev_hash: prev,
        };
        prev = hashAttributionRecord(record);
        rows.push({ ...record, hash: prev });
      }
      if (rows.length > 0) await tx.query(SQL.insert, [JSON.stringify(rows)]);
      await tx.query(SQL.progress, [tenant, throughSeq]);
      return rows.length;
    });
  }

  /** The attributions of these events (by event id), unsealed where the subject's key is still there. */
  async ofEvents(tenant: string, eventIds: readonly string[]): Promise<Map<string, Attribution>> {
    const out = new Map<string, Attribution>();
    if (eventIds.length === 0) return out;
    const rows = await this.db.query<{
      id: string;
      event_id: string;
      subject_id: string;
      read_at: string;
      public: AttributionPublic;
      sealed: Buffer;
      wrapped_key: Buffer | null;
    }>(SQL.ofEvents, [tenant, JSON.stringify(eventIds)]);
    for (const r of rows) {
      const key = this.subjects.keyOf(tenant, r.subject_id, r.wrapped_key);
      const sealed =
        key && r.sealed.length > 0
          ? (JSON.parse(unseal(key, r.sealed, attributionAad(tenant, r.id)).toString('utf8')) as AttributionSealed)
          : null;
      out.set(r.event_id, joinAttribution(r.public, sealed, r.read_at));
    }
    return out;
  }

  /** Tenants whose log has rows the job has not looked at yet. */
  async tenantsBehind(): Promise<string[]> {
    return (await this.db.query<{ tenant: string }>(SQL.behind)).map((r) => r.tenant);
  }

  /**
   * Walks the tenant's attribution chain from its first record (from the genesis hash, or from the
   * boundary a retention cut left just before it): each links to the one before and hashes right.
   */
  async verify(tenant: string, pageSize = 5000): Promise<LinkCheck> {
    const start = await this.start(tenant);
    if ('broken' in start) return { ok: false, broken: start.broken, checked: 0 };
    let last = start;
    let checked = 0;
    for (;;) {
      const rows = await this.db.query<AttributionChainRecord & { hash: string }>(SQL.page, [
        tenant,
        last.seq,
        pageSize,
      ]);
      const typed = rows.map((r) => ({ ...r, tenant, seq: Number(r.seq), event_seq: Number(r.event_seq) }));
      const walk = walkChain(last, typed, ({ hash: _h, ...record }) => hashAttributionRecord(record));
      checked += walk.checked;
      if (!walk.ok) return { ...walk, checked };
      last = walk.last;
      if (rows.length < pageSize) return { ok: true, last, checked };
    }
  }

  /** Every retained record of the tenant's attribution chain in seq order, exactly as hashed (with its hash). */
  async *records(tenant: string, pageSize = 5000): AsyncGenerator<AttributionChainRecord & { hash: string }> {
    for (let after = 0; ;) {
      const page = await this.db.query<AttributionChainRecord & { hash: string }>(SQL.page, [tenant, after, pageSize]);
      for (const r of page) yield { ...r, tenant, seq: Number(r.seq), event_seq: Number(r.event_seq) };
      if (page.length < pageSize) return;
      after = Number(page.at(-1)!.seq);
    }
  }

  /** Where retention cut the tenant's attribution chain, oldest first: the last record removed, and the log's cut. */
  async boundaries(tenant: string): Promise<{ seq: number; hash: string; log_seq: number }[]> {
    const rows = await this.db.query<{ seq: string; hash: string; log_seq: string }>(
      'SELECT seq, hash, log_seq FROM attribution_boundaries WHERE tenant = $1 ORDER BY seq',
      [tenant],
    );
    return rows.map((r) => ({ seq: Number(r.seq), hash: r.hash, log_seq: Number(r.log_seq) }));
  }

  /** The link the chain's first record must follow, or why there is none. */
  private async start(tenant: string): Promise<{ seq: number; hash: string } | { broken: ChainBreak }> {
    const [s] = await this.db.query<{
      first_seq: string | null;
      last_boundary_seq: string | null;
      hash: string | null;
    }>(SQL.start, [tenant]);
    const first = s?.first_seq ? Number(s.first_seq) : null;
    const cut = s?.last_boundary_seq ? Number(s.last_boundary_seq) : null;
    if (first === null) return cut !== null && s?.hash ? { seq: cut, hash: s.hash } : GENESIS;
    if (first === 1 && cut === null) return GENESIS;
    if (first > 1 && s?.hash && cut === first - 1) return { seq: first - 1, hash: s.hash };
    const found =
      cut !== null && first <= cut
        ? `record ${first} is kept though a retention cut removed the records through ${cut}`
        : `records before ${first} are missing and no boundary is recorded at ${first - 1}`;
    return { broken: { seq: first, problem: 'no_boundary', found } };
  }
}
