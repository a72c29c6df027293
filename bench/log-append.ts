/**
 * Batch appends through `StandingLog.append`: subject resolution (blind indexes, new subjects and
 * keys), sealing, hash chaining under the per-tenant head lock, dedupe check, one transaction per
 * batch. Read against a plain multi-row INSERT and a COPY of equivalent rows.
 */
import type pg from 'pg';
import type { NewStandingEvent } from '../connector/model/standing-event.ts';
import type { StandingLog } from '../connector/store/standing-log.ts';
import { makeCustomers, makeEvents } from './event-mix.ts';
import { chunk, elapsedMs, scaled, summarize, type BenchContext, type Benchmark, type Figure } from './harness.ts';
import { copyRows, createPlainTable, insertValues, toPlainRows, type PlainRow } from './plain-insert.ts';

export interface AppendBenchOptions {
  /** @defaultValue 100_000 (times `--scale`) */
  events: number;
  /** Events per `append` call and per baseline statement. @defaultValue 500 */
  batchSize: number;
  /** Distinct customers the single writer's events are about. @defaultValue 10_000 (times `--scale`) */
  customers: number;
  /**
   * Concurrent writers, each on a tenant of its own, sharing `concurrentEvents` and `customers` between them.
   * @defaultValue 4
   */
  writers: number;
  /**
   * Events written by the concurrent writers together, in each concurrent run.
   * @defaultValue 50_000 (times `--scale`)
   */
  concurrentEvents: number;
  /** Append loops overlapping on one tenant (as a queue worker with that concurrency would). @defaultValue 2 */
  sameTenantWriters: number;
  /**
   * Rows the single-connection raw baselines write (the first of the single writer's events).
   * @defaultValue 50_000 (times `--scale`)
   */
  baselineEvents: number;
}

/** Goal of the single-writer append rate: at least half a plain multi-row INSERT of rows of the same size, same run. */
export const APPEND_GOAL_RATIO = 0.5;

function defaults(ctx: BenchContext): AppendBenchOptions {
  return {
    events: scaled(ctx, 100_000, 1000),
    batchSize: 500,
    customers: scaled(ctx, 10_000, 100),
    writers: 4,
    concurrentEvents: scaled(ctx, 50_000, 1000),
    sameTenantWriters: 2,
    baselineEvents: scaled(ctx, 50_000, 1000),
  };
}

const rate = (events: number, ms: number) => Math.round((events * 1000) / ms);

export const logAppend: Benchmark = {
  name: 'append',
  description:
    'StandingLog.append in batches: one writer, overlapping writers on one tenant, concurrent writers on ' +
    'separate tenants',
  async run(ctx) {
    const o = defaults(ctx);
    ctx.progress(
      `append: making ${o.events.toLocaleString('en-US')} events for ${o.customers.toLocaleString('en-US')} customers`,
    );
    const single = makeEvents({
      tenant: 'bench-append',
      count: o.events,
      customers: makeCustomers(o.customers),
      seed: 11,
    });
    const perWriter = Math.floor(o.concurrentEvents / o.writers);
    const writerCustomers = Math.floor(o.customers / o.writers);
    const concurrent = Array.from({ length: o.writers }, (_, w) =>
      makeEvents({
        tenant: `bench-append-w${w + 1}`,
        count: perWriter,
        customers: makeCustomers(writerCustomers, (w + 1) * 1_000_000),
        seed: 100 + w,
      }),
    );
    const shared = makeEvents({
      tenant: 'bench-append-shared',
      count: o.concurrentEvents,
      customers: makeCustomers(o.customers, 9_000_000),
      seed: 12,
    });
    const distinct = new Set(single.map((e) => e.customer.email)).size;

    ctx.progress('append: raw baselines (COPY, concurrent INSERT)');
    const baselineRows = single.slice(0, o.baselineEvents);
    const plain = await measurePlain(ctx, baselineRows, concurrent, o.batchSize);

    ctx.progress(
      `append: 1 writer (${Math.ceil(o.events / o.batchSize)} batches of ${o.batchSize}) alternated with plain ` +
        `INSERT, ${ctx.rounds} rounds`,
    );
    const one = await alternateWithInsert(ctx, single, baselineRows, o.batchSize);
    ctx.progress(`append: ${o.sameTenantWriters} overlapping writers on one tenant`);
    const overlapping = await appendOverlapping(ctx.newLog(), shared, o.batchSize, o.sameTenantWriters);
    ctx.progress(`append: ${o.writers} concurrent writers on ${o.writers} tenants`);
    const sharedLog = ctx.newLog();
    const t0 = performance.now();
    const perWriterRuns = await Promise.all(concurrent.map((events) => appendAll(sharedLog, events, o.batchSize)));
    const concurrentMs = elapsedMs(t0);
    const concurrentEvents = concurrent.reduce((n, events) => n + events.length, 0);

    const latency = summarize(one.batchMs);
    ctx.note(
      `append: ${o.events.toLocaleString('en-US')} events about ${distinct.toLocaleString('en-US')} distinct ` +
        `customers, one tenant; ` +
        `events are zod-parsed before timing. Batch latency p50 ${latency.p50.toFixed(1)} ms, p99 ` +
        `${latency.p99.toFixed(1)} ms.`,
    );
    ctx.note(
      `append: ${o.writers} writers = ${o.writers} concurrent append loops in this one Node process sharing ` +
        `one StandingLog and pool, ` +
        `${perWriter.toLocaleString('en-US')} events each on its own tenant; slowest writer ` +
        `${Math.max(...perWriterRuns.map((r) => r.totalMs)).toFixed(0)} ms.`,
    );
    ctx.note(
      `append: ${o.sameTenantWriters} writers on one tenant = ${o.sameTenantWriters} append loops taking ` +
        `batches from one queue: the head lock serializes ` +
        'their transactions, while one batch resolves subjects and seals the other commits.',
    );
    ctx.note(
      `append baselines: plain table with the same 13 columns and row sizes (real sealed blobs), primary key ` +
        `(tenant, seq) only, one statement per batch ` +
        `in autocommit; ${baselineRows.length.toLocaleString('en-US')} rows on 1 connection, ` +
        `${concurrentEvents.toLocaleString('en-US')} on ${o.writers}.`,
    );

    const insertBaseline = {
      name:
        `plain INSERT VALUES, batch ${o.batchSize}, median of ${ctx.rounds} rounds alternated with the append, ` +
        `spread ${one.insertRates.map((r) => r.toLocaleString('en-US')).join(' / ')}`,
      value: median(one.insertRates),
    };
    const figures: Figure[] = [
      {
        name: `1 writer, batch ${o.batchSize}, median of ${ctx.rounds}`,
        value: median(one.appendRates),
        spread: [Math.min(...one.appendRates), Math.max(...one.appendRates)],
        unit: 'events/s',
        better: 'higher',
        baseline: insertBaseline,
        goal: { limit: APPEND_GOAL_RATIO, ratio: true },
      },
    ];
    if (plain.copyMs !== null) {
      figures.push({
        name: `1 writer, batch ${o.batchSize} (vs COPY)`,
        value: rate(single.length, one.totalMs),
        unit: 'events/s',
        better: 'higher',
        baseline: {
          name: `plain COPY FROM STDIN, batch ${o.batchSize}`,
          value: rate(baselineRows.length, plain.copyMs),
        },
      });
    }
    figures.push({
      name: `${o.sameTenantWriters} writers, same tenant, batch ${o.batchSize}`,
      value: rate(shared.length, overlapping),
      unit: 'events/s',
      better: 'higher',
      baseline: insertBaseline,
    });
    figures.push({
      name: `${o.writers} writers, ${o.writers} tenants, batch ${o.batchSize}`,
      value: rate(concurrentEvents, concurrentMs),
      unit: 'events/s',
      better: 'higher',
      baseline: {
        name: `plain INSERT VALUES, ${o.writers} connections`,
        value: rate(concurrentEvents, plain.concurrentInsertMs),
      },
    });
    return figures;
  },
};

const median = (values: readonly number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * `ctx.rounds` rounds, each a plain multi-row INSERT of a share of `baseline` then an append of a
 * share of `events` (one log throughout), so that both see the same machine load.
 */
async function alternateWithInsert(
  ctx: BenchContext,
  events: readonly NewStandingEvent[],
  baseline: readonly NewStandingEvent[],
  batchSize: number,
): Promise<{ totalMs: number; batchMs: number[]; appendRates: number[]; insertRates: number[] }> {
  const log = ctx.newLog();
  const client = await ctx.rawClient();
  const out = { totalMs: 0, batchMs: [] as number[], appendRates: [] as number[], insertRates: [] as number[] };
  try {
    await createPlainTable(client, 'bench_plain_insert');
    const share = (all: readonly NewStandingEvent[], r: number) =>
      all.slice(Math.floor((r * all.length) / ctx.rounds), Math.floor(((r + 1) * all.length) / ctx.rounds));
    for (let r = 0, written = 0; r < ctx.rounds; r++) {
      const rows = toPlainRows(share(baseline, r), written + 1);
      written += rows.length;
      const insertMs = await writeAll(rows, batchSize, (b) => insertValues(client, 'bench_plain_insert', b));
      out.insertRates.push(rate(rows.length, insertMs));
      const mine = share(events, r);
      const run = await appendAll(log, mine, batchSize);
      out.appendRates.push(rate(mine.length, run.totalMs));
      out.totalMs += run.totalMs;
      out.batchMs.push(...run.batchMs);
    }
  } finally {
    await client.end();
  }
  return out;
}

async function appendAll(
  log: StandingLog,
  events: readonly NewStandingEvent[],
  batchSize: number,
): Promise<{ totalMs: number; batchMs: number[] }> {
  const batchMs: number[] = [];
  const t0 = performance.now();
  for (const batch of chunk(events, batchSize)) {
    const t = performance.now();
    const outcomes = await log.append(batch);
    batchMs.push(elapsedMs(t));
    const appended = outcomes.filter((x) => x.status === 'appended').length;
    if (appended !== batch.length)
      throw new Error(`append benchmark: expected ${batch.length} appended, got ${appended}`);
  }
  return { totalMs: elapsedMs(t0), batchMs };
}

/** `writers` loops appending batches taken from one shared queue; returns the elapsed milliseconds. */
async function appendOverlapping(
  log: StandingLog,
  events: readonly NewStandingEvent[],
  batchSize: number,
  writers: number,
): Promise<number> {
  const queue = chunk(events, batchSize);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      for (let batch = queue.shift(); batch; batch = queue.shift()) {
        const outcomes = await log.append(batch);
        if (outcomes.some((x) => x.status !== 'appended'))
          throw new Error('append benchmark: an overlapping append reported a duplicate');
      }
    }),
  );
  return elapsedMs(t0);
}

async function measurePlain(
  ctx: BenchContext,
  single: readonly NewStandingEvent[],
  concurrent: readonly (readonly NewStandingEvent[])[],
  batchSize: number,
): Promise<{ copyMs: number | null; concurrentInsertMs: number }> {
  const rows = toPlainRows(single);
  const clients = await Promise.all(concurrent.map(() => ctx.rawClient()));
  const [client] = clients;
  if (!client) throw new Error('append benchmark needs at least one writer');
  try {
    await createPlainTable(client, 'bench_plain_copy');
    await createPlainTable(client, 'bench_plain_concurrent');
    let copyMs: number | null = null;
    try {
      copyMs = await writeAll(rows, batchSize, (b) => copyRows(client, 'bench_plain_copy', b));
    } catch (err) {
      ctx.note(`append: COPY baseline skipped: ${err instanceof Error ? err.message : String(err)}`);
    }
    const perClient = concurrent.map((events) => toPlainRows(events));
    const t0 = performance.now();
    await Promise.all(
      perClient.map((r, w) => writeAll(r, batchSize, (b) => insertValues(clients[w]!, 'bench_plain_concurrent', b))),
    );
    return { copyMs, concurrentInsertMs: elapsedMs(t0) };
  } finally {
    await Promise.all(clients.map((c: pg.Client) => c.end()));
  }
}

async function writeAll(
  rows: readonly PlainRow[],
  batchSize: number,
  write: (batch: PlainRow[]) => Promise<void>,
): Promise<number> {
  const t0 = performance.now();
  for (const batch of chunk(rows, batchSize)) await write(batch);
  return elapsedMs(t0);
}
