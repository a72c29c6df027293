/**
 * End to end, signed webhook in -> log row committed, through the real service (HTTP, inbox,
 * BullMQ, worker, log) running as child processes against this machine's PostgreSQL and Redis.
 *
 * - throughput: `--rounds` rounds, each a run of the product (one API process, one worker
 *   process) followed by a run of the textbook pipeline (textbook-baseline.ts) on fresh deliveries
 *   of the same kind; the median of each is compared, and the spread (min-max) printed. Goal: >= 3x.
 * - the same once more with the log at production size (1.2M rows, the textbook table too).
 * - CPU per event of each process (api, worker, PostgreSQL backends, Redis server) for both.
 * - latency: open loop at 1,000 and 500 requests/s, every tenth request `/healthz`, so the baseline
 *   is sampled in the same window as the webhooks (the goal: webhook p99 <= 2x /healthz's).
 * - scale out: 2 API + 2 worker processes beside 1 + 1, same run.
 * - storage: bytes per log row with its indexes beside a plain row of the same columns.
 * Bodies are built and signed before the clock starts, and sent through a minimal client of
 * pre-serialized requests (load-client.ts) so that the load generator takes little of the CPU.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { openDatabase, type Database } from '../connector/store/database.ts';
import { LoadClient } from './load-client.ts';
import { textbookRun, type PipelineRun } from './textbook-baseline.ts';
import { seedFiller } from './history-seed.ts';
import { elapsedMs, scaled, summarize, type BenchContext, type Benchmark, type Figure } from './harness.ts';
import { deliveries, openLoopMixed, productRun, SECRET, type ProductRun, type ServiceSet } from './intake-runs.ts';
import { dropPrefix, freePort, redisServerPid, REDIS_URL, startService, stopProcesses } from './processes.ts';
import { storageFigures } from './log-storage.ts';

const PROCESSES = ['api', 'worker', 'postgres', 'redis'] as const;

export const webhookIntake: Benchmark = {
  name: 'intake',
  description: 'signed Zendesk webhook -> inbox -> BullMQ -> worker -> log, end to end, alternated with the textbook',
  async run(ctx) {
    const schema = `${ctx.schema}_intake`;
    const prefix = `bench-${schema}`;
    const session = `${schema}_svc`.slice(0, 63);
    const env = serviceEnv(ctx, schema, prefix, session);
    const set = { apis: [] as ChildProcess[], workers: [] as ChildProcess[], clients: [] as LoadClient[], session };
    const extra = { apis: [] as ChildProcess[], workers: [] as ChildProcess[], clients: [] as LoadClient[], session };
    let db: Database | undefined;
    const figures: Figure[] = [];
    const redisPid = await redisServerPid();
    try {
      const port = await freePort();
      set.apis.push(await startService(env, 'api', port));
      set.workers.push(await startService(env, 'worker', await freePort()));
      set.clients.push(new LoadClient(port));
      db = await openDatabase({ url: ctx.url, schema });
      const noop = await bullmqNoopRate(ctx, `${prefix}-noop`);
      const total = scaled(ctx, 20_000, 1000);
      let made = 0;
      let rows = 0;
      const fresh = (tag: string, n = total) => {
        const items = deliveries(tag, made, n);
        made += n;
        return items;
      };
      const textbook = async (existingRows: number): Promise<PipelineRun> =>
        textbookRun({
          db: db!,
          databaseUrl: ctx.url,
          schema,
          redisUrl: REDIS_URL,
          redisPid,
          prefix: `${prefix}-textbook`,
          secret: SECRET,
          port: await freePort(),
          deliveries: fresh('tb'),
          inFlight: 64,
          existingRows,
        });
      const product: ProductRun[] = [];
      const baseline: PipelineRun[] = [];
      for (let round = 1; round <= ctx.rounds; round++) {
        ctx.progress(`intake: round ${round}/${ctx.rounds}: product, ${total.toLocaleString('en-US')} webhooks`);
        rows += total;
        product.push(await productRun(db, set, redisPid, fresh(`r${round}`), rows));
        ctx.progress(`intake: round ${round}/${ctx.rounds}: textbook pipeline, same number`);
        baseline.push(await textbook(0));
      }

      ctx.progress('intake: open loop at 1,000 then 500 requests/s (1 in 10 /healthz, same window)');
      const seconds = Math.max(2, Math.round(10 * Math.min(ctx.scale, 1)));
      const latency: Figure[] = [];
      for (const rate of [1000, 500]) {
        const timed = fresh('lat', rate * seconds);
        const mixed = await openLoopMixed(set.clients[0]!, rate, seconds, timed);
        rows += mixed.webhook.length;
        const hooks = summarize(mixed.webhook);
        const health = summarize(mixed.healthz);
        for (const p of ['p50', 'p99'] as const)
          latency.push({
            name: `webhook answer ${p} at ${rate}/s`,
            value: hooks[p],
            unit: 'ms',
            better: 'lower',
            baseline: { name: `/healthz ${p} in the same window (1 request in 10 at ${rate}/s)`, value: health[p] },
            ...(rate === 1000 && p === 'p99' ? { goal: { limit: 2, ratio: true } } : {}),
          });
      }

      ctx.progress('intake: 2 API + 2 worker processes');
      const port2 = await freePort();
      extra.apis.push(await startService(env, 'api', port2));
      extra.workers.push(await startService(env, 'worker', await freePort()));
      extra.clients.push(new LoadClient(port2));
      const both: ServiceSet = {
        apis: [...set.apis, ...extra.apis],
        workers: [...set.workers, ...extra.workers],
        clients: [...set.clients, ...extra.clients],
        session,
      };
      await waitForRows(db, rows);
      rows += total;
      const twoByTwo = await productRun(db, both, redisPid, fresh('x2'), rows);
      extra.clients.forEach((c) => c.close());
      await stopProcesses([...extra.apis, ...extra.workers]);

      // Measured on the service's own rows only, before the filler (whose rows are made in SQL).
      await waitForRows(db, rows);
      const storage = await storageFigures(db);
      const filler = scaled(ctx, 1_200_000, 10_000);
      ctx.progress(`intake: seeding the log to ${filler.toLocaleString('en-US')} more rows (another tenant)`);
      await seedFiller(db, {
        tenant: 'bench_filler',
        fillerEvents: filler,
        fillerSubjects: 20_000,
        sealedBytes: 300,
        fillerSeqBase: 1_000_000_000,
      });
      await db.exec('ANALYZE standing_events');
      rows += filler + total;
      ctx.progress('intake: product then textbook with the log at production size');
      const bigProduct = await productRun(db, set, redisPid, fresh('big'), rows);
      const bigTextbook = await textbook(filler);

      figures.push(
        ...throughputFigures(total, ctx.rounds, product, baseline, noop),
        {
          name: `end to end, log at ${(filler / 1e6).toFixed(2)}M rows + ${total.toLocaleString('en-US')} events`,
          value: bigProduct.rate,
          unit: 'events/s',
          better: 'higher',
          baseline: { name: `textbook pipeline, its table at the same row count`, value: bigTextbook.rate },
          goal: { limit: 3, ratio: true },
        },
        ...cpuFigures(product, baseline, total),
        ...latency,
        {
          name: '2 API + 2 worker processes, end to end',
          value: twoByTwo.rate,
          unit: 'events/s',
          better: 'higher',
          baseline: {
            name: '1 API + 1 worker process, end to end (median, same run)',
            value: median(product.map((p) => p.rate)),
          },
        },
        ...rssFigures(product),
        ...storage,
      );
      ctx.note(
        'intake: the service processes, the load generator (this process), PostgreSQL and Redis share the ' +
          'machine; bodies signed before timing. Redis CPU is the whole server (other users of it included).',
      );
    } finally {
      for (const c of [...set.clients, ...extra.clients]) c.close();
      await stopProcesses([...set.apis, ...set.workers, ...extra.apis, ...extra.workers]);
      if (db) {
        await db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await db.close();
      }
      await dropPrefix(prefix);
    }
    return figures;
  },
};

const median = (values: readonly number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const spread = (values: readonly number[]): [number, number] => [Math.min(...values), Math.max(...values)];
const range = (values: readonly number[]) =>
  spread(values)
    .map((v) => Math.round(v).toLocaleString('en-US'))
    .join('-');

function throughputFigures(
  total: number,
  rounds: number,
  product: readonly ProductRun[],
  baseline: readonly PipelineRun[],
  noop: number,
): Figure[] {
  const rates = product.map((p) => p.rate);
  const textbook = baseline.map((b) => b.rate);
  return [
    {
      name: `end to end, ${total.toLocaleString('en-US')} events, median of ${rounds}`,
      value: median(rates),
      spread: spread(rates),
      unit: 'events/s',
      better: 'higher',
      baseline: {
        name:
          `textbook pipeline (express -> 1 BullMQ job per webhook -> 1 INSERT per job), median of ${rounds} ` +
          `alternated rounds, spread ${range(textbook)}`,
        value: median(textbook),
      },
      goal: { limit: 3, ratio: true },
    },
    {
      name: 'textbook pipeline end to end (median)',
      value: median(textbook),
      spread: spread(textbook),
      unit: 'events/s',
      better: 'higher',
      baseline: { name: 'BullMQ no-op jobs/s (concurrency 50, same Redis)', value: noop },
    },
    {
      name: 'webhooks accepted (202 answered, median)',
      value: median(product.map((p) => p.acceptedRate)),
      spread: spread(product.map((p) => p.acceptedRate)),
      unit: 'events/s',
      better: 'higher',
    },
  ];
}

function cpuFigures(product: readonly ProductRun[], baseline: readonly PipelineRun[], total: number): Figure[] {
  const perEvent = (runs: readonly PipelineRun[], name: string) =>
    runs.reduce((sum, r) => sum + (r.cpuMs.get(name) ?? 0), 0) / (runs.length * total);
  const rows = PROCESSES.map((name) => ({
    name: `CPU per event: ${name}`,
    value: perEvent(product, name),
    unit: 'ms',
    better: 'lower' as const,
    baseline: { name: `textbook pipeline, CPU per event: ${name}`, value: perEvent(baseline, name) },
  }));
  const all = (runs: readonly PipelineRun[]) => PROCESSES.reduce((s, n) => s + perEvent(runs, n), 0);
  return [
    ...rows,
    {
      name: 'CPU per event: all four',
      value: all(product),
      unit: 'ms',
      better: 'lower',
      baseline: { name: 'textbook pipeline, CPU per event: all four', value: all(baseline) },
    },
  ];
}

function rssFigures(product: readonly ProductRun[]): Figure[] {
  const mb = (b: number) => b / 1024 / 1024;
  const rss = product.flatMap((p) => p.rss);
  return [
    { name: 'worker RSS at start', value: mb(rss[0]!), unit: 'MiB', better: 'lower' },
    { name: 'worker RSS peak', value: mb(Math.max(...rss)), unit: 'MiB', better: 'lower' },
    { name: 'worker RSS at end', value: mb(rss.at(-1)!), unit: 'MiB', better: 'lower' },
  ];
}

async function waitForRows(db: Database, rows: number): Promise<void> {
  for (;;) {
    const [r] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM standing_events');
    if (r!.n >= rows) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function bullmqNoopRate(ctx: BenchContext, prefix: string): Promise<number> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('noop', { connection, prefix });
  const jobs = scaled(ctx, 20_000, 500);
  try {
    for (let i = 0; i < jobs; i += 1000)
      await queue.addBulk(
        Array.from({ length: Math.min(1000, jobs - i) }, (_, j) => ({
          name: 'noop',
          data: { i: i + j },
          opts: { removeOnComplete: true },
        })),
      );
    let done = 0;
    const t0 = performance.now();
    const worker = new Worker('noop', async () => undefined, { connection, prefix, concurrency: 50 });
    await new Promise<void>((resolve) => worker.on('completed', () => ++done === jobs && resolve()));
    const rate = jobs / (elapsedMs(t0) / 1000);
    await worker.close();
    return rate;
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    connection.disconnect();
  }
}

function serviceEnv(ctx: BenchContext, schema: string, prefix: string, session: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: `${ctx.url}${ctx.url.includes('?') ? '&' : '?'}application_name=${session}`,
    DATABASE_SCHEMA: schema,
    REDIS_URL,
    STANDING_QUEUE_PREFIX: prefix,
    HOST: '127.0.0.1',
    STANDING_MASTER_KEY: randomBytes(32).toString('base64'),
    STANDING_OPERATOR_TOKEN: randomBytes(24).toString('hex'),
    STANDING_DATA_DIR: `/tmp/${schema}`,
    ZENDESK_SUBDOMAIN: 'bench',
    ZENDESK_WEBHOOK_SECRET: SECRET,
    LOG_LEVEL: 'warn',
  };
}
