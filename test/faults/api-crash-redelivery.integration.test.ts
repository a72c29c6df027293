/**
 * Real processes under load, each run counting acked against stored:
 * - the API process killed with SIGKILL mid-load (requests in flight are lost; the sender retries
 *   what was not acked, as Zendesk does; an event committed but not enqueued is found by the sweeper);
 * - every webhook delivered three times, concurrently.
 * Both: 0 acked events lost, 0 doubled; the time to drain is printed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
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
import { sourceEventDigests } from '../support/source-events.ts';

const RUNNER = fileURLToPath(new URL('../support/run-standing.ts', import.meta.url));
const run = `${Date.now()}`;

let env: IntakeEnv;
let worker: ServiceHandle;
let scheduler: ServiceHandle;
const children: ChildProcess[] = [];

function startApi(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', RUNNER], {
    env: { ...process.env, ...env.env, STANDING_ROLE: 'api' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const m = /ready (\S+)/.exec(chunk.toString());
      if (m) resolve({ child, url: m[1]! });
    });
    child.once('exit', (code) => reject(new Error(`api exited early with ${code}`)));
  });
}

beforeAll(async () => {
  // The sweeper re-enqueues what a killed API committed but never enqueued.
  env = intakeEnv('fault_api_kill', {
    STANDING_SWEEP_INTERVAL_MS: '500',
    STANDING_SWEEP_PENDING_MS: '1000',
    STANDING_WORKER_CONCURRENCY: '100',
    STANDING_WORKER_BATCH: '50',
  });
  worker = await startIntakeService({ ...env, env: { ...env.env, STANDING_ROLE: 'worker' } });
  scheduler = await startIntakeService({ ...env, env: { ...env.env, STANDING_ROLE: 'scheduler' } });
}, 60_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await stopIntakeService(env, worker, scheduler);
});

const db = () => worker.resources.db;
const countOf = async (sql: string, ids: string[]) => Number((await db().query<{ n: number }>(sql, [ids]))[0]!.n);
// The log keeps a keyed digest of each provider event id, not the id: look the events up by theirs.
const digests = (ids: string[]) => sourceEventDigests(worker.resources.secrets.master, 'default', 'zendesk', ids);
const stored = (ids: string[]) =>
  countOf('SELECT count(*)::int AS n FROM standing_events WHERE source_event_id = ANY($1::text[])', digests(ids));
const storedDistinct = (ids: string[]) =>
  countOf(
    'SELECT count(DISTINCT source_event_id)::int AS n FROM standing_events WHERE source_event_id = ANY($1::text[])',
    digests(ids),
  );

it('the API killed with SIGKILL mid-load: every acked event stored once', async () => {
  const ids = Array.from({ length: 1500 }, (_, i) => `apikill-${run}-${i}`);
  let api = await startApi();
  const started = Date.now();
  const load = sendUntilAcked(ids, {
    url: () => api.url,
    post: async (url, id, i) => (await postWebhook(url, 'default', userDeactivated(id, 720_000 + i))).status,
    concurrency: 20,
  });
  await waitFor('some acked', async () => (await stored(ids)) >= 100 || null, 60_000);
  const exited = once(api.child, 'exit');
  api.child.kill('SIGKILL');
  await exited;
  const storedAtKill = await stored(ids);
  api = await startApi();
  const tally = await load;
  const loadDone = Date.now();
  expect(tally.acked.size).toBe(ids.length);

  await waitFor('every acked event stored', async () => (await stored(ids)) >= ids.length, 90_000);
  const drainMs = Date.now() - loadDone;
  expect(await stored(ids)).toBe(ids.length);
  expect(await storedDistinct(ids)).toBe(ids.length);
  expect((await worker.resources.log.verify('default')).ok).toBe(true);
  console.log(
    `api SIGKILL: ${ids.length} acked, ${ids.length} stored, 0 doubled; ${storedAtKill} stored at the kill; ` +
      `${tally.failures} failed attempts retried (${JSON.stringify(Object.fromEntries(tally.statuses))}); ` +
      `load ${loadDone - started} ms, drain ${drainMs} ms`,
  );
}, 180_000);

it('every webhook delivered three times, concurrently: one 202, two 200, stored once', async () => {
  const api = await startApi();
  const ids = Array.from({ length: 300 }, (_, i) => `thrice-${run}-${i}`);
  const started = Date.now();
  const answers: number[][] = [];
  for (let i = 0; i < ids.length; i += 25) {
    const chunk = ids.slice(i, i + 25);
    answers.push(
      ...(await Promise.all(
        chunk.map(async (id, j) => {
          const body = userDeactivated(id, 730_000 + i + j);
          const statuses = await Promise.all(
            [0, 1, 2].map(async () => (await postWebhook(api.url, 'default', body)).status),
          );
          return statuses.sort();
        }),
      )),
    );
  }
  expect(answers.filter((s) => s.join() !== '200,200,202')).toEqual([]);
  const loadDone = Date.now();
  await waitFor('every event stored', async () => (await stored(ids)) >= ids.length, 60_000);
  expect(await stored(ids)).toBe(ids.length);
  expect(await storedDistinct(ids)).toBe(ids.length);
  expect(
    await countOf(
      "SELECT count(*)::int AS n FROM intake_inbox WHERE event_id = ANY($1::text[]) AND state <> 'stored'",
      ids,
    ),
  ).toBe(0);
  console.log(
    `three deliveries each: ${ids.length * 3} requests, ${ids.length} acked with 202, ${ids.length} stored, ` +
      `0 doubled; load ${loadDone - started} ms, drain ${Date.now() - loadDone} ms`,
  );
}, 120_000);
