/**
 * The sweeper re-enqueues only events whose job is really gone, recovers from a Redis that lost
 * its data (FLUSHALL) without a restart, and purges settled payloads in indexed batches.
 */
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntakeInbox } from '../../connector/intake/intake-inbox.ts';
import type { ServiceHandle } from '../../connector/app/service.ts';
import { createIntakeQueue, INTAKE_QUEUE_NAME } from '../../queue/intake-queue.ts';
import { sweepPendingIntake } from '../../queue/intake-sweeper.ts';
import {
  REDIS_URL,
  intakeEnv,
  postWebhook,
  startIntakeService,
  waitFor,
  type IntakeEnv,
  stopIntakeService,
} from '../support/intake-harness.ts';
import { userDeactivated as userEvent } from '../support/load.ts';
import { freePort, startPrivateRedis } from '../support/private-redis.ts';
import { sourceEventDigests } from '../support/source-events.ts';

const run = `${Date.now()}`;

describe('which events the sweeper re-enqueues', () => {
  let env: IntakeEnv;
  let api: ServiceHandle;
  beforeAll(async () => {
    env = intakeEnv('zd_sweep_backoff', { STANDING_ROLE: 'api' });
    api = await startIntakeService(env);
  });
  afterAll(async () => {
    await stopIntakeService(env, api);
  });

  it('a job in backoff is not doubled by the sweeper; a job that is gone is re-enqueued', async () => {
    const id = `backoff-${run}`;
    expect((await postWebhook(api.url, 'default', userEvent(id, 680_001))).status).toBe(202);
    await api.resources.db.query(
      "UPDATE intake_inbox SET received_at = now() - interval '10 minutes' WHERE event_id = $1",
      [id],
    );

    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const queue = createIntakeQueue({ connection, prefix: env.prefix });
    const taker = new Worker(INTAKE_QUEUE_NAME, null, { connection, prefix: env.prefix });
    const inbox = new IntakeInbox(api.resources.db);
    try {
      await waitFor('the job queued', async () => (await queue.getWaitingCount()) === 1);
      expect(await sweepPendingIntake(inbox, queue, 120_000, 100)).toBe(0);

      // A worker takes the job and it fails transiently: BullMQ holds it in backoff (delayed).
      const job = (await taker.getNextJob('test-token'))!;
      // A fresh event travels in a batch job (intake-queue.ts): this one carries only it.
      expect(job.data).toEqual({ keys: [{ tenant: 'default', source: 'zendesk', event_id: id }] });
      await job.moveToFailed(new Error('transient failure for the test'), 'test-token');
      expect(await job.getState()).toBe('delayed');
      expect(await sweepPendingIntake(inbox, queue, 120_000, 100)).toBe(0);
      expect(await queue.getJobCounts('waiting', 'delayed')).toEqual({ waiting: 0, delayed: 1 });

      // Gone (Redis lost it): now the sweeper re-enqueues it, once.
      await job.remove();
      expect(await sweepPendingIntake(inbox, queue, 120_000, 100)).toBe(1);
      expect(await sweepPendingIntake(inbox, queue, 120_000, 100)).toBe(0);
      expect(await queue.getJobCounts('waiting', 'delayed')).toEqual({ waiting: 1, delayed: 0 });
    } finally {
      await taker.close();
      await queue.close();
      await inbox.close();
      connection.disconnect();
    }
  });

  it('re-enqueues at most the configured number of events per sweep', async () => {
    const ids = Array.from({ length: 5 }, (_, i) => `bounded-${run}-${i}`);
    for (const [i, id] of ids.entries())
      expect((await postWebhook(api.url, 'default', userEvent(id, 681_000 + i))).status).toBe(202);
    await api.resources.db.query(
      "UPDATE intake_inbox SET received_at = now() - interval '10 minutes' WHERE event_id = ANY($1::text[])",
      [ids],
    );
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const queue = createIntakeQueue({ connection, prefix: env.prefix });
    const inbox = new IntakeInbox(api.resources.db);
    try {
      await waitFor('jobs queued', async () => (await queue.getWaitingCount()) >= ids.length);
      await queue.obliterate({ force: true });
      expect(await sweepPendingIntake(inbox, queue, 120_000, 2)).toBe(2);
      expect(await queue.getWaitingCount()).toBe(2);
    } finally {
      await queue.close();
      await inbox.close();
      connection.disconnect();
    }
  });

  it('purges settled payloads past retention in batches, through an index', async () => {
    const db = api.resources.db;
    await db.query(
      `INSERT INTO intake_inbox (tenant, source, event_id, body, state, processed_at)
       SELECT 'default', 'zendesk', 'purge-' || $1 || '-' || n, '{}', 'stored', now() - interval '40 days'
         FROM generate_series(1, 25) AS n`,
      [run],
    );
    const inbox = new IntakeInbox(db);
    try {
      expect(await inbox.purgeSettled(30, { batchSize: 10 })).toBe(25);
    } finally {
      await inbox.close();
    }
    const plan = await db.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      return tx.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT 1 FROM intake_inbox WHERE state IN ('stored', 'ignored')
          AND processed_at < now() - make_interval(days => 30) ORDER BY processed_at LIMIT 10`,
      );
    });
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain('intake_inbox_settled');
  });
});

describe('Redis losing its data', () => {
  let redisServer: ChildProcess;
  let redisPort: number;
  let redisUrl: string;
  let env: IntakeEnv;
  let api: ServiceHandle;
  let worker: ServiceHandle;
  let scheduler: ServiceHandle;

  beforeAll(async () => {
    // A Redis of this test's own: FLUSHALL on the shared one would wipe other suites' queues.
    const port = await freePort();
    redisPort = port;
    redisServer = await startRedis(port);
    redisUrl = `redis://127.0.0.1:${port}`;
    env = intakeEnv('zd_sweep_flush', {
      REDIS_URL: redisUrl,
      STANDING_SWEEP_INTERVAL_MS: '300',
      STANDING_SWEEP_PENDING_MS: '0',
    });
    api = await startIntakeService({ ...env, env: { ...env.env, STANDING_ROLE: 'api' } });
    worker = await startIntakeService({ ...env, env: { ...env.env, STANDING_ROLE: 'worker' } });
    // The sweeper runs in the scheduler role.
    scheduler = await startIntakeService({ ...env, env: { ...env.env, STANDING_ROLE: 'scheduler' } });
  });
  afterAll(async () => {
    // In parallel, and with time to spare: once (in a full suite on a loaded machine) closing the three
    // one after the other outlasted the 60 s hook timeout after the Redis restart below.
    const started = Date.now();
    await Promise.all([api, worker, scheduler].map((s) => s?.close()));
    if (Date.now() - started > 20_000)
      console.warn(`sweeper-recovery: closing the services took ${Date.now() - started} ms`);
    await stopIntakeService({ ...env, prefix: `${env.prefix}-none` });
    redisServer?.kill();
  }, 150_000);

  /** A Redis of this test's own (no persistence: a restart loses everything). */
  const startRedis = (port: number) => startPrivateRedis(port);

  it('a Redis FLUSHALL with events pending in the inbox is recovered by the sweeper without a restart', async () => {
    const redis = new Redis(redisUrl);
    const queue = new Queue(INTAKE_QUEUE_NAME, { connection: redis, prefix: env.prefix });
    try {
      // Hold processing so the events are still pending when Redis loses everything.
      await queue.pause();
      const ids = Array.from({ length: 20 }, (_, i) => `flushed-${run}-${i}`);
      const statuses = await Promise.all(
        ids.map((id, i) => postWebhook(api.url, 'default', userEvent(id, 682_000 + i)).then((r) => r.status)),
      );
      expect(new Set(statuses)).toEqual(new Set([202]));
      // Fresh events travel in batch jobs: count the events the waiting jobs carry.
      const queuedEvents = async () =>
        (await queue.getWaiting()).reduce((n, j) => n + ((j.data as { keys?: unknown[] }).keys?.length ?? 1), 0);
      await waitFor('jobs queued', async () => (await queuedEvents()) >= ids.length);
      expect(
        await api.resources.db.query(
          "SELECT 1 FROM intake_inbox WHERE state = 'pending' AND event_id = ANY($1::text[])",
          [ids],
        ),
      ).toHaveLength(ids.length);
      expect((await fetch(`${scheduler.url}/readyz`)).status).toBe(200);

      await redis.flushall();

      const stored = async () =>
        Number(
          (
            await api.resources.db.query<{ n: number }>(
              "SELECT count(*) AS n FROM intake_inbox WHERE state = 'stored' AND event_id = ANY($1::text[])",
              [ids],
            )
          )[0]!.n,
        );
      await waitFor('every event stored', async () => (await stored()) === ids.length);
      // The log keeps a keyed digest of each provider event id, not the id: look the events up by theirs.
      const digests = sourceEventDigests(api.resources.secrets.master, 'default', 'zendesk', ids);
      expect(
        Number(
          (
            await api.resources.db.query<{ n: number }>(
              'SELECT count(*) AS n FROM standing_events WHERE source_event_id = ANY($1::text[])',
              [digests],
            )
          )[0]!.n,
        ),
      ).toBe(ids.length);
      // The sweeper's own check is ok at once. The scheduler's other schedules (compliance: checkpoints,
      // retention, SIEM push) went with the FLUSHALL too; their check re-creates them within 10 s, and
      // readiness says 503 until then.
      const ready = await fetch(`${scheduler.url}/readyz`);
      expect(((await ready.json()) as { checks: Record<string, string> }).checks.sweeper).toBe('ok');
      await waitFor(
        'the scheduler ready again',
        async () => (await fetch(`${scheduler.url}/readyz`)).status === 200,
        20_000,
      );
      const readyAgain = await fetch(`${scheduler.url}/readyz`);
      expect(readyAgain.status).toBe(200);
      expect(((await readyAgain.json()) as { checks: Record<string, string> }).checks).toMatchObject({
        sweeper: 'ok',
        compliance: 'ok',
      });
    } finally {
      await queue.close();
      redis.disconnect();
    }
  }, 45_000);

  it('a Redis restart without persistence: every process keeps running and the pending events are stored', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `restart-${run}-${i}`);
    redisServer.kill('SIGKILL');
    await new Promise((resolve) => redisServer.once('exit', resolve));
    // Accepted while Redis is down: the inbox commit is what the answer waits for.
    const statuses = await Promise.all(
      ids.map((id, i) => postWebhook(api.url, 'default', userEvent(id, 683_000 + i)).then((r) => r.status)),
    );
    expect(new Set(statuses)).toEqual(new Set([202]));
    expect((await fetch(`${scheduler.url}/readyz`)).status).toBe(503);

    redisServer = await startRedis(redisPort);
    const stored = async () =>
      Number(
        (
          await api.resources.db.query<{ n: number }>(
            "SELECT count(*) AS n FROM intake_inbox WHERE state = 'stored' AND event_id = ANY($1::text[])",
            [ids],
          )
        )[0]!.n,
      );
    await waitFor('every event stored', async () => (await stored()) === ids.length, 30_000);
    await waitFor('ready again', async () => (await fetch(`${scheduler.url}/readyz`)).status === 200);
    expect((await fetch(`${api.url}/readyz`)).status).toBe(200);
  }, 45_000);
});
