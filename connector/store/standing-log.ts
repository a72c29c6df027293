/**
 * The standing log: append-only, idempotent, hash-chained per tenant, personal data sealed per
 * customer. Everything the rest of the product needs from the database goes through here.
 */
import { randomUUID } from 'node:crypto';
import { GENESIS_HASH, canonicalChainText, checkLinks, hashChainText, type ChainBreak, type ChainRecord, type PublicPart, type StoredChainRow } from '../model/chain.ts';
import { sourceEventDigest, type MasterKeys } from '../model/sealing.ts';
import { subjectKindOf, type AccountIdentities, type AccountStatus, type CustomerIdentities, type NewStandingEvent, type SubjectKind } from '../model/standing-event.ts';
import type { Database } from './database.ts';
import { decodeEvent, publicPart, sealAad, sealEvent, type StoredStandingEvent } from './event-codec.ts';
import { unseal } from '../model/sealing.ts';
import { loadSql } from './sql.ts';
import { SubjectDirectory, type SubjectDirectoryOptions } from './subject-directory.ts';
import { FieldValueHistory } from './field-value-history.ts';
import { planTransitions, recordTransitions, type TransitionWindow } from '../reconciliation/transition-matching.ts';

const SQL = {
  lockHeads: loadSql('lock-chain-heads'),
  findExisting: loadSql('find-existing-source-events'),
  insertEvents: loadSql('insert-events'),
  historyPage: loadSql('history-page'),
  currentStanding: loadSql('current-standing'),
  chainPage: loadSql('chain-page'),
  upsertLinks: loadSql('upsert-subject-links'),
  subjectsErased: loadSql('subjects-erased'),
};

export type AppendOutcome =
  | { status: 'appended'; tenant: string; seq: number; id: string; source_event_id: string }
  | {
      status: 'duplicate';
      tenant: string;
      seq: number;
      id: string;
      source_event_id: string;
      /**
       * Set when the entry is the same status change recorded under another source event id (a
       * reconciliation finding and a live event, see reconciliation/transition-matching.ts): which came first.
       */
      same_transition?: 'live_first' | 'reconciled_first';
    };

export interface AppendOptions {
  /**
   * For reconciliation findings: the window in which each change happened, by batch index. Only a
   * finding with a window takes part in the race rule (see transition-matching.ts).
   */
  transitionWindows?: ReadonlyMap<number, TransitionWindow>;
}

export interface HistoryOptions {
  /** @defaultValue 50 (1..500) */
  limit?: number;
  /** `next_cursor` of the previous page. */
  cursor?: string;
  /**
   * Whose events: the person's own, their accounts', or both (for an account asked directly,
   * `person` gives none).
   * @defaultValue 'all'
   */
  about?: 'all' | SubjectKind;
}

/** A subject's status in force and since when; `null` when no event of it carries a status. */
export type CurrentStanding = { status: AccountStatus; since: string; seconds_since_change: number } | null;

/** An account a history covers: the one asked for, or an account the person asked for belongs to. */
export interface HistoryAccount {
  subject_id: string;
  /** How the account came into this history: asked for, or linked to the person (membership). */
  relation: 'asked' | 'member';
  /** The account's identities as its latest readable event names them (empty once erased). */
  identities: AccountIdentities | Record<string, never>;
  current: CurrentStanding;
  /** For a member account: when the membership was first seen. */
  linked_since: string | null;
}

// Keyed by a history's events array, which every copy of the answer (`{tenant, ...history}`)
// shares: the read audit learns the subjects without a field in the answer's JSON.
const subjectsOfHistory = new WeakMap<object, readonly string[]>();

/** The subjects whose data a history holds (asked for, the accounts it covers), for the read audit. */
export function historySubjectIds(history: { events: readonly object[] }): readonly string[] | undefined {
  return subjectsOfHistory.get(history.events);
}

export interface History {
  /** What was asked about: person identities make it a person's history, account identities an account's. */
  subject: { kind: SubjectKind };
  /** The current standing of what was asked about (the person's, or the account's). */
  current: CurrentStanding;
  /** The person asked for (`null` when an account was asked for). */
  person: { current: CurrentStanding } | null;
  accounts: HistoryAccount[];
  /** Newest first; each says whether it is `about` the person or an account. */
  events: StoredStandingEvent[];
  next_cursor: string | null;
}

export type VerifyReport =
  | { tenant: string; ok: true; checked: number; head: { seq: number; hash: string }; starts_at: number }
  | { tenant: string; ok: false; checked: number; broken: ChainBreak };

export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

/** A batch kept meeting subjects erased by another process (each retry resolves afresh). */
export class SubjectErasedWhileWritingError extends Error {
  override name = 'SubjectErasedWhileWritingError';
}

export interface StandingLogOptions extends SubjectDirectoryOptions {
  /**
   * Rows read per query while verifying a chain.
   * @defaultValue 5000
   */
  verifyPageSize?: number;
}

const DEFAULT_HISTORY_LIMIT = 50;
const MAX_HISTORY_LIMIT = 500;

const ISO_UTC_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
/** An instant as ISO 8601 in UTC with milliseconds; text already in that form is returned as is. */
const iso = (v: unknown) => (typeof v === 'string' && ISO_UTC_MS.test(v) ? v : (v instanceof Date ? v : new Date(String(v))).toISOString());
const sourceKey = (tenant: string, system: string, eventId: string) => `${tenant}\u0000${system}\u0000${eventId}`;

export class StandingLog {
  readonly subjects: SubjectDirectory;
  /** The custom field values sources reported, read "as of" an event by the mappers. */
  readonly fieldValues: FieldValueHistory;
  private readonly verifyPageSize: number;

  constructor(
    readonly db: Database,
    private readonly master: MasterKeys,
    options: StandingLogOptions = {},
  ) {
    this.subjects = new SubjectDirectory(db, master, options);
    this.fieldValues = new FieldValueHistory(db, master);
    this.verifyPageSize = options.verifyPageSize ?? 5000;
  }

  /**
   * Appends a batch in one transaction. A source event already in the log (same tenant, source
   * system and source event id), or twice in the batch, is reported as `duplicate` and not written.
   * Outcomes come back in input order.
   */
  async append(events: readonly NewStandingEvent[], options: AppendOptions = {}): Promise<AppendOutcome[]> {
    if (events.length === 0) return [];
    // A subject erased by another process while this one still had it cached: forget it and
    // resolve again, which files the customer under a new subject (the erased one stays erased).
    for (let attempt = 1; ; attempt++) {
      const result = await this.appendOnce(events, options);
      if (Array.isArray(result)) return result;
      for (const [tenant, ids] of result.erased) this.subjects.forget(tenant, ids);
      if (attempt >= 3) throw new SubjectErasedWhileWritingError(`a subject of this batch was erased during ${attempt} attempts to write it`);
    }
  }

  private async appendOnce(events: readonly NewStandingEvent[], options: AppendOptions): Promise<AppendOutcome[] | { erased: Map<string, string[]> }> {
    // One claim per event for the subject it is about, then one per event naming an account as context.
    const withAccount = events.flatMap((e, i) => (e.account ? [i] : []));
    const resolved = await this.subjects.resolve([
      ...events.map((e) => ({ tenant: e.tenant, kind: subjectKindOf(e.customer), identities: e.customer })),
      ...withAccount.map((i) => ({ tenant: events[i]!.tenant, kind: 'account' as const, identities: events[i]!.account! })),
    ]);
    const subjectIds = resolved.slice(0, events.length);
    const links = withAccount.map((i, j) => ({
      tenant: events[i]!.tenant,
      person_subject_id: subjectIds[i]!,
      account_subject_id: resolved[events.length + j]!,
      seen_at: iso(events[i]!.occurred_at),
    }));
    const erasedSeen = new Map<string, string[]>();
    const prepared = await Promise.all(
      groupIndexes(events, (e) => e.tenant).map(async ([tenant, idx]) => {
        const keys = await this.subjects.keysFor(tenant, idx.map((i) => subjectIds[i]!));
        return idx.flatMap((i) => {
          const e = events[i]!;
          const id = randomUUID();
          const key = keys.get(subjectIds[i]!);
          if (!key) {
            erasedSeen.set(tenant, [...(erasedSeen.get(tenant) ?? []), subjectIds[i]!]);
            return [];
          }
          const digest = sourceEventDigest(this.master, tenant, e.source.system, e.source.event_id);
          return [{ i, id, e, pub: publicPart(e, digest), sealed: sealEvent(key, tenant, id, e).toString('base64') }];
        });
      }),
    );
    if (erasedSeen.size > 0) return { erased: erasedSeen };
    const rows = prepared.flat().sort((a, b) => a.i - b.i);
    const tenantsJson = JSON.stringify([...new Set(events.map((e) => e.tenant))].sort());
    const sourceKeysJson = JSON.stringify(
      rows.map((r) => ({ tenant: r.e.tenant, system: r.pub.source.system, event_id: r.pub.source.event_id, legacy_event_id: r.e.source.event_id })),
    );
    const claimTenants = [...events.map((e) => e.tenant), ...withAccount.map((i) => events[i]!.tenant)];
    const used = new Map(resolved.map((subject_id, j) => [`${claimTenants[j]}\u0000${subject_id}`, { tenant: claimTenants[j]!, subject_id }]));
    const usedSubjectsJson = JSON.stringify([...used.values()]);

    // Only linking, hashing and writing happen under the head lock.
    return this.db.transaction(async (tx): Promise<AppendOutcome[] | { erased: Map<string, string[]> }> => {
      const heads = new Map(
        (await tx.query<{ tenant: string; seq: number; hash: string }>(SQL.lockHeads, [tenantsJson])).map((h) => [h.tenant, { seq: Number(h.seq), hash: h.hash }]),
      );
      const erased = await tx.query<{ tenant: string; subject_id: string }>(SQL.subjectsErased, [usedSubjectsJson]);
      if (erased.length > 0) {
        const byTenant = new Map<string, string[]>();
        for (const x of erased) byTenant.set(x.tenant, [...(byTenant.get(x.tenant) ?? []), x.subject_id]);
        return { erased: byTenant };
      }
      const existing = new Map(
        (await tx.query<{ tenant: string; system: string; event_id: string; seq: number; id: string }>(SQL.findExisting, [sourceKeysJson])).map((x) => [
          sourceKey(x.tenant, x.system, x.event_id),
          { seq: Number(x.seq), id: x.id },
        ]),
      );

      // A reconciliation finding and a live event of the same status change are one entry.
      const plan = await planTransitions(
        tx,
        rows.flatMap((r) =>
          // Reconciliation findings take part when their window is given; live events always.
          r.e.status.after === null || existing.has(sourceKey(r.e.tenant, r.pub.source.system, r.pub.source.event_id)) || (r.e.detected_via === 'reconciliation' && !options.transitionWindows?.has(r.i))
            ? []
            : [{ i: r.i, tenant: r.e.tenant, subject_id: subjectIds[r.i]!, status_after: r.e.status.after, occurred_at: iso(r.e.occurred_at), reconciled: r.e.detected_via === 'reconciliation', window: options.transitionWindows?.get(r.i) }],
        ),
      );
      const claims: Parameters<typeof recordTransitions>[1][number][] = [];
      const closed: Parameters<typeof recordTransitions>[2][number][] = [];

      const recordedAt = new Date().toISOString();
      const outcomes: AppendOutcome[] = [];
      // Each row's insert JSON is its JCS text plus the hash: serialized once, for both.
      const inserts: string[] = [];
      for (const r of rows) {
        const k = sourceKey(r.e.tenant, r.pub.source.system, r.pub.source.event_id);
        // Callers know the provider's id, not its digest.
        const base = { tenant: r.e.tenant, source_event_id: r.e.source.event_id };
        const seen = existing.get(k);
        if (seen) {
          outcomes.push({ status: 'duplicate', ...base, ...seen });
          continue;
        }
        const same = plan.matches.get(r.i);
        if (same) {
          existing.set(k, { seq: same.seq, id: same.id });
          if (same.order === 'reconciled_first') closed.push({ tenant: r.e.tenant, seq: same.seq, source_event_id: r.pub.source.event_id });
          outcomes.push({ status: 'duplicate', ...base, seq: same.seq, id: same.id, same_transition: same.order });
          continue;
        }
        const head = heads.get(r.e.tenant)!;
        const record: ChainRecord = {
          tenant: r.e.tenant,
          seq: head.seq + 1,
          id: r.id,
          kind: r.e.kind,
          status_before: r.e.status.before,
          status_after: r.e.status.after,
          // Hash the instant as verify() will read it back from timestamptz (UTC, milliseconds),
          // also for an event that did not go through parseStandingEvent's normalization.
          occurred_at: iso(r.e.occurred_at),
          recorded_at: recordedAt,
          subject_id: subjectIds[r.i]!,
          public: r.pub,
          sealed: r.sealed,
          prev_hash: head.hash,
        };
        const text = canonicalChainText(record);
        const hash = hashChainText(text);
        heads.set(r.e.tenant, { seq: record.seq, hash });
        existing.set(k, { seq: record.seq, id: r.id });
        inserts.push(`${text.slice(0, -1)},"hash":"${hash}"}`);
        outcomes.push({ status: 'appended', ...base, seq: record.seq, id: r.id });
        const window = plan.windows.get(r.i);
        if (window) claims.push({ tenant: r.e.tenant, seq: record.seq, subject_id: record.subject_id, status_after: r.e.status.after!, window });
      }
      if (inserts.length > 0) {
        const moved = [...heads].map(([tenant, h]) => ({ tenant, ...h }));
        await tx.query(SQL.insertEvents, [`[${inserts.join(',')}]`, JSON.stringify(moved)]);
      }
      await recordTransitions(tx, claims, closed);
      if (links.length > 0) await tx.query(SQL.upsertLinks, [JSON.stringify(links)]);
      return outcomes;
    });
  }

  /**
   * A history, found by any identity of a person or an account: its events newest first, and for a
   * person also the events of the accounts they belong to (labelled `about: 'account'`), with each
   * subject's current status. One round trip (two queries side by side): the identities are resolved
   * in SQL, so a subject not seen lately costs no more than one seen a moment ago, and an erasure
   * shows at once.
   */
  async history(tenant: string, identities: Partial<CustomerIdentities>, options: HistoryOptions = {}): Promise<History> {
    const limit = Math.min(Math.max(options.limit ?? DEFAULT_HISTORY_LIMIT, 1), MAX_HISTORY_LIMIT);
    const cursor = options.cursor ? decodeCursor(options.cursor) : null;
    const kind = subjectKindOf(identities);
    const digests = this.subjects.digests(tenant, identities);
    const empty: History = { subject: { kind }, current: null, person: kind === 'person' ? { current: null } : null, accounts: [], events: [], next_cursor: null };
    subjectsOfHistory.set(empty.events, []);
    if (digests.length === 0) return empty;
    const digestsJson = JSON.stringify(digests);
    const [page, subjects] = await Promise.all([
      this.db.query<ChainRow & { about: SubjectKind; wrapped_key: Buffer | null }>(
        SQL.historyPage,
        [tenant, digestsJson, cursor?.t ?? null, cursor?.s ?? 0, limit + 1, options.about ?? 'all'],
        { prepare: true },
      ),
      this.db.query<CoveredSubjectRow>(SQL.currentStanding, [tenant, digestsJson], { prepare: true }),
    ]);
    const events = page.slice(0, limit).map((row) => decodeEvent(toRecord(tenant, row), this.subjects.keyOf(tenant, row.subject_id, row.wrapped_key), row.about));
    const last = events.at(-1);
    const now = Date.now();
    const standing = (r: CoveredSubjectRow): CurrentStanding =>
      r.status && r.since ? { status: r.status, since: r.since, seconds_since_change: Math.max(0, Math.floor((now - Date.parse(r.since)) / 1000)) } : null;
    const latest = (rows: CoveredSubjectRow[]) => rows.map(standing).filter((c) => c !== null).sort((a, b) => b.since.localeCompare(a.since))[0] ?? null;
    const askedPeople = subjects.filter((r) => r.asked && r.kind === 'person');
    const accountRows = subjects.filter((r) => r.kind === 'account' && (r.asked || kind === 'person'));
    const accounts = accountRows.map((r): HistoryAccount => ({
      subject_id: r.subject_id,
      relation: r.asked ? 'asked' : 'member',
      identities: this.accountLabel(tenant, r, events),
      current: standing(r),
      linked_since: r.linked_since,
    }));
    const person = kind === 'person' ? { current: latest(askedPeople) } : null;
    subjectsOfHistory.set(events, [...new Set([...askedPeople, ...accountRows, ...page.slice(0, limit)].map((r) => r.subject_id))]);
    return {
      subject: { kind },
      current: kind === 'person' ? person!.current : latest(accountRows.filter((r) => r.asked)),
      person,
      accounts,
      events,
      next_cursor: page.length > limit && last ? encodeCursor(last.occurred_at, last.seq) : null,
    };
  }

  /**
   * The identities that name an account: from its latest event, or, for an account known only as a
   * person's context, from the page's events that name it (matched by blind index). None once erased.
   */
  private accountLabel(tenant: string, r: CoveredSubjectRow, page: readonly StoredStandingEvent[]): HistoryAccount['identities'] {
    const pick = (c: Partial<Record<string, unknown>> | undefined) => {
      const out: Record<string, string> = {};
      for (const k of ['zendesk_organization_id', 'salesforce_account_id'] as const) if (typeof c?.[k] === 'string') out[k] = c[k];
      return out as HistoryAccount['identities'];
    };
    const key = this.subjects.keyOf(tenant, r.subject_id, r.wrapped_key);
    if (!key) return {};
    if (r.label_id && r.label_sealed) {
      const part = JSON.parse(unseal(key, Buffer.from(r.label_sealed, 'base64'), sealAad(tenant, r.label_id)).toString('utf8')) as { customer?: Record<string, unknown> };
      return pick(part.customer);
    }
    const own = new Set(r.digests);
    for (const e of page) {
      if (e.erased || !e.account) continue;
      if (this.subjects.digests(tenant, e.account).some((d) => own.has(d))) return pick(e.account);
    }
    return {};
  }

  /**
   * Walks a tenant's chain from its first retained row (or recorded boundary) to its head, as the
   * head was when the walk began: appends committed meanwhile are not read, so a live chain is
   * never reported broken.
   */
  async verify(tenant: string): Promise<VerifyReport> {
    const [head] = await this.db.query<{ seq: number; hash: string }>('SELECT seq, hash FROM chain_heads WHERE tenant = $1', [tenant]);
    const [first] = await this.db.query<{ seq: number }>('SELECT min(seq) AS seq FROM standing_events WHERE tenant = $1', [tenant]);
    const headSeq = head ? Number(head.seq) : 0;
    // Retention may have removed every row: the chain then resumes right after its head.
    const firstSeq = first?.seq === null || first?.seq === undefined ? (headSeq > 0 ? headSeq + 1 : null) : Number(first.seq);
    let start = { seq: 0, hash: GENESIS_HASH };
    if (firstSeq !== null && firstSeq > 1) {
      const [boundary] = await this.db.query<{ hash: string }>('SELECT hash FROM chain_boundaries WHERE tenant = $1 AND seq = $2', [tenant, firstSeq - 1]);
      if (!boundary) return { tenant, ok: false, checked: 0, broken: { seq: firstSeq, problem: 'no_boundary', found: `rows before seq ${firstSeq} are missing and no boundary is recorded at ${firstSeq - 1}` } };
      start = { seq: firstSeq - 1, hash: boundary.hash };
    }
    const startsAt = start.seq + 1;
    const walked = await this.walk(tenant, start, head ? headSeq : null);
    if (!walked.ok) return { tenant, ...walked };
    const checked = walked.checked;
    start = walked.last;
    const expected = head ? { seq: Number(head.seq), hash: head.hash } : { seq: 0, hash: GENESIS_HASH };
    if (expected.seq !== start.seq || expected.hash !== start.hash) {
      return { tenant, ok: false, checked, broken: { seq: start.seq + 1, problem: 'head_mismatch', expected: `head at seq ${expected.seq} (${expected.hash})`, found: `chain ends at seq ${start.seq} (${start.hash})` } };
    }
    return { tenant, ok: true, checked, head: start, starts_at: startsAt };
  }

  /**
   * Checks the rows after `start` up to `untilSeq` (all when `null`), page by page: each links to
   * the one before and hashes to what it says. Returns the last good link.
   */
  async walk(tenant: string, start: { seq: number; hash: string }, untilSeq: number | null): Promise<{ ok: true; checked: number; last: { seq: number; hash: string } } | { ok: false; checked: number; broken: ChainBreak }> {
    let checked = 0;
    let last = start;
    for (;;) {
      const rows = await this.db.query<ChainRow & { prev_hash: string; hash: string }>(SQL.chainPage, [tenant, last.seq, this.verifyPageSize, untilSeq]);
      const result = checkLinks(last, rows.map((r): StoredChainRow => ({ ...toRecord(tenant, r), prev_hash: r.prev_hash, hash: r.hash })));
      checked += result.checked;
      if (!result.ok) return { ok: false, checked, broken: result.broken };
      last = result.last;
      if (rows.length < this.verifyPageSize) return { ok: true, checked, last };
    }
  }

  /** Every retained row of a tenant's chain in seq order, exactly as hashed (with its hash), page by page. */
  async *rows(tenant: string): AsyncGenerator<StoredChainRow> {
    for (let after = 0; ; ) {
      const page = await this.db.query<ChainRow & { prev_hash: string; hash: string }>(SQL.chainPage, [tenant, after, this.verifyPageSize, null]);
      for (const r of page) yield { ...toRecord(tenant, r), prev_hash: r.prev_hash, hash: r.hash };
      if (page.length < this.verifyPageSize) return;
      after = Number(page.at(-1)!.seq);
    }
  }

  /** Tenants that have a chain. */
  async tenants(): Promise<string[]> {
    return (await this.db.query<{ tenant: string }>('SELECT tenant FROM chain_heads ORDER BY tenant')).map((r) => r.tenant);
  }

  /**
   * GDPR erasure: destroys the data key of every subject these identities resolve to and removes
   * the identities. Their events stay in the chain (which still verifies) with personal parts unreadable.
   */
  async erase(tenant: string, identities: Partial<CustomerIdentities>): Promise<{ subjects: number }> {
    const subjectIds = await this.subjects.find(tenant, identities);
    if (subjectIds.length === 0) return { subjects: 0 };
    await this.db.transaction(async (tx) => {
      const ids = JSON.stringify(subjectIds);
      await tx.query('DELETE FROM subject_identities WHERE tenant = $1 AND subject_id IN (SELECT value::uuid FROM json_array_elements_text($2::json))', [tenant, ids]);
      await tx.query(
        'UPDATE subjects SET wrapped_key = NULL, erased_at = now() WHERE tenant = $1 AND erased_at IS NULL AND subject_id IN (SELECT value::uuid FROM json_array_elements_text($2::json))',
        [tenant, ids],
      );
    });
    this.subjects.forget(tenant, subjectIds);
    return { subjects: subjectIds.length };
  }
}

interface CoveredSubjectRow {
  subject_id: string;
  kind: SubjectKind;
  asked: boolean;
  wrapped_key: Buffer | null;
  status: AccountStatus | null;
  since: string | null;
  label_id: string | null;
  label_sealed: string | null;
  linked_since: string | null;
  digests: string[];
}

/** A log row as the chain and history queries read it (what the record hashed is built from). */
export interface ChainRow {
  [k: string]: unknown;
  seq: number;
  id: string;
  kind: string;
  status_before: string | null;
  status_after: string | null;
  occurred_at: Date | string;
  recorded_at: Date | string;
  subject_id: string;
  public: PublicPart;
  /** base64, as hashed (see chain-page.sql, history-page.sql). */
  sealed: string;
}

function toRecord(tenant: string, r: ChainRow): Omit<ChainRecord, 'prev_hash'> {
  return {
    tenant,
    seq: Number(r.seq),
    id: r.id,
    kind: r.kind,
    status_before: r.status_before,
    status_after: r.status_after,
    occurred_at: iso(r.occurred_at),
    recorded_at: iso(r.recorded_at),
    subject_id: r.subject_id,
    public: r.public,
    sealed: r.sealed,
  };
}

function groupIndexes<T>(items: readonly T[], keyOf: (t: T) => string): [string, number[]][] {
  const groups = new Map<string, number[]>();
  items.forEach((t, i) => {
    const k = keyOf(t);
    const g = groups.get(k);
    if (g) g.push(i);
    else groups.set(k, [i]);
  });
  return [...groups];
}

function encodeCursor(occurredAt: string, seq: number): string {
  return Buffer.from(JSON.stringify({ t: occurredAt, s: seq })).toString('base64url');
}

function decodeCursor(cursor: string): { t: string; s: number } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { t?: unknown; s?: unknown };
    if (typeof v.t === 'string' && !Number.isNaN(Date.parse(v.t)) && Number.isSafeInteger(v.s)) return { t: v.t, s: v.s as number };
  } catch {
    // fall through
  }
  throw new InvalidCursorError('cursor is not one this API returned');
}
