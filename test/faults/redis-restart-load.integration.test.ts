/**
 * Redis killed (SIGKILL) and restarted during a load, with AOF (appendfsync always) and with no
 * persistence at all. A private redis-server child (the shared one serves other suites). The api,
 * worker and scheduler keep running and reconnect by themselves; webhooks keep being acked (the
 * inbox commit is what the answer waits for) and say so in /readyz and /metrics meanwhile; the
 * sweeper re-enqueues what Redis lost. Counted:
 * every acked event stored once; the time to drain is printed.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceHandle } from '../../connector/app/service.ts';
import {
  intakeEnv,
  postWebhook,
  startIntakeService,
  stopIntakeService,
  waitFor,
  type IntakeEnv,
} from '../support/intake-harness.ts';
import { sendUntilAcked, userDeactivated } from '../support/load.ts';
import { freePort, startPrivateRedis } from '../support/private-redis.ts';
import { sourceEventDigests } from '../support/source-events.ts';

const run = `${Date.now()}`;

const startRedis = (port: number, dir: string, aof: boolean) => startPrivateRedis(port, { dir, aof });

/** What the process's /metrics says of Redis (`standing_dependency_up`). */
async function redisUp(s: ServiceHandle): Promise<number> {
  const text = await (
    await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${s.resources.secrets.operatorToken}` } })
  ).text();
  return Number(/^standing_dependency_up\{dependency="redis"\} (\d)$/m.exec(text)?.[1]);
}

describe.each([
  { aof: true, label: 'AOF' },
  { aof: false, label: 'no persistence' },
])('Redis restarted during a load ($label)', ({ aof }) => {
  let port: number;
  let dir: string;
  let redis: ChildProcess;
  let env: IntakeEnv;
  const services: ServiceHandle[] = [];

  beforeAll(async () => {
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'standing-redis-'));
    redis = await startRedis(port, dir, aof);
    env = intakeEnv(`fault_redis_${aof ? 'aof' : 'none'}`, {
      REDIS_URL: `redis://127.0.0.1:${port}`,
      STANDING_SWEEP_INTERVAL_MS: '500',
      STANDING_SWEEP_PENDING_MS: '1000',
      STANDING_WORKER_CONCURRENCY: '100',
      STANDING_WORKER_BATCH: '50',
      // With AOF, jobs active at the crash come back locked to a worker connection that is gone:
      // they wait out the lock and the stalled check (up to twice this) before another run.
      STANDING_WORKER_LOCK_MS: '4000',
    });
    for (const role of ['api', 'worker', 'scheduler'])
      services.push(await startIntakeService({ ...env, env: { ...env.env, STANDING_ROLE: role } }));
  }, 60_000);

  afterAll(async () => {
    // The private Redis goes with its keys: nothing to remove from the shared one.
    await stopIntakeService({ ...env, prefix: `${env.prefix}-none` }, ...services);
    redis.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('every acked event is stored once; every process recovers without a restart', async () => {
    const [api, worker] = services as [ServiceHandle, ServiceHandle, ServiceHandle];
    const ids = Array.from({ length: 800 }, (_, i) => `redis-${aof ? 'aof' : 'none'}-${run}-${i}`);
    // The log keeps a keyed digest of each provider event id, not the id: look the events up by
    // theirs (computed on each call: `ids` grows by one below).
    const digests = () => sourceEventDigests(api.resources.secrets.master, 'default', 'zendesk', ids);
    const stored = async () =>
      Number(
        (
          await api.resources.db.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM standing_events WHERE source_event_id = ANY($1::text[])',
            [digests()],
          )
        )[0]!.n,
      );
    const started = Date.now();
    const load = sendUntilAcked(ids, {
      url: () => api.url,
      post: async (url, id, i) => (await postWebhook(url, 'default', userDeactivated(id, 740_000 + i))).status,
      concurrency: 10,
    });

    await waitFor('some stored', async () => (await stored()) >= 50, 60_000);
    const exited = once(redis, 'exit');
    redis.kill('SIGKILL');
    await exited;
    const storedAtKill = await stored();
    await new Promise((r) => setTimeout(r, 1500));
    // Acks go on while Redis is down: the inbox commit is what they wait for.
    expect((await postWebhook(api.url, 'default', userDeactivated(`redis-down-${aof}-${run}`, 749_999))).status).toBe(
      202,
    );
    ids.push(`redis-down-${aof}-${run}`);
    expect((await fetch(`${worker.url}/readyz`)).status).toBe(503);
    expect(await redisUp(worker)).toBe(0);
    redis = await startRedis(port, dir, aof);

    const tally = await load;
    const loadDone = Date.now();
    expect(tally.acked.size).toBe(ids.length - 1);
    await waitFor('every acked event stored', async () => (await stored()) >= ids.length, 90_000);
    const drainMs = Date.now() - loadDone;
    expect(await stored()).toBe(ids.length);
    const [distinct] = await api.resources.db.query<{ n: number }>(
      'SELECT count(DISTINCT source_event_id)::int AS n FROM standing_events WHERE source_event_id = ANY($1::text[])',
      [digests()],
    );
    expect(distinct!.n).toBe(ids.length);
    for (const s of services)
      await waitFor('ready again', async () => (await fetch(`${s.url}/readyz`)).status === 200, 30_000);
    expect(await redisUp(worker)).toBe(1);
    console.log(
      `redis SIGKILL + restart (${aof ? 'AOF, appendfsync always' : 'no persistence'}): ${ids.length} acked, ` +
        `${ids.length} stored, 0 doubled; ` +
        `${storedAtKill} stored at the kill; ${tally.failures} refused attempts retried; load ` +
        `${loadDone - started} ms, drain ${drainMs} ms`,
    );
  }, 180_000);
});
