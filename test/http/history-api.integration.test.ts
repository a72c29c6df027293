import { createServer, type Server } from 'node:http';
import { ApiKeyStore } from '../../connector/access/api-keys.ts';
import { createAuthorizer } from '../../connector/access/authorize.ts';
import { bearer, tenantKey } from '../support/access.ts';
import type { AddressInfo } from 'node:net';
import { Router } from 'express';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryPage } from '../../connector/contracts/index.ts';
import { createApp, type MountedRouter } from '../../connector/http/app.ts';
import { createLogger } from '../../connector/http/logging.ts';
import type { NewStandingEvent } from '../../connector/model/standing-event.ts';
import { openTestStore, type Backend, type TestStore } from '../support/databases.ts';
import { event } from '../support/fixtures.ts';

const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef-XYZ';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const EMAIL = 'Dana.Reyes@example.com';
const DANA = { zendesk_user_id: '6596848315901', email: EMAIL };
const OTHER = { zendesk_user_id: '1000000000001', email: 'someone.else@example.com' };

interface RunningApp {
  url: string;
  logLines: Record<string, unknown>[];
  close(): Promise<void>;
}

/** The app on an ephemeral port, logging into memory so tests can read what would be logged. */
async function startApp(store: TestStore, redis: Redis, routers: MountedRouter[] = []): Promise<RunningApp> {
  const logLines: Record<string, unknown>[] = [];
  const logger = createLogger('info', {
    write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>),
  });
  const authorize = createAuthorizer({
    operatorToken: ADMIN_TOKEN,
    keys: new ApiKeyStore(store.db),
    denials: { recordDenied: async () => undefined },
  });
  const app = createApp({ log: store.log, db: store.db, redis, authorize, logger, routers, readinessTimeoutMs: 1000 });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    logLines,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}

// The auditor key of tenant acme (the operator's token may not read histories).
const auth: Record<string, string> = {};

async function getJson(url: string, headers: Record<string, string> = auth) {
  const res = await fetch(url, { headers });
  return {
    res,
    body: (await res.json()) as Record<string, unknown> & {
      error?: { code: string; message: string; details?: { path: string; message: string }[] };
    },
  };
}

const at = (minute: number) => new Date(Date.UTC(2026, 2, 4, 5, minute)).toISOString();

/**
 * Dana: suspended, reinstated, then deactivated, with workflow steps in between (7 events); one event of someone else.
 */
function danaEvents(tenant: string): NewStandingEvent[] {
  return [
    event({ tenant, customer: DANA, occurred_at: at(1) }),
    event({
      tenant,
      customer: DANA,
      kind: 'reinstatement_requested',
      status: { before: 'suspended', after: null },
      initiation: undefined,
      occurred_at: at(2),
    }),
    event({
      tenant,
      customer: DANA,
      kind: 'reinstatement',
      status: { before: 'suspended', after: 'active' },
      initiation: undefined,
      occurred_at: at(3),
    }),
    event({ tenant, customer: DANA, occurred_at: at(4) }),
    event({
      tenant,
      customer: DANA,
      kind: 'reinstatement',
      status: { before: 'suspended', after: 'active' },
      initiation: undefined,
      occurred_at: at(5),
    }),
    event({
      tenant,
      customer: DANA,
      kind: 'status_observed',
      status: { before: null, after: 'active' },
      initiation: undefined,
      occurred_at: at(6),
    }),
    event({
      tenant,
      customer: DANA,
      status: { before: 'active', after: 'deactivated' },
      initiation: { type: 'automatic', temporary: false },
      occurred_at: at(7),
    }),
    event({ tenant, customer: OTHER, occurred_at: at(8) }),
  ];
}

describe('history API on PostgreSQL', () => {
  let store: TestStore;
  let redis: Redis;
  let app: RunningApp;
  const failing: MountedRouter = {
    path: '/test',
    router: Router().get('/boom', () => {
      throw new Error('connection string postgres://app:hunter2@db leaked');
    }),
  };

  beforeAll(async () => {
    store = await openTestStore('postgres', 'history_api');
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    await store.log.append(danaEvents('acme'));
    Object.assign(auth, bearer(await tenantKey(store.db, 'acme', 'auditor')));
    app = await startApp(store, redis, [failing]);
  });
  afterAll(async () => {
    await app?.close();
    await redis?.quit();
    await store?.dispose();
  });

  it('answers /healthz', async () => {
    const { res, body } = await getJson(`${app.url}/healthz`, {});
    expect(res.status).toBe(200);
    expect(body).toEqual({ status: 'ok' });
  });

  it('is ready when the database and Redis answer', async () => {
    const { res, body } = await getJson(`${app.url}/readyz`, {});
    expect(res.status).toBe(200);
    expect(body).toEqual({ status: 'ready', checks: { database: 'ok', redis: 'ok' } });
  });

  it('echoes a sane X-Request-Id and replaces an unsafe one', async () => {
    const kept = await fetch(`${app.url}/healthz`, { headers: { 'X-Request-Id': 'abc.DEF_123-x' } });
    expect(kept.headers.get('x-request-id')).toBe('abc.DEF_123-x');
    const replaced = await fetch(`${app.url}/healthz`, { headers: { 'X-Request-Id': 'evil\tid; rm -rf' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const tooLong = await fetch(`${app.url}/healthz`, { headers: { 'X-Request-Id': 'a'.repeat(129) } });
    expect(tooLong.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const none = await fetch(`${app.url}/healthz`);
    expect(none.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['no Authorization header', {}, 'Bearer realm="standing"'],
    ['a wrong token', { Authorization: `Bearer ${ADMIN_TOKEN}x` }, 'Bearer realm="standing", error="invalid_token"'],
    [
      'another scheme',
      { Authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}` },
      'Bearer realm="standing", error="invalid_token"',
    ],
  ])('refuses %s with 401', async (_label, headers, challenge) => {
    const { res, body } = await getJson(
      `${app.url}/api/v1/history?tenant=acme&email=${encodeURIComponent(EMAIL)}`,
      headers,
    );
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(challenge);
    expect(body.error?.code).toBe('unauthorized');
  });

  it(
    "reads the key's own tenant: 403 for another tenant (even " + 'a malformed name), its own when none is named',
    async () => {
      for (const tenant of ['other', 'Acme!']) {
        const { res, body } = await getJson(
          `${app.url}/api/v1/history?tenant=${encodeURIComponent(tenant)}&email=${encodeURIComponent(EMAIL)}`,
        );
        expect(res.status).toBe(403);
        expect(body.error?.message).toContain(`is not for tenant "${tenant}"`);
      }
      const own = await getJson(`${app.url}/api/v1/history?email=${encodeURIComponent(EMAIL)}`);
      expect(own.res.status).toBe(200);
      expect(own.body.tenant).toBe('acme');
    },
  );

  it('refuses the operator token (provisioning only) and an agent key with 403', async () => {
    const operator = await getJson(`${app.url}/api/v1/history?tenant=acme&email=${encodeURIComponent(EMAIL)}`, {
      Authorization: `Bearer ${ADMIN_TOKEN}`,
    });
    expect(operator.res.status).toBe(403);
    expect(operator.body.error?.message).toBe('the operator token may not history.read (allowed: auditor)');
    const agent = await getJson(
      `${app.url}/api/v1/history?tenant=acme&email=${encodeURIComponent(EMAIL)}`,
      bearer(await tenantKey(store.db, 'acme', 'agent')),
    );
    expect(agent.res.status).toBe(403);
  });

  it.each([
    [
      'tenant=acme',
      '(root)',
      'needs at least one identity: zendesk_user_id, email, zendesk_organization_id, salesforce_account_id, ' +
        'salesforce_contact_id',
    ],
    ['email=a%40b.co&limit=0', 'limit', 'must be an integer 1-500'],
    ['email=a%40b.co&limit=501', 'limit', 'must be an integer 1-500'],
    ['email=a%40b.co&limit=ten', 'limit', 'must be an integer 1-500'],
    ['email=not-an-email', 'email', 'must be an email address'],
    ['salesforce_account_id=001xx', 'salesforce_account_id', 'must be a 15- or 18-character Salesforce id'],
    ['email=a%40b.co&email=c%40d.co', 'email', 'must be given once'],
    ['emial=a%40b.co', '(root)', 'Unrecognized key'],
  ])('400 for %s, naming %s', async (query, path, message) => {
    const { res, body } = await getJson(`${app.url}/api/v1/history?${query}`);
    expect(res.status).toBe(400);
    expect(body.error?.code).toBe('invalid_request');
    expect(body.error?.details).toContainEqual({ path, message: expect.stringContaining(message) });
    expect(body.error?.message).toContain(path);
  });

  it("returns a customer's events newest first with the status in force", async () => {
    const { res, body } = await getJson(
      `${app.url}/api/v1/history?tenant=acme&email=${encodeURIComponent(EMAIL.toUpperCase())}`,
    );
    expect(res.status).toBe(200);
    expect(Object.keys(body).sort()).toEqual([
      'accounts',
      'current',
      'events',
      'next_cursor',
      'person',
      'subject',
      'tenant',
      'warnings',
    ]);
    const events = body.events as { occurred_at: string; kind: string; customer: { email: string } }[];
    expect(body.tenant).toBe('acme');
    expect(events.map((e) => e.occurred_at)).toEqual([7, 6, 5, 4, 3, 2, 1].map(at));
    expect(events[0]).toMatchObject({
      kind: 'deactivation',
      status: { before: 'active', after: 'deactivated' },
      customer: { email: EMAIL.toLowerCase() },
      erased: false,
    });
    expect(body.current).toMatchObject({ status: 'deactivated', since: at(7) });
    expect(body.next_cursor).toBeNull();
  });

  it('answers exactly as the HistoryPage contract says: no field it does not describe, none missing', async () => {
    const { body } = await getJson(`${app.url}/api/v1/history?tenant=acme&email=${encodeURIComponent(EMAIL)}&limit=5`);
    // Parsing drops what the contract does not describe, so an undocumented field makes them differ.
    expect(HistoryPage.parse(body)).toEqual(body);
    expect((body.events as unknown[]).length).toBe(5);
  });

  it('finds the same customer by another identity, and nobody by an unknown one', async () => {
    const byId = await getJson(`${app.url}/api/v1/history?tenant=acme&zendesk_user_id=${DANA.zendesk_user_id}`);
    expect((byId.body.events as unknown[]).length).toBe(7);
    const unknown = await getJson(`${app.url}/api/v1/history?tenant=acme&email=nobody%40example.com`);
    expect(unknown.res.status).toBe(200);
    expect(unknown.body).toEqual({
      tenant: 'acme',
      subject: { kind: 'person' },
      current: null,
      person: { current: null },
      accounts: [],
      events: [],
      next_cursor: null,
      warnings: [],
    });
  });

  it('walks every event exactly once with the cursor', async () => {
    const seen: number[] = [];
    const pageSizes: number[] = [];
    let cursor: string | null = null;
    do {
      const after = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const query: string = `tenant=acme&email=${encodeURIComponent(EMAIL)}&limit=3${after}`;
      const { res, body } = await getJson(`${app.url}/api/v1/history?${query}`);
      expect(res.status).toBe(200);
      const events = body.events as { seq: number }[];
      pageSizes.push(events.length);
      seen.push(...events.map((e) => e.seq));
      cursor = body.next_cursor as string | null;
    } while (cursor);
    expect(pageSizes).toEqual([3, 3, 1]);
    expect(seen).toEqual([7, 6, 5, 4, 3, 2, 1]);
  });

  it('400 invalid_cursor for a cursor it did not issue', async () => {
    const { res, body } = await getJson(
      `${app.url}/api/v1/history?tenant=acme&email=${encodeURIComponent(EMAIL)}&cursor=bm90LWEtY3Vyc29y`,
    );
    expect(res.status).toBe(400);
    expect(body.error?.code).toBe('invalid_cursor');
  });

  it('404 JSON for an unknown route', async () => {
    const { res, body } = await getJson(`${app.url}/api/v1/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(body.error?.code).toBe('not_found');
  });

  it('400 invalid_json for a malformed JSON body', async () => {
    const res = await fetch(`${app.url}/api/v1/history`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: '{"tenant": ',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: 'invalid_json', message: 'the request body is not valid JSON' },
    });
  });

  it('500 internal without leaking the error', async () => {
    const res = await fetch(`${app.url}/test/boom`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'internal', message: 'internal error' } });
    expect(text).not.toContain('hunter2');
  });

  it('serves the OpenAPI document without authentication', async () => {
    const res = await fetch(`${app.url}/api/v1/openapi.yaml`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/yaml/);
    const text = await res.text();
    expect(text).toMatch(/^openapi: 3\.1\.\d+$/m);
    for (const path of ['/healthz:', '/readyz:', '/api/v1/history:', 'StandingEvent:']) expect(text).toContain(path);
  });

  it('logs method, path, status, duration and request id, but no query, email or token', async () => {
    await fetch(`${app.url}/api/v1/history?tenant=acme&email=${encodeURIComponent(EMAIL)}`, {
      headers: { ...auth, 'X-Request-Id': 'log-check-1' },
    });
    await fetch(`${app.url}/test/boom`, { headers: { 'X-Request-Id': 'log-check-2' } });
    const text = JSON.stringify(app.logLines);
    expect(text).not.toMatch(/dana|example\.com|email=/i);
    expect(text).not.toContain(ADMIN_TOKEN);
    const line = app.logLines.find((l) => (l.req as { id?: string } | undefined)?.id === 'log-check-1');
    expect(line).toMatchObject({
      req: { method: 'GET', path: '/api/v1/history' },
      res: { status: 200 },
      duration_ms: expect.any(Number),
    });
    const failed = app.logLines.find((l) => (l.req as { id?: string } | undefined)?.id === 'log-check-2');
    expect(failed).toMatchObject({ level: 50, res: { status: 500 }, err: { type: 'Error' } });
  });
});

describe('readiness with Redis unreachable', () => {
  let store: TestStore;
  let deadRedis: Redis;
  let app: RunningApp;

  beforeAll(async () => {
    store = await openTestStore('postgres', 'readyz_down');
    // Port 1: nothing listens there. No retries and no offline queue, so PING fails instead of waiting.
    deadRedis = new Redis({
      host: '127.0.0.1',
      port: 1,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    deadRedis.on('error', () => undefined);
    app = await startApp(store, deadRedis);
  });
  afterAll(async () => {
    await app?.close();
    deadRedis?.disconnect();
    await store?.dispose();
  });

  it('503 naming redis, and the failure is logged', async () => {
    const { res, body } = await getJson(`${app.url}/readyz`, {});
    expect(res.status).toBe(503);
    expect(body).toEqual({
      status: 'not_ready',
      checks: { database: 'ok', redis: expect.stringMatching(/^(failed|timeout)$/) },
      failing: ['redis'],
    });
    expect(app.logLines).toContainEqual(expect.objectContaining({ level: 40, check: 'redis' }));
  });
});

describe.each<Backend>(['embedded'])('history API on the %s database', (backend) => {
  let store: TestStore;
  let redis: Redis;
  let app: RunningApp;

  beforeAll(async () => {
    store = await openTestStore(backend, 'history_api_embedded');
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    await store.log.append(danaEvents('acme'));
    Object.assign(auth, bearer(await tenantKey(store.db, 'acme', 'auditor')));
    app = await startApp(store, redis);
  });
  afterAll(async () => {
    await app?.close();
    await redis?.quit();
    await store?.dispose();
  });

  it('returns the events newest first, pages with the cursor, and is ready', async () => {
    const first = await getJson(`${app.url}/api/v1/history?tenant=acme&email=${encodeURIComponent(EMAIL)}&limit=4`);
    expect(first.res.status).toBe(200);
    expect((first.body.events as { seq: number }[]).map((e) => e.seq)).toEqual([7, 6, 5, 4]);
    expect(first.body.current).toMatchObject({ status: 'deactivated' });
    const second = await getJson(
      `${app.url}/api/v1/history?tenant=acme&email=${encodeURIComponent(EMAIL)}&limit=4` +
        `&cursor=${first.body.next_cursor as string}`,
    );
    expect((second.body.events as { seq: number }[]).map((e) => e.seq)).toEqual([3, 2, 1]);
    expect(second.body.next_cursor).toBeNull();
    const ready = await getJson(`${app.url}/readyz`, {});
    expect(ready.body).toEqual({ status: 'ready', checks: { database: 'ok', redis: 'ok' } });
  });
});
