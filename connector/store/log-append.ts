/** Appending to the log: resolving subjects, sealing, deduplicating and chaining a batch. */
import { randomUUID } from 'node:crypto';
import { canonicalChainText, hashChainText, type ChainRecord } from '../model/chain.ts';
import { sourceEventDigest, type MasterKeys } from '../model/sealing.ts';
import { subjectKindOf, type NewStandingEvent } from '../model/standing-event.ts';
import { planTransitions, recordTransitions, type TransitionWindow } from './transition-matching.ts';
import { iso } from './chain-row.ts';
import type { Database } from './database.ts';
import { publicPart, sealEvent } from './event-codec.ts';
import { loadSql } from './sql.ts';
import type { SubjectResolver } from './subject-resolver.ts';
import { StandingError } from '../lib/errors.ts';

const SQL = {
  lockHeads: loadSql('lock-chain-heads'),
  findExisting: loadSql('find-existing-source-events'),
  insertEvents: loadSql('insert-events'),
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
       * reconciliation finding and a live event, see transition-matching.ts): which came first.
       */
      same_transition?: 'live_first' | 'reconciled_first';
    };

export interface AppendOptions {
  /**
   * For reconciliation findings: the window in which each change happened, by batch index. Only a
   * finding with a window takes part in the race rule (see transition-matching.ts). Any other event
   * given a window claims its change too: the Zendesk app's reinstatement, applied in Zendesk after an
   * approval, whose webhook arrives within the window.
   */
  transitionWindows?: ReadonlyMap<number, TransitionWindow>;
}

/** A batch kept meeting subjects erased by another process (each retry resolves afresh). */
export class SubjectErasedWhileWritingError extends StandingError {
  override name = 'SubjectErasedWhileWritingError';
}

/** What an append reads and writes through: the log's database, master keys and subject directory. */
export interface AppendContext {
  db: Database;
  master: MasterKeys;
  subjects: SubjectResolver;
  /** When rows are recorded. @defaultValue () => new Date() */
  clock?: () => Date;
}

const sourceKey = (tenant: string, system: string, eventId: string) => `${tenant}\u0000${system}\u0000${eventId}`;

/**
 * Appends a batch in one transaction. A source event already in the log (same tenant, source
 * system and source event id), or twice in the batch, is reported as `duplicate` and not written.
 * Outcomes come back in input order.
 */
export async function appendEvents(
  ctx: AppendContext,
  events: readonly NewStandingEvent[],
  options: AppendOptions = {},
): Promise<AppendOutcome[]> {
  if (events.length === 0) return [];
  // A subject erased by another process while this one still had it cached: forget it and
  // resolve again, which files the customer under a new subject (the erased one stays erased).
  for (let attempt = 1; ; attempt++) {
    const result = await appendOnce(ctx, events, options);
    if (Array.isArray(result)) return result;
    for (const [tenant, ids] of result.erased) ctx.subjects.forget(tenant, ids);
    if (attempt >= 3)
      throw new SubjectErasedWhileWritingError(
        `a subject of this batch was erased during ${attempt} attempts to write it`,
      );
  }
}

async function appendOnce(
  ctx: AppendContext,
  events: readonly NewStandingEvent[],
  options: AppendOptions,
): Promise<AppendOutcome[] | { erased: Map<string, string[]> }> {
  // One claim per event for the subject it is about, then one per event naming an account as context.
  const withAccount = events.flatMap((e, i) => (e.account ? [i] : []));
  const resolved = await ctx.subjects.resolve([
    ...events.map((e) => ({ tenant: e.tenant, kind: subjectKindOf(e.customer), identities: e.customer })),
    ...withAccount.map((i) => ({
      tenant: events[i]!.tenant,
      kind: 'account' as const,
      identities: events[i]!.account!,
    })),
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
      const keys = await ctx.subjects.keysFor(
        tenant,
        idx.map((i) => subjectIds[i]!),
      );
      return idx.flatMap((i) => {
        const e = events[i]!;
        const id = randomUUID();
        const key = keys.get(subjectIds[i]!);
        if (!key) {
          erasedSeen.set(tenant, [...(erasedSeen.get(tenant) ?? []), subjectIds[i]!]);
          return [];
        }
        const digest = sourceEventDigest(ctx.master, tenant, e.source.system, e.source.event_id);
        return [{ i, id, e, pub: publicPart(e, digest), sealed: sealEvent(key, tenant, id, e).toString('base64') }];
      });
    }),
  );
  if (erasedSeen.size > 0) return { erased: erasedSeen };
  const rows = prepared.flat().sort((a, b) => a.i - b.i);
  const tenantsJson = JSON.stringify([...new Set(events.map((e) => e.tenant))].sort());
  const sourceKeysJson = JSON.stringify(
    rows.map((r) => ({
      tenant: r.e.tenant,
      system: r.pub.source.system,
      event_id: r.pub.source.event_id,
      legacy_event_id: r.e.source.event_id,
    })),
  );
  const claimTenants = [...events.map((e) => e.tenant), ...withAccount.map((i) => events[i]!.tenant)];
  const used = new Map(
    resolved.map((subject_id, j) => [
      `${claimTenants[j]}\u0000${subject_id}`,
      { tenant: claimTenants[j]!, subject_id },
    ]),
  );
  const usedSubjectsJson = JSON.stringify([...used.values()]);

  // Only linking, hashing and writing happen under the head lock.
  return ctx.db.transaction(async (tx): Promise<AppendOutcome[] | { erased: Map<string, string[]> }> => {
    const heads = new Map(
      (await tx.query<{ tenant: string; seq: number; hash: string }>(SQL.lockHeads, [tenantsJson])).map((h) => [
        h.tenant,
        { seq: Number(h.seq), hash: h.hash },
      ]),
    );
    const erased = await tx.query<{ tenant: string; subject_id: string }>(SQL.subjectsErased, [usedSubjectsJson]);
    if (erased.length > 0) {
      const byTenant = new Map<string, string[]>();
      for (const x of erased) byTenant.set(x.tenant, [...(byTenant.get(x.tenant) ?? []), x.subject_id]);
      return { erased: byTenant };
    }
    const existing = new Map(
      (
        await tx.query<{ tenant: string; system: string; event_id: string; seq: number; id: string }>(
          SQL.findExisting,
          [sourceKeysJson],
        )
      ).map((x) => [sourceKey(x.tenant, x.system, x.event_id), { seq: Number(x.seq), id: x.id }]),
    );

    // A reconciliation finding and a live event of the same status change are one entry.
    const plan = await planTransitions(
      tx,
      rows.flatMap((r) =>
        // Reconciliation findings take part when their window is given; live events always.
        r.e.status.after === null ||
        existing.has(sourceKey(r.e.tenant, r.pub.source.system, r.pub.source.event_id)) ||
        (r.e.detected_via === 'reconciliation' && !options.transitionWindows?.has(r.i))
          ? []
          : [
              {
                i: r.i,
                tenant: r.e.tenant,
                subject_id: subjectIds[r.i]!,
                status_after: r.e.status.after,
                occurred_at: iso(r.e.occurred_at),
                // An event given a window claims its change: a finding, or a change the app applies in Zendesk.
                reconciled: r.e.detected_via === 'reconciliation' || options.transitionWindows?.has(r.i) === true,
                window: options.transitionWindows?.get(r.i),
              },
            ],
      ),
    );
    const claims: Parameters<typeof recordTransitions>[1][number][] = [];
    const closed: Parameters<typeof recordTransitions>[2][number][] = [];

    const recordedAt = (ctx.clock ?? (() => new Date()))().toISOString();
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
        if (same.order === 'reconciled_first')
          closed.push({ tenant: r.e.tenant, seq: same.seq, source_event_id: r.pub.source.event_id });
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
      if (window)
        claims.push({
          tenant: r.e.tenant,
          seq: record.seq,
          subject_id: record.subject_id,
          status_after: r.e.status.after!,
          window,
        });
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
