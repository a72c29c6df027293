/**
 * Killing a worker process mid-batch (SIGKILL) loses and doubles nothing: jobs it held are stalled,
 * BullMQ hands them to the next worker, and the log dedupes on the source event id.
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
  waitFor,
  type IntakeEnv,
  stopIntakeService,
} from '../support/intake-harness.ts';

const RUNNER = fileURLToPath(new URL('../support/run-standing.ts', import.meta.url));
const EVENTS = 1500;

let env: IntakeEnv;
let api: ServiceHandle;
const children: ChildProcess[] = [];

function startWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', RUNNER], {
    env: {
      ...process.env,
      ...env.env,
      STANDING_ROLE: 'worker',
      STANDING_WORKER_LOCK_MS: '4000',
      STANDING_WORKER_CONCURRENCY: '50',
      STANDING_WORKER_BATCH: '50',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
  });
}

const count = async (sql: string) => Number((await api.resources.db.query<{ n: number }>(sql))[0]!.n);

beforeAll(async () => {
  env = intakeEnv('zd_crash');
  api = await startIntakeService({ ...env, env: { ...env.env, STANDING_ROLE: 'api' } });
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await stopIntakeService(env, api);
});

it('a worker killed mid-batch loses and doubles nothing', async () => {
  const ids = Array.from({ length: EVENTS }, (_, i) => `crash-${Date.now()}-${i}`);
  // Accept everything while no worker runs, so the first worker starts on a full queue.
  for (let i = 0; i < ids.length; i += 100) {
    const statuses = await Promise.all(
      ids.slice(i, i + 100).map((id, j) =>
        postWebhook(api.url, 'default', {
          type: 'zen:event-type:user.active_changed',
          account_id: 1,
          id,
          time: '2026-03-04T05:33:18Z',
          zendesk_event_version: '2022-06-20',
          subject: `zen:user:${100000 + i + j}`,
          detail: {
            id: String(100000 + i + j),
            email: `crash${i + j}@example.com`,
            role: 'end-user',
            external_id: '',
            organization_id: '0',
            created_at: '2025-01-08T10:12:42Z',
            updated_at: '2026-03-04T05:33:17Z',
          },
          event: { current: false, previous: true },
        }).then((r) => r.status),
      ),
    );
    expect(new Set(statuses)).toEqual(new Set([202]));
  }

  const first = await startWorker();
  await waitFor(
    'some events stored',
    async () => (await count('SELECT count(*) AS n FROM standing_events')) > 0,
    30_000,
  );
  first.kill('SIGKILL');
  await once(first, 'exit');
  const storedAtCrash = await count('SELECT count(*) AS n FROM standing_events');
  expect(storedAtCrash).toBeLessThan(EVENTS);

  await startWorker();
  await waitFor(
    'every event settled',
    async () => (await count("SELECT count(*) AS n FROM intake_inbox WHERE state <> 'pending'")) === EVENTS,
    60_000,
  );
  expect(await count('SELECT count(*) AS n FROM standing_events')).toBe(EVENTS);
  expect(await count('SELECT count(DISTINCT source_event_id) AS n FROM standing_events')).toBe(EVENTS);
  expect(await count("SELECT count(*) AS n FROM intake_inbox WHERE state <> 'stored'")).toBe(0);
  const verify = await api.resources.log.verify('default');
  expect(verify.ok).toBe(true);
}, 120_000);
