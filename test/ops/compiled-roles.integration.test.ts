/**
 * `npm run build`, then the compiled service (`node dist/connector/main.js`) in its three roles on
 * one schema and one Redis prefix: the api accepts a webhook, the worker stores it, the scheduler
 * runs the sweeper; only the api serves the webhooks and the HTTP APIs; every role serves
 * /healthz, /readyz and /metrics; SIGTERM stops each cleanly.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { issueKey } from '../support/access.ts';
import pg from 'pg';
import { TEST_DATABASE_URL } from '../support/databases.ts';
import { dropRedisPrefix, intakeEnv, postWebhook, waitFor, type IntakeEnv } from '../support/intake-harness.ts';
import { userDeactivated } from '../support/load.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ROLES = ['api', 'worker', 'scheduler'] as const;
type Role = (typeof ROLES)[number];

let env: IntakeEnv;
const urls = new Map<Role, string>();
const children = new Map<Role, ChildProcess>();

function startCompiled(role: Role): Promise<string> {
  const child = spawn(process.execPath, ['dist/connector/main.js'], {
    cwd: ROOT,
    env: { ...process.env, ...env.env, STANDING_ROLE: role, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.set(role, child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+?)"/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`${role} exited early with ${code}`)));
  });
}

beforeAll(async () => {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  env = intakeEnv('ops_roles', { STANDING_SWEEP_INTERVAL_MS: '1000' });
  // The api first: it migrates the schema the others then find ready.
  urls.set('api', await startCompiled('api'));
  const [worker, scheduler] = await Promise.all([startCompiled('worker'), startCompiled('scheduler')]);
  urls.set('worker', worker);
  urls.set('scheduler', scheduler);
}, 120_000);

afterAll(async () => {
  for (const child of children.values()) if (child.exitCode === null) child.kill('SIGKILL');
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${env.schema} CASCADE`).finally(() => client.end());
  await dropRedisPrefix(env.prefix);
});

const status = async (role: Role, path: string, init: RequestInit = {}) =>
  (await fetch(`${urls.get(role)}${path}`, init)).status;

it('the api accepts, the worker stores', async () => {
  expect(
    (await postWebhook(urls.get('api')!, 'default', userDeactivated(`compiled-${env.schema}`, 710_001))).status,
  ).toBe(202);
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await waitFor(
      'the event stored',
      async () => (await client.query(`SELECT 1 FROM ${env.schema}.standing_events`)).rowCount === 1,
      30_000,
    );
  } finally {
    await client.end();
  }
});

it('only the api serves the webhooks and the HTTP APIs; every role serves health and metrics', async () => {
  const auth = { headers: { authorization: `Bearer ${env.env.STANDING_ADMIN_TOKEN}` } };
  const auditor = {
    headers: {
      authorization: `Bearer ${await issueKey(urls.get('api')!, env.env.STANDING_ADMIN_TOKEN!, 'default', 'auditor')}`,
    },
  };
  expect(await status('api', '/api/v1/history?email=a@example.com', auditor)).toBe(200);
  for (const role of ['worker', 'scheduler'] as const) {
    expect(await status(role, '/api/v1/history?email=a@example.com', auth)).toBe(404);
    expect(await status(role, '/api/v1/tenants', auth)).toBe(404);
    expect(await status(role, '/webhooks/zendesk/default', { method: 'POST', body: '{}' })).toBe(404);
  }
  for (const role of ROLES) {
    expect(await status(role, '/healthz')).toBe(200);
    expect(await status(role, '/metrics', auth)).toBe(200);
  }
  const checks = async (role: Role) =>
    ((await (await fetch(`${urls.get(role)}/readyz`)).json()) as { checks: Record<string, string> }).checks;
  expect(await checks('api')).toEqual({ database: 'ok', redis: 'ok' });
  expect(await checks('worker')).toEqual({ database: 'ok', redis: 'ok' });
  expect(await checks('scheduler')).toEqual({ database: 'ok', redis: 'ok', sweeper: 'ok', compliance: 'ok' });
  const ready = (await (await fetch(`${urls.get('worker')}/readyz`)).json()) as {
    backlog: Record<string, number | null>;
  };
  expect(ready.backlog).toEqual({
    inbox_pending: 0,
    inbox_oldest_pending_age_seconds: 0,
    queue_waiting: 0,
    queue_oldest_waiting_age_seconds: 0,
  });
});

it('SIGTERM stops every role with exit code 0', async () => {
  const exits = [...children.values()].map(async (child) => {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    return (await exited)[0] as number;
  });
  expect(await Promise.all(exits)).toEqual([0, 0, 0]);
}, 30_000);
