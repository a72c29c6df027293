/**
 * One run per tenant and source at a time, across processes: a second run asked for while the
 * first is going is skipped (real Redis, real PostgreSQL, Zendesk nock'd).
 */
import { Redis } from 'ioredis';
import nock from 'nock';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReconciliationStore } from '../../connector/reconciliation/reconciliation-store.ts';
import { TenantRegistry } from '../../connector/tenants/tenant-registry.ts';
import { zendeskScheduledReconciler } from '../../connector/zendesk/reconciler.ts';
import { startReconciliationScheduler, type ReconciliationScheduler } from '../../queue/reconciliation-scheduler.ts';
import { openTestStore, type TestStore } from '../support/databases.ts';
import { dropRedisPrefix, REDIS_URL } from '../support/intake-harness.ts';

let store: TestStore;
let redis: Redis;
let scheduler: ReconciliationScheduler;
let tenants: TenantRegistry;
const prefix = `test-reconcile-lock-${process.pid}`;

beforeAll(async () => {
  store = await openTestStore('postgres', 'reconcile_lock');
  tenants = new TenantRegistry(store.db, store.master, { cacheTtlMs: 0 });
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  scheduler = await startReconciliationScheduler(
    {
      log: store.log,
      store: new ReconciliationStore(store.db),
      tenants,
      logger: pino({ level: 'silent' }),
      reconcilers: [zendeskScheduledReconciler()],
    },
    { connection: redis, redis, prefix, everyMs: 3_600_000, refreshEveryMs: 3_600_000 },
  );
  // Created after the start: no scheduled job competes with the runs asked for below.
  await tenants.create({
    id: 'lock',
    name: 'Lock',
    zendesk: { subdomain: 'acme', api_email: 'integration@acme.example', api_token: 'zendesk-api-token' },
  });
});
afterAll(async () => {
  await scheduler.close();
  await dropRedisPrefix(prefix);
  redis.disconnect();
  nock.cleanAll();
  nock.enableNetConnect();
  await store.dispose();
});

describe('reconciliation runs', () => {
  it('skip a run of a tenant and source while another is going, and run again afterwards', async () => {
    nock('https://acme.zendesk.com')
      .get('/api/v2/incremental/users/cursor.json')
      .query(true)
      .delay(200)
      .reply(200, { users: [], after_cursor: 'c1', end_of_stream: true });
    nock('https://acme.zendesk.com')
      .get('/api/v2/incremental/organizations.json')
      .query(true)
      .reply(200, { organizations: [], end_time: 1, end_of_stream: true });
    const [a, b] = await Promise.all([
      scheduler.run({ tenant: 'lock', source: 'zendesk' }),
      scheduler.run({ tenant: 'lock', source: 'zendesk' }),
    ]);
    expect([a?.state ?? null, b?.state ?? null].sort()).toEqual(['completed', null]);
    expect(nock.pendingMocks()).toEqual([]);
    nock('https://acme.zendesk.com')
      .get('/api/v2/incremental/users/cursor.json')
      .query(true)
      .reply(200, { users: [], after_cursor: 'c1', end_of_stream: true });
    nock('https://acme.zendesk.com')
      .get('/api/v2/incremental/organizations.json')
      .query(true)
      .reply(200, { organizations: [], end_time: 1, end_of_stream: true });
    expect(await scheduler.run({ tenant: 'lock', source: 'zendesk' })).toMatchObject({ state: 'completed' });
  });
});
