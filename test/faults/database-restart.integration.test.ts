/**
 * A PostgreSQL restart, as the application sees it: every session of ours is terminated
 * (pg_terminate_backend) and, for a while, no new connection gets through. A worker process and an
 * API process keep running; the API answers 503 with Retry-After meanwhile and logs the outage
 * once; afterwards everything drains, each accepted event stored once. The second test does it
 * during a load: no ack while the database is down, every acked event stored once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseConfig } from '../../connector/config/config.ts';
import type { ServiceHandle } from '../../connector/app/service.ts';
import { startStanding } from '../../connector/app/standing.ts';
import { TEST_DATABASE_URL } from '../support/databases.ts';
import { intakeEnv, postWebhook, waitFor, type IntakeEnv, stopIntakeService } from '../support/intake-harness.ts';
import { sendUntilAcked, userDeactivated as userEvent } from '../support/load.ts';
import { sourceEventDigests } from '../support/source-events.ts';

const RUNNER = fileURLToPath(new URL('../support/run-standing.ts', import.meta.url));
const APP = `standing-restart-${randomBytes(4).toString('hex')}`;
const run = `${Date.now()}`;

/** A TCP relay to PostgreSQL that can refuse new connections, as a server that is restarting does. */
class Relay {
  down = false;
  private readonly sockets = new Set<Socket>();
  readonly server: Server;
  constructor(target: URL) {
    this.server = createServer((client) => {
      if (this.down) {
        client.destroy();
        return;
      }
      const upstream = connect(Number(target.port || 5432), target.hostname);
      for (const [a, b] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        this.sockets.add(a);
        a.on('error', () => b.destroy());
        a.on('close', () => {
          this.sockets.delete(a);
          b.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
  }
  listen(): Promise<number> {
    return new Promise((resolve) =>
      this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as { port: number }).port)),
    );
  }
  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

let relay: Relay;
let env: IntakeEnv;
let api: ServiceHandle;
let worker: ChildProcess;
let workerExit: number | null | undefined;
const logLines: { level: number; msg: string }[] = [];
const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });

beforeAll(async () => {
  const target = new URL(TEST_DATABASE_URL);
  relay = new Relay(target);
  const port = await relay.listen();
  const url = new URL(TEST_DATABASE_URL);
  url.port = String(port);
  url.searchParams.set('application_name', APP);
  env = intakeEnv('zd_pg_restart', {
    DATABASE_URL: url.toString(),
    STANDING_WORKER_CONCURRENCY: '50',
    STANDING_WORKER_BATCH: '20',
  });
  await admin.connect();

  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        logLines.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  });
  const parsed = parseConfig({ ...env.env, STANDING_ROLE: 'api' });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  api = await startStanding(parsed.config, { logger: pino({ level: 'debug' }, sink) });

  worker = spawn(process.execPath, ['--import', 'tsx', RUNNER], {
    env: { ...process.env, ...env.env, STANDING_ROLE: 'worker' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  worker.once('exit', (code) => {
    workerExit = code;
  });
  await new Promise<void>((resolve, reject) => {
    worker.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    worker.once('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
  });
});

afterAll(async () => {
  if (worker && worker.exitCode === null) worker.kill('SIGKILL');
  relay.down = false;
  await stopIntakeService(env, api);
  await relay.close();
  await admin.end();
});

/** What the API's /metrics says of PostgreSQL (`standing_dependency_up`). */
async function databaseUp(): Promise<number> {
  const text = await (
    await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${api.resources.secrets.operatorToken}` } })
  ).text();
  return Number(/^standing_dependency_up\{dependency="database"\} (\d)$/m.exec(text)?.[1]);
}

const post = (ids: string[], from: number) =>
  Promise.all(ids.map((id, i) => postWebhook(api.url, 'default', userEvent(id, from + i))));
// The log keeps a keyed digest of each provider event id, not the id: look the events up by theirs.
const digests = (ids: string[]) => sourceEventDigests(api.resources.secrets.master, 'default', 'zendesk', ids);
const storedCount = async (ids: string[]) =>
  Number(
    (
      await admin.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${env.schema}.standing_events WHERE source_event_id = ANY($1::text[])`,
        [digests(ids)],
      )
    ).rows[0]!.n,
  );

it(
  'a worker and an API process keep running through a PostgreSQL restart and drain afterwards, with 503 ' +
    'answered meanwhile',
  async () => {
    const before = Array.from({ length: 40 }, (_, i) => `before-${run}-${i}`);
    expect(new Set((await post(before, 690_000)).map((r) => r.status))).toEqual(new Set([202]));

    // The restart: no new connections, and every session of ours terminated (batches may be mid-transaction).
    relay.down = true;
    const killed = await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
      [APP],
    );
    expect(killed.rowCount).toBeGreaterThan(0);

    const during = Array.from({ length: 5 }, (_, i) => `during-${run}-${i}`);
    const refused = await post(during, 691_000);
    expect(refused.map((r) => r.status)).toEqual(Array(5).fill(503));
    expect(refused.map((r) => r.headers.get('retry-after'))).toEqual(Array(5).fill('5'));
    expect(((await refused[0]!.json()) as { error: { code: string } }).error.code).toBe('database_unavailable');
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${api.url}/readyz`)).status).toBe(503);

    // Back up. Zendesk retries what got 503.
    relay.down = false;
    await waitFor(
      'webhooks accepted again',
      async () => (await postWebhook(api.url, 'default', userEvent(during[0]!, 691_000))).status === 202,
    );
    const after = [...during.slice(1), ...Array.from({ length: 10 }, (_, i) => `after-${run}-${i}`)];
    expect(new Set((await post(after, 691_001)).map((r) => r.status))).toEqual(new Set([202]));

    const all = [...before, ...during, ...after.slice(during.length - 1)];
    await waitFor('everything drained', async () => (await storedCount(all)) === all.length, 45_000);
    expect(workerExit).toBeUndefined();
    expect(worker.exitCode).toBeNull();
    const distinct = await admin.query<{ n: string }>(
      `SELECT count(DISTINCT source_event_id) AS n FROM ${env.schema}.standing_events
      WHERE source_event_id = ANY($1::text[])`,
      [digests(all)],
    );
    expect(Number(distinct.rows[0]!.n)).toBe(all.length);

    // The API logged the outage once and its end once, not a line per refused request.
    expect(logLines.filter((l) => l.msg.startsWith('database unavailable'))).toHaveLength(1);
    expect(logLines.filter((l) => l.msg === 'database available again')).toHaveLength(1);
    expect(logLines.filter((l) => l.level >= 40 && /^POST \S+ 503/.test(l.msg))).toEqual([]);
  },
  60_000,
);

it(
  'a PostgreSQL restart during a load: no ack while it is down, every acked event stored once afterwards, both ' +
    'roles recover',
  async () => {
    const ids = Array.from({ length: 600 }, (_, i) => `load-${run}-${i}`);
    const acksAt: number[] = [];
    const started = Date.now();
    const load = sendUntilAcked(ids, {
      url: () => api.url,
      post: async (url, id, i) => {
        const status = (await postWebhook(url, 'default', userEvent(id, 692_000 + i))).status;
        if (status < 300) acksAt.push(Date.now());
        return status;
      },
      concurrency: 10,
      retryDelayMs: 300,
    });
    await waitFor('some stored', async () => (await storedCount(ids)) >= 50, 60_000);
    relay.down = true;
    const downAt = Date.now();
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [APP]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await databaseUp()).toBe(0);
    const upAt = Date.now();
    relay.down = false;
    const tally = await load;
    const loadDone = Date.now();
    // Requests already past their commit may be answered just after the cut; none later.
    expect(acksAt.filter((t) => t > downAt + 500 && t < upAt)).toEqual([]);
    expect(tally.acked.size).toBe(ids.length);
    await waitFor('everything drained', async () => (await storedCount(ids)) >= ids.length, 60_000);
    const drainMs = Date.now() - loadDone;
    const distinct = await admin.query<{ n: string }>(
      `SELECT count(DISTINCT source_event_id) AS n FROM ${env.schema}.standing_events
      WHERE source_event_id = ANY($1::text[])`,
      [digests(ids)],
    );
    expect(Number(distinct.rows[0]!.n)).toBe(ids.length);
    expect(await storedCount(ids)).toBe(ids.length);
    expect(worker.exitCode).toBeNull();
    expect(await databaseUp()).toBe(1);
    console.log(
      `postgres restart during load: ${ids.length} acked, ${ids.length} stored, 0 doubled; down ` +
        `${upAt - downAt} ms with 0 acks; ` +
        `${tally.failures} refused attempts retried (${JSON.stringify(Object.fromEntries(tally.statuses))}); ` +
        `load ${loadDone - started} ms, drain ${drainMs} ms`,
    );
  },
  120_000,
);
