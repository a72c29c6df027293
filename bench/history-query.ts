/**
 * A customer's history page (`StandingLog.history`, first page, limit 50) with about a million
 * events in the table: identity resolution, page query, current-standing query, key unwrap and
 * decryption. Read against the bare page query by subject id.
 */
import type { CustomerIdentities } from '../connector/model/standing-event.ts';
import { sealEvent } from '../connector/store/event-codec.ts';
import { newSubjectKey } from '../connector/model/sealing.ts';
import type { StandingLog } from '../connector/store/standing-log.ts';
import { makeEvents, type BenchCustomer } from './event-mix.ts';
import {
  scaled,
  summarize,
  timeEach,
  type BenchContext,
  type Benchmark,
  type Figure,
  type LatencySummary,
} from './harness.ts';
import { seedHistory } from './history-seed.ts';
import { PerformanceObserver } from 'node:perf_hooks';

export interface HistoryBenchOptions {
  /** Filler rows (other customers). @defaultValue 1_000_000 (times `--scale`) */
  fillerEvents: number;
  /** Distinct filler customers. @defaultValue 100_000 (times `--scale`) */
  fillerSubjects: number;
  /** Events of the customer whose history is read. @defaultValue 200 */
  targetEvents: number;
  /** Timed `history()` calls with warm caches, and raw baseline queries. @defaultValue 2_000 (times `--scale`) */
  queries: number;
  /**
   * Timed calls with a new StandingLog each (cold key cache; identities are resolved in SQL either way).
   * @defaultValue 500 (times `--scale`)
   */
  coldQueries: number;
  /** Page size asked for. @defaultValue 50 */
  limit: number;
}

/** Goal: p99 of a warm first-page history call. */
export const HISTORY_GOAL_P99_MS = 10;

const TENANT = 'acme';

function defaults(ctx: BenchContext): HistoryBenchOptions {
  return {
    fillerEvents: scaled(ctx, 1_000_000, 10_000),
    fillerSubjects: scaled(ctx, 10_000, 100) * 10,
    targetEvents: 200,
    queries: scaled(ctx, 2_000, 100),
    coldQueries: scaled(ctx, 500, 50),
    limit: 50,
  };
}

const TARGET: BenchCustomer = {
  zendeskUserId: '361999999999',
  email: 'target.customer@example.test',
  salesforceContactId: '003TARGET000001YPA',
};

/** How callers look a customer up: by any one identity, the 15-char Salesforce id, or several at once. */
const LOOKUPS: readonly Partial<CustomerIdentities>[] = [
  { email: TARGET.email },
  { zendesk_user_id: TARGET.zendeskUserId },
  { salesforce_contact_id: TARGET.salesforceContactId! },
  { salesforce_contact_id: TARGET.salesforceContactId!.slice(0, 15) },
  { email: TARGET.email.toUpperCase(), zendesk_user_id: TARGET.zendeskUserId },
];

const RAW_PAGE = `SELECT seq, id, kind, status_before, status_after, occurred_at, recorded_at, subject_id, public,
  sealed
FROM standing_events WHERE tenant = $1 AND subject_id = $2 ORDER BY occurred_at DESC, seq DESC LIMIT $3`;

export const historyQuery: Benchmark = {
  name: 'history',
  description: 'StandingLog.history first page for one customer among ~1,000,000 events',
  async run(ctx) {
    const o = defaults(ctx);
    const target = makeEvents({
      tenant: TENANT,
      count: o.targetEvents,
      customers: [TARGET],
      seed: 7,
      eventIdPrefix: 'target',
      maxGapMs: 7 * 24 * 3600 * 1000,
    });
    const sample = target[0]!;
    const sealedBytes = sealEvent(newSubjectKey(), TENANT, sample.source.event_id, sample).length;

    ctx.progress(
      `history: seeding ${o.fillerEvents.toLocaleString('en-US')} filler rows for ` +
        `${o.fillerSubjects.toLocaleString('en-US')} customers + ${o.targetEvents} real events`,
    );
    const writer = ctx.newLog();
    const seeded = await seedHistory(
      ctx.db,
      writer,
      target,
      {
        tenant: TENANT,
        fillerEvents: o.fillerEvents,
        fillerSubjects: o.fillerSubjects,
        rounds: 100,
        sealedBytes,
        fillerSeqBase: 1_000_000_000,
      },
      ctx.progress,
    );
    ctx.progress('history: ANALYZE, CHECKPOINT');
    await ctx.db.exec('ANALYZE standing_events; ANALYZE subjects; ANALYZE subject_identities');
    // Seeding wrote ~1 GB of WAL: without this, the checkpoint it triggered flushes during the timed calls.
    await ctx.db
      .exec('CHECKPOINT')
      .catch((err: unknown) =>
        ctx.note(`history: CHECKPOINT skipped (${err instanceof Error ? err.message : String(err)})`),
      );
    const [size] = await ctx.db.query<{ rows: number; bytes: string }>(
      `SELECT (SELECT count(*) FROM standing_events)::int AS rows,
        pg_size_pretty(pg_total_relation_size('standing_events')) AS bytes`,
    );
    const [subject] = await writer.subjects.find(TENANT, { email: TARGET.email });
    if (!subject) throw new Error('history benchmark: target customer has no subject');

    ctx.progress(`history: ${o.queries} warm history() calls`);
    const reader = ctx.newLog();
    const check = checkPage(o.targetEvents, o.limit);
    for (let i = 0; i < 20; i++) check(await reader.history(TENANT, LOOKUPS[i % LOOKUPS.length]!, { limit: o.limit }));
    ctx.settleHeap();
    const pauses = watchGcPauses();
    const warm = summarize(
      await timeEach(o.queries, async (i) =>
        check(await reader.history(TENANT, LOOKUPS[i % LOOKUPS.length]!, { limit: o.limit })),
      ),
    );
    const gc = await pauses.stop();
    ctx.note(
      `history: garbage collection during the ${o.queries} warm calls: ${gc.length} pauses, ` +
        `${gc.reduce((a, b) => a + b, 0).toFixed(0)} ms in all, ` +
        `longest ${Math.max(0, ...gc).toFixed(1)} ms. On this VM a young-generation collection costs ` +
        `milliseconds, not the usual fraction ` +
        'of one (freed pages are faulted back in), so what a call allocates shows in the tail: see bench/README.md.',
    );

    ctx.progress(`history: ${o.coldQueries} cold history() calls (new StandingLog each)`);
    const cold = summarize(
      await timeEach(
        o.coldQueries,
        async (i, log: StandingLog) =>
          check(await log.history(TENANT, LOOKUPS[i % LOOKUPS.length]!, { limit: o.limit })),
        // Small caches: allocating the default-sized ones (200,000 identities, 50,000 keys) costs more
        // per instance than the queries a cold call makes, and a real process allocates them once.
        () => ctx.newLog({ identityCacheSize: 1_000, keyCacheSize: 1_000 }),
      ),
    );

    ctx.progress(`history: ${o.queries} raw page queries`);
    const rawLimit = o.limit + 1;
    const raw = summarize(
      await timeEach(o.queries, async () => {
        const rows = await ctx.db.query(RAW_PAGE, [TENANT, subject, rawLimit]);
        if (rows.length !== Math.min(rawLimit, o.targetEvents))
          throw new Error(`history benchmark: raw page returned ${rows.length} rows`);
      }),
    );

    ctx.note(
      `history: ${size?.rows.toLocaleString('en-US')} rows in standing_events (${size?.bytes} with indexes); ` +
        `the target customer's ${o.targetEvents} events were appended ` +
        `through StandingLog.append (${seeded.appendMs.toFixed(0)} ms) interleaved with ` +
        `${o.fillerEvents.toLocaleString('en-US')} filler rows ` +
        `for ${o.fillerSubjects.toLocaleString('en-US')} other customers in 3 tenants written by INSERT ... ` +
        `SELECT generate_series (${(seeded.fillerMs / 1000).toFixed(1)} s). ` +
        'The filler rows do NOT form a valid hash chain (verify() on those tenants would fail): they only ' +
        'give the tables a production-like size.',
    );
    ctx.note(
      `history: lookups cycle through ${LOOKUPS.length} identity sets (email, Zendesk user id, 18- and ` +
        `15-char Salesforce id, email+user id); ` +
        `warm = one long-lived StandingLog after 20 warm-up calls; cold = a new StandingLog per call (empty ` +
        `key cache: each call unwraps the key; identities are resolved in SQL either way). ` +
        `Each call is one round trip of two queries side by side (the page with its subjects' wrapped keys, ` +
        `and the current standing, both resolving the identities in SQL) and decrypts ${o.limit} events. ` +
        `Baseline: bare page query by subject_id, no identity resolution or decryption.`,
    );
    return [
      ...latencyFigures('warm', warm, raw, ['p50', 'p95', 'p99', 'max'], true),
      ...latencyFigures('cold caches', cold, raw, ['p50', 'p99', 'max'], false),
    ];
  },
};

type Statistic = 'p50' | 'p95' | 'p99' | 'max';

function latencyFigures(
  label: string,
  s: LatencySummary,
  raw: LatencySummary,
  stats: readonly Statistic[],
  withGoal: boolean,
): Figure[] {
  const baselineName = 'bare page query by subject_id (pg round trip, same limit)';
  return stats.map((p): Figure => ({
    name: `history ${label} ${p} (n=${s.count})`,
    value: s[p],
    unit: 'ms',
    better: 'lower',
    baseline: { name: baselineName, value: raw[p] },
    ...(p === 'p99' && withGoal ? { goal: { limit: HISTORY_GOAL_P99_MS } } : {}),
  }));
}

/** Every timed call must return a full first page of readable events, or the figure means nothing. */
function checkPage(targetEvents: number, limit: number) {
  return (h: Awaited<ReturnType<StandingLog['history']>>): void => {
    if (h.events.length !== Math.min(limit, targetEvents))
      throw new Error(`history benchmark: page has ${h.events.length} events`);
    if (h.events.some((e) => e.erased)) throw new Error('history benchmark: an event came back erased');
    if (targetEvents > limit && h.next_cursor === null)
      throw new Error('history benchmark: no next_cursor on a partial page');
    if (h.current === null) throw new Error('history benchmark: no current standing');
  };
}

/** Durations of the GC pauses from now until `stop()`. */
function watchGcPauses(): { stop(): Promise<number[]> } {
  const pauses: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) pauses.push(entry.duration);
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    async stop() {
      // GC entries are delivered asynchronously: let the last ones arrive.
      await new Promise((r) => setTimeout(r, 20));
      observer.disconnect();
      return pauses;
    },
  };
}
