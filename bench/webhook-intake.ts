/**
 * End to end, signed webhook in -> log row committed, through the real service (HTTP, inbox,
 * BullMQ, worker, log) running in a child process against this machine's PostgreSQL and Redis.
 *
 * - throughput: N signed webhooks sent with bounded concurrency; events/s from the first request
 *   until the last log row is committed, beside the textbook pipeline (textbook-baseline.ts) fed
 *   the same deliveries. Goal: >= 3x the textbook pipeline.
 * - latency: open-loop 1,000 requests/s (the goal: p99 <= 2x /healthz's) and 500 requests/s, 10 s each;
 *   p50/p99 of the webhook answer beside /healthz at the same rate.
 * - worker memory: the worker process's RSS sampled during the throughput run (steady = no growth).
 * The service runs as deployed at scale: one API process (STANDING_ROLE=api) and one worker process
 * (STANDING_ROLE=worker). Bodies are built and signed before the clock starts, so the load
 * generator (this process, on the same 2 cores) spends its time on HTTP only, through a minimal
 * client of pre-serialized requests (load-client.ts) so that it takes little of the service's CPU.
 * Baselines (same run): BullMQ no-op processing rate (concurrency 50), and /healthz latency at the
 * same request rate (what the HTTP stack alone costs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { signZendeskWebhook } from '../connector/zendesk/webhook-signature.ts';
import { openDatabase, type Database } from '../connector/store/database.ts';
import { LoadClient, serializeRequest } from './load-client.ts';
import { textbookRate } from './textbook-baseline.ts';
import { elapsedMs, scaled, summarize, type BenchContext, type Benchmark, type Figure } from './harness.ts';

const MAIN = fileURLToPath(new URL('../connector/main.ts', import.meta.url));
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = randomBytes(32).toString('base64');

export const webhookIntake: Benchmark = {
  name: 'intake',
  description: 'signed Zendesk webhook -> inbox -> BullMQ -> worker -> log, end to end',
  async run(ctx) {
    const schema = `${ctx.schema}_intake`;
    const prefix = `bench-${schema}`;
    const port = await freePort();
    const env = serviceEnv(ctx, schema, prefix);
    const api = await startService(env, 'api', port);
    const service = await startService(env, 'worker', await freePort());
    const db = await openDatabase({ url: ctx.url, schema });
    const client = new LoadClient(port);
    const healthz = serializeRequest('GET', '/healthz', {});
    const figures: Figure[] = [];
    try {
      const noop = await bullmqNoopRate(ctx, `${prefix}-noop`);
      const total = scaled(ctx, 100_000, 1000);
      ctx.progress(`intake: signing ${total.toLocaleString('en-US')} webhooks`);
      const deliveries = Array.from({ length: total }, (_, i) => signed(body(`tp-${i}`, i)));
      ctx.progress(`intake: sending ${total.toLocaleString('en-US')} signed webhooks`);
      const rss: number[] = [rssOf(service)];
      const sampler = setInterval(() => rss.push(rssOf(service)), 1000);
      const t0 = performance.now();
      let sent = 0;
      const sendAll = async () => {
        const inFlight = 64;
        await Promise.all(
          Array.from({ length: inFlight }, async () => {
            while (sent < total) {
              const i = sent++;
              const r = await client.send(deliveries[i]!);
              if (r.status !== 202 && r.status !== 200) throw new Error(`webhook answered ${r.status}`);
            }
          }),
        );
      };
      await sendAll();
      const acceptedMs = elapsedMs(t0);
      await waitUntil(async () => (await count(db, 'SELECT count(*) AS n FROM standing_events')) >= total, 600_000);
      const endToEndMs = elapsedMs(t0);
      clearInterval(sampler);
      rss.push(rssOf(service));
      const settled = await count(db, "SELECT count(*) AS n FROM intake_inbox WHERE state = 'stored'");
      if (settled !== total) ctx.note(`intake: ${total - settled} events not settled as stored at the end of the run`);

      ctx.progress(
        `intake: the textbook pipeline (express -> one BullMQ job per webhook -> one INSERT per job), same ` +
          `${total.toLocaleString('en-US')} deliveries`,
      );
      const textbook = await textbookRate({
        db,
        databaseUrl: ctx.url,
        schema,
        redisUrl: REDIS_URL,
        prefix: `${prefix}-textbook`,
        secret: SECRET,
        port: await freePort(),
        deliveries,
        inFlight: 64,
      });

      ctx.progress(
        'intake: open-loop 1,000 then 500 requests/s for 10 s each (/healthz as the baseline, then webhooks)',
      );
      const seconds = Math.max(2, Math.round(10 * Math.min(ctx.scale, 1)));
      // The goal's rate, and half of it: where the answer time stands relative to the API's capacity.
      const latency: Figure[] = [];
      let n = 0;
      for (const rate of [1000, 500]) {
        const health = summarize(await openLoop(rate, seconds, () => client.send(healthz)));
        const timed = Array.from({ length: rate * seconds }, () => signed(body(`lat-${n}`, total + n++)));
        const hooks = summarize(await openLoop(rate, seconds, (i) => client.send(timed[i]!)));
        latency.push(
          {
            name: `webhook answer p50 at ${rate}/s`,
            value: hooks.p50,
            unit: 'ms',
            better: 'lower',
            baseline: { name: `/healthz p50 at ${rate}/s`, value: health.p50 },
          },
          {
            name: `webhook answer p99 at ${rate}/s`,
            value: hooks.p99,
            unit: 'ms',
            better: 'lower',
            baseline: { name: `/healthz p99 at ${rate}/s`, value: health.p99 },
            // The goal: at most twice /healthz's p99 at the same rate, in the same run.
            ...(rate === 1000 ? { goal: { limit: 2, ratio: true } } : {}),
          },
        );
      }
      const mb = (b: number) => b / 1024 / 1024;
      figures.push(
        {
          name: `end to end, ${total.toLocaleString('en-US')} events`,
          value: total / (endToEndMs / 1000),
          unit: 'events/s',
          better: 'higher',
          baseline: {
            name:
              'textbook pipeline end to end: express -> 1 BullMQ job per webhook -> 1 INSERT per job (same ' +
              'run, PostgreSQL, Redis)',
            value: textbook,
          },
          goal: { limit: 3, ratio: true },
        },
        {
          name: 'textbook pipeline end to end',
          value: textbook,
          unit: 'events/s',
          better: 'higher',
          baseline: { name: 'BullMQ no-op jobs/s (concurrency 50, same Redis)', value: noop },
        },
        {
          name: 'webhooks accepted (202 answered)',
          value: total / (acceptedMs / 1000),
          unit: 'events/s',
          better: 'higher',
        },
        ...latency,
        { name: 'worker RSS at start', value: mb(rss[0]!), unit: 'MiB', better: 'lower' },
        { name: 'worker RSS peak', value: mb(Math.max(...rss)), unit: 'MiB', better: 'lower' },
        { name: 'worker RSS at end', value: mb(rss.at(-1)!), unit: 'MiB', better: 'lower' },
      );
      ctx.note(
        'intake: one API process and one worker process, the load generator (this process), PostgreSQL and ' +
          'Redis share the 2 cores; bodies signed before timing.',
      );
    } finally {
      client.close();
      for (const child of [api, service]) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      await db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await db.close();
      await dropPrefix(prefix);
    }
    return figures;
  },
};

function body(id: string, n: number) {
  const user = String(1_000_000 + (n % 20_000));
  return JSON.stringify({
    type: 'zen:event-type:user.active_changed',
    account_id: 1,
    id: `${id}-${randomBytes(4).toString('hex')}`,
    time: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString().replace('.000Z', 'Z'),
    zendesk_event_version: '2022-06-20',
    subject: `zen:user:${user}`,
    detail: {
      id: user,
      email: `bench${user}@example.com`,
      role: 'end-user',
      external_id: '',
      organization_id: '0',
      created_at: '2025-01-08T10:12:42Z',
      updated_at: '2026-01-01T00:00:00Z',
    },
    event: n % 2 === 0 ? { current: false, previous: true } : { current: true, previous: false },
  });
}

const WEBHOOK_PATH = '/webhooks/zendesk/default';

/** A signed delivery, serialized for the wire before the clock starts. */
function signed(raw: string): Buffer {
  const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return serializeRequest(
    'POST',
    WEBHOOK_PATH,
    {
      'content-type': 'application/json',
      'x-zendesk-webhook-signature-timestamp': timestamp,
      'x-zendesk-webhook-signature': signZendeskWebhook(SECRET, timestamp, raw),
    },
    raw,
  );
}

/** Starts a request every 1/rate s regardless of answers (open loop), returning each latency. */
async function openLoop(
  rate: number,
  seconds: number,
  fire: (i: number) => Promise<{ status: number }>,
): Promise<number[]> {
  const total = rate * seconds;
  const samples: Promise<number>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    samples.push(fire(i).then(() => elapsedMs(t0)));
  }
  return Promise.all(samples);
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

function serviceEnv(ctx: BenchContext, schema: string, prefix: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: ctx.url,
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

async function startService(env: NodeJS.ProcessEnv, role: 'api' | 'worker', port: number): Promise<ChildProcess> {
  // BENCH_CPU_PROF_DIR=dir writes a V8 CPU profile of each service process there when it exits.
  const profile = process.env.BENCH_CPU_PROF_DIR
    ? [`--cpu-prof`, `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}/${role}`]
    : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', MAIN], {
    env: { ...env, STANDING_ROLE: role, PORT: String(port) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const probe = new LoadClient(port, 1);
  const readyz = serializeRequest('GET', '/readyz', {});
  try {
    await waitUntil(async () => (await probe.send(readyz).catch(() => ({ status: 0 }))).status === 200, 60_000);
  } finally {
    probe.close();
  }
  return child;
}

function rssOf(child: ChildProcess): number {
  try {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

async function count(db: Database, sql: string): Promise<number> {
  return Number((await db.query<{ n: number }>(sql))[0]!.n);
}

async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function dropPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
