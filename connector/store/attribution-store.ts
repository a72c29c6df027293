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
import { walkChain, type LinkCheck } from '../model/chain.ts';
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
  head: loadSql('attribution-head'),
  insert: loadSql('attribution-insert'),
  progress: loadSql('attribution-progress-set'),
  behind: loadSql('attribution-tenants-behind'),
  page: loadSql('attribution-chain-page'),
};

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
   * Appends the records (an event that already has one keeps it: the first word stands) and moves the
   * tenant's cursor to `throughSeq`, in one transaction. Returns how many records were written.
   */
  async record(tenant: string, items: readonly AttributionToRecord[], throughSeq: number): Promise<number> {
    const keys = await this.subjects.keysFor(
      tenant,
      items.map((i) => i.event.subject_id),
    );
    return this.db.transaction(async (tx) => {
      const [head] = await tx.query<{ seq: string | null; hash: string | null; ids: string[] }>(SQL.head, [
        tenant,
        JSON.stringify(items.map((i) => i.event.id)),
      ]);
      const already = new Set(head?.ids ?? []);
      let seq = head?.seq ? Number(head.seq) : 0;
      let prev = head?.hash ?? ATTRIBUTION_GENESIS_HASH;
      const rows: (AttributionChainRecord & { hash: string })[] = [];
      for (const item of items) {
        if (already.has(item.event.id)) continue;
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

  /** Walks the tenant's attribution chain from its first record: each links to the one before and hashes right. */
  async verify(tenant: string, pageSize = 5000): Promise<LinkCheck> {
    let last = { seq: 0, hash: ATTRIBUTION_GENESIS_HASH };
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
}
