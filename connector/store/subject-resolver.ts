/**
 * Resolves the identities an event carries (email, Zendesk user id, Salesforce Account id, ...) to
 * the customer ("subject") they belong to, creating subjects with fresh data keys as new customers
 * appear. Batched: one call resolves a whole batch in at most four queries, none once cached.
 */
import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { IDENTITY_KINDS, type CustomerIdentities, type SubjectKind } from '../model/standing-event.ts';
import { identityDigest, newSubjectKey, unwrapSubjectKey, wrapSubjectKey, type MasterKeys } from '../model/sealing.ts';
import type { SqlClient } from './database.ts';
import { loadSql } from './sql.ts';

const FIND_SUBJECTS = loadSql('find-subjects');
const REGISTER_SUBJECTS = loadSql('register-subjects');
const SUBJECT_KEYS = loadSql('subject-keys');

export interface SubjectResolverOptions {
  /**
   * Identity -> subject mappings kept in memory. Mappings only change on erasure, which another
   * process may do: entries expire after `keyCacheTtlMs`.
   * @defaultValue 200_000
   */
  identityCacheSize?: number;
  /**
   * How long an unwrapped subject key, or an identity's mapping to its subject, may stay in
   * memory. Bounds how long a writer in another process can still map a customer to the subject
   * erased meanwhile (and so fail to write for that customer when they come back). History reads
   * see an erasure at once: they read identities and wrapped keys with the page.
   * @defaultValue 60_000 ms
   */
  keyCacheTtlMs?: number;
  /**
   * Unwrapped subject keys kept in memory (one per customer recently written or read).
   * @defaultValue 50_000
   */
  keyCacheSize?: number;
}

const DEFAULTS: Required<SubjectResolverOptions> = {
  identityCacheSize: 200_000,
  keyCacheTtlMs: 60_000,
  keyCacheSize: 50_000,
};

/** A subject's key, or `null` if the subject was erased. */
export type SubjectKey = Buffer | null;

/** Identities to resolve to one subject of a kind (a person's or an account's). */
export interface SubjectClaim {
  tenant: string;
  kind: SubjectKind;
  identities: Partial<CustomerIdentities>;
}

const cacheKey = (tenant: string, id: string) => `${tenant}\u0000${id}`;

export class SubjectResolver {
  private readonly identities: LRUCache<string, string>;
  private readonly keys: LRUCache<string, { key: SubjectKey }>;

  constructor(
    private readonly db: SqlClient,
    private readonly master: MasterKeys,
    options: SubjectResolverOptions = {},
  ) {
    const o = { ...DEFAULTS, ...options };
    this.identities = new LRUCache({ max: o.identityCacheSize, ttl: o.keyCacheTtlMs });
    this.keys = new LRUCache({ max: o.keyCacheSize, ttl: o.keyCacheTtlMs });
  }

  /**
   * Blind indexes of every identity present. `memo` (one batch's, dropped with it: identities are
   * personal data and stay out of long-lived memory) spares an HMAC per identity a batch repeats.
   */
  digests(tenant: string, customer: Partial<CustomerIdentities>, memo?: Map<string, string>): string[] {
    const out: string[] = [];
    for (const kind of IDENTITY_KINDS) {
      const v = customer[kind];
      if (v === undefined) continue;
      if (!memo) {
        out.push(identityDigest(this.master, tenant, kind, v));
        continue;
      }
      const k = `${tenant}\u0000${kind}\u0000${v}`;
      let d = memo.get(k);
      if (d === undefined) {
        d = identityDigest(this.master, tenant, kind, v);
        memo.set(k, d);
      }
      out.push(d);
    }
    return out;
  }

  /** Subjects any of these identities belong to (empty if none is known). Never creates one. */
  async find(tenant: string, customer: Partial<CustomerIdentities>): Promise<string[]> {
    const digests = this.digests(tenant, customer);
    const found = await this.lookup(digests.map((digest) => ({ tenant, digest })));
    return [...new Set(digests.flatMap((d) => found.get(cacheKey(tenant, d)) ?? []))];
  }

  /**
   * The subject of each claim, creating subjects (of the claim's kind) for customers never seen and
   * attaching identities newly seen with a known one. The first identity (in IDENTITY_KINDS order)
   * that is already known decides; claims of one batch that share an identity share a subject.
   * Identity digests include the identity's kind, and each identity kind belongs to one subject
   * kind, so a person's identity can never attach to an account or the other way round.
   */
  async resolve(claims: readonly SubjectClaim[]): Promise<string[]> {
    const memo = new Map<string, string>();
    const itemDigests = claims.map((c) => this.digests(c.tenant, c.identities, memo).map((d) => cacheKey(c.tenant, d)));
    const all = [...new Set(itemDigests.flat())];
    const known = await this.lookup(all.map(splitKey));

    const assigned = new Map(known);
    const newSubjects: { tenant: string; subject_id: string; kind: SubjectKind; wrapped_key: string }[] = [];
    const newIdentities: { tenant: string; digest: string; subject_id: string }[] = [];
    claims.forEach((c, i) => {
      const ds = itemDigests[i]!;
      let subject = ds.map((d) => assigned.get(d)).find((s) => s !== undefined);
      if (!subject) {
        subject = randomUUID();
        const key = newSubjectKey();
        this.keys.set(cacheKey(c.tenant, subject), { key });
        newSubjects.push({
          tenant: c.tenant,
          subject_id: subject,
          kind: c.kind,
          wrapped_key: wrapSubjectKey(this.master, c.tenant, subject, key).toString('base64'),
        });
      }
      for (const d of ds) {
        if (!assigned.has(d)) {
          assigned.set(d, subject);
          newIdentities.push({ ...splitKey(d), subject_id: subject });
        }
      }
    });
    if (newIdentities.length === 0) return itemDigests.map((ds) => ds.map((d) => assigned.get(d)!)[0]!);

    await this.db.query(REGISTER_SUBJECTS, [JSON.stringify(newSubjects), JSON.stringify(newIdentities)]);
    // Another writer may have registered some of these identities first: its mapping wins.
    const settled = await this.lookup(
      newIdentities.map(({ tenant, digest }) => ({ tenant, digest })),
      true,
    );
    for (const [d, s] of settled) assigned.set(d, s);
    return itemDigests.map((ds) => assigned.get(ds[0]!)!);
  }

  /** Data keys of these subjects (`null` for erased ones), from cache or one query. */
  async keysFor(tenant: string, subjectIds: readonly string[]): Promise<Map<string, SubjectKey>> {
    const out = new Map<string, SubjectKey>();
    const missing: { tenant: string; subject_id: string }[] = [];
    for (const id of new Set(subjectIds)) {
      const hit = this.keys.get(cacheKey(tenant, id));
      if (hit) out.set(id, hit.key);
      else missing.push({ tenant, subject_id: id });
    }
    if (missing.length > 0) {
      const rows = await this.db.query<{ subject_id: string; wrapped_key: Buffer | null }>(SUBJECT_KEYS, [
        JSON.stringify(missing),
      ]);
      for (const r of rows) out.set(r.subject_id, this.keyOf(tenant, r.subject_id, r.wrapped_key));
    }
    return out;
  }

  /**
   * The data key of a subject read together with its wrapped key (`null` once erased): from the
   * cache, or unwrapped. The row, not the cache, decides whether the subject was erased.
   */
  keyOf(tenant: string, subjectId: string, wrapped: Buffer | null): SubjectKey {
    const k = cacheKey(tenant, subjectId);
    if (!wrapped) {
      // Erasure is final: remembering it spares writers a query per batch for this subject.
      this.keys.set(k, { key: null });
      return null;
    }
    const hit = this.keys.get(k)?.key;
    if (hit) return hit;
    const key = unwrapSubjectKey(this.master, tenant, subjectId, wrapped);
    this.keys.set(k, { key });
    return key;
  }

  /** Whether this process holds the subject's data key in memory (erasure must leave none). */
  holdsKey(tenant: string, subjectId: string): boolean {
    return this.keys.get(cacheKey(tenant, subjectId))?.key != null;
  }

  /** Drops what this process remembers of erased subjects. */
  forget(tenant: string, subjectIds: readonly string[]): void {
    const gone = new Set(subjectIds);
    for (const id of subjectIds) this.keys.delete(cacheKey(tenant, id));
    for (const [k, s] of this.identities.entries())
      if (gone.has(s) && k.startsWith(`${tenant}\u0000`)) this.identities.delete(k);
  }

  /** Digest cache key -> subject, for known digests; `fresh` skips the cache. */
  private async lookup(keys: { tenant: string; digest: string }[], fresh = false): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const ask: typeof keys = [];
    for (const k of keys) {
      const hit = fresh ? undefined : this.identities.get(cacheKey(k.tenant, k.digest));
      if (hit) out.set(cacheKey(k.tenant, k.digest), hit);
      else ask.push(k);
    }
    if (ask.length > 0) {
      const rows = await this.db.query<{ tenant: string; digest: string; subject_id: string }>(FIND_SUBJECTS, [
        JSON.stringify(ask),
      ]);
      for (const r of rows) {
        const k = cacheKey(r.tenant, r.digest);
        this.identities.set(k, r.subject_id);
        out.set(k, r.subject_id);
      }
    }
    return out;
  }
}

function splitKey(k: string): { tenant: string; digest: string } {
  const i = k.indexOf('\u0000');
  return { tenant: k.slice(0, i), digest: k.slice(i + 1) };
}
