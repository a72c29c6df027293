import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Router } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type StandingConfig } from '../../connector/config/config.ts';
import { StartupError, startService, type ServiceHandle } from '../../connector/app/service.ts';
import { openDatabase } from '../../connector/store/database.ts';
import { TEST_DATABASE_URL, uniqueSchema } from '../support/databases.ts';

const schema = uniqueSchema('service');
let dataDir: string;

function configFor(env: Record<string, string>): StandingConfig {
  const parsed = parseConfig({
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: schema,
    STANDING_DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ...env,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return { ...parsed.config, host: '127.0.0.1', port: 0 };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'standing-service-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
  const db = await openDatabase({ url: TEST_DATABASE_URL, schema });
  await db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await db.close();
});

describe('startService', () => {
  let handle: ServiceHandle;
  const closed: string[] = [];
  let releaseSlow: () => void = () => undefined;
  let slowReached: () => void = () => undefined;
  const reachedSlow = new Promise<void>((resolve) => (slowReached = resolve));

  beforeAll(async () => {
    handle = await startService(configFor({ SHUTDOWN_GRACE_MS: '5000' }), {
      extend: (resources) => {
        const router = Router();
        router.get('/slow', (_req, res) => {
          // Answers only when the test says so, to hold a request in flight across close().
          releaseSlow = () => res.json({ done: true, dbOpen: true });
          slowReached();
        });
        router.get('/tenants', async (_req, res) => {
          res.json(await resources.log.tenants());
        });
        return {
          routers: [{ path: '/ext', router }],
          readinessChecks: { worker: async () => undefined },
          close: async () => {
            // The database must still be open when the extension stops.
            await resources.db.query('SELECT 1');
            closed.push('extension');
          },
        };
      },
    });
  });

  it('migrates, listens and reports every readiness check, extensions included', async () => {
    expect(handle.url).toBe(`http://127.0.0.1:${handle.port}`);
    expect(handle.resources.migrations.applied).toContain('001_standing_log.sql');
    const ready = await fetch(`${handle.url}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', redis: 'ok', worker: 'ok' } });
    const tenants = await fetch(`${handle.url}/ext/tenants`);
    expect(await tenants.json()).toEqual([]);
  });

  it('generated the admin token outside production and protects the API with it', async () => {
    const { operatorToken: adminToken, sources } = handle.resources.secrets;
    expect(sources.operatorToken).toEqual({ from: 'file', path: join(dataDir, 'admin-token'), created: true });
    const denied = await fetch(`${handle.url}/api/v1/history?email=a%40b.co`);
    expect(denied.status).toBe(401);
    // The operator token provisions: it may list tenants and issue keys, and may not read histories.
    const asOperator = { Authorization: `Bearer ${adminToken}` };
    expect((await fetch(`${handle.url}/api/v1/history?email=a%40b.co`, { headers: asOperator })).status).toBe(403);
    const provisioning = await fetch(`${handle.url}/api/v1/tenants/nosuch/keys`, { headers: asOperator });
    expect(provisioning.status).toBe(404);
  });

  it('on close, lets the in-flight request finish, stops the extension, then refuses connections', async () => {
    const inFlight = fetch(`${handle.url}/ext/slow`);
    await reachedSlow;
    const closing = handle.close();
    expect(handle.close()).toBe(closing);
    releaseSlow();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ done: true, dbOpen: true });
    await closing;
    expect(closed).toEqual(['extension']);
    await expect(fetch(`${handle.url}/healthz`)).rejects.toThrow();
    expect(handle.resources.redis.status).toBe('end');
  });
});

describe('startService shutdown grace', () => {
  it('cuts a request that outlives SHUTDOWN_GRACE_MS', async () => {
    let reached: () => void = () => undefined;
    const reachedHandler = new Promise<void>((resolve) => (reached = resolve));
    const handle = await startService(configFor({ SHUTDOWN_GRACE_MS: '200' }), {
      extend: () => ({ routers: [{ path: '/hang', router: Router().get('/', () => reached()) }] }),
    });
    const hanging = fetch(`${handle.url}/hang`).then(
      () => 'answered',
      () => 'cut',
    );
    await reachedHandler;
    await handle.close();
    expect(await hanging).toBe('cut');
  });
});

describe('startService with Redis down', () => {
  it('starts anyway, /readyz answers 503 naming redis, and close() does not hang', async () => {
    const handle = await startService(configFor({ REDIS_URL: 'redis://127.0.0.1:1' }));
    const ready = await fetch(`${handle.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      checks: { database: 'ok', redis: expect.stringMatching(/^(failed|timeout)$/) },
      failing: ['redis'],
    });
    await handle.close();
    expect(handle.resources.redis.status).not.toBe('ready');
  });
});

describe('startService in production', () => {
  it('refuses to start without the secrets, naming both variables', async () => {
    const start = startService(configFor({ NODE_ENV: 'production' }));
    await expect(start).rejects.toBeInstanceOf(StartupError);
    await expect(start).rejects.toMatchObject({
      problems: [
        expect.objectContaining({ variable: 'STANDING_MASTER_KEY' }),
        expect.objectContaining({ variable: 'STANDING_OPERATOR_TOKEN' }),
      ],
    });
  });
});
