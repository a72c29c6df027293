/**
 * Two deployments on one Redis (staging and production, each with a tenant `default`) stay apart:
 * every key and pub/sub channel a deployment writes lives under its own `STANDING_QUEUE_PREFIX`.
 * A private redis-server reports every key written (keyspace notifications, so keys written and
 * deleted at once, such as a run's lock, count too) and every message published. Each deployment runs
 * alone first, with the paths that write Redis: the intake worker (a webhook), the scheduler (sweeper,
 * compliance jobs, a reconciliation run and its lock), the Salesforce subscription lease (a local
 * Bayeux server stands in for the org) and an erasure broadcast. Then both run at once and both
 * receive the org's change events.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import nock from 'nock';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ServiceHandle } from '../../connector/app/service.ts';
import { authorizationFor, issueKey } from '../support/access.ts';
import { event } from '../support/fixtures.ts';
import {
  intakeEnv,
  postWebhook,
  startIntakeService,
  stopIntakeService,
  waitFor,
  type IntakeEnv,
} from '../support/intake-harness.ts';
import { freePort, startPrivateRedis } from '../support/private-redis.ts';
import { BayeuxTestServer } from '../salesforce/support/bayeux-server.ts';
import { changeEvent } from '../salesforce/support/messages.ts';

const LOGIN = 'https://login.salesforce.com';
const ACCOUNT_CHANNEL = '/data/AccountChangeEvent';
const pem = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const userDeactivated = JSON.parse(
  readFileSync(new URL('../fixtures/zendesk/user.active_changed.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

let redisServer: ChildProcess;
let redisUrl: string;
let watcher: Redis;
let client: Redis;
let bayeux: BayeuxTestServer;
/** What the Redis server saw since the last `reset()`. */
const seen = { keys: new Set<string>(), published: new Set<string>() };
const reset = () => (seen.keys.clear(), seen.published.clear());

interface Deployment {
  env: IntakeEnv;
  svc?: ServiceHandle;
}
let staging: Deployment;
let production: Deployment;

beforeAll(async () => {
  const port = await freePort();
  redisServer = await startPrivateRedis(port);
  redisUrl = `redis://127.0.0.1:${port}`;
  client = new Redis(redisUrl);
  // E: keyevent notifications (the message is the key), A: every class of command, expiries included.
  await client.config('SET', 'notify-keyspace-events', 'EA');
  watcher = new Redis(redisUrl);
  watcher.on('pmessage', (_pattern: string, channel: string, message: string) => {
    if (channel.startsWith('__keyevent@')) seen.keys.add(message);
    else seen.published.add(channel);
  });
  await watcher.psubscribe('*');

  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  bayeux = await BayeuxTestServer.start();
  // The look-up the webhook's mapping asks Zendesk for.
  nock('https://acme.zendesk.com')
    .persist()
    .get('/api/v2/organizations/8912017421.json')
    .reply(
      200,
      { organization: { id: 8912017421, name: 'Reyes Logistics', external_id: null, organization_fields: {} } },
      { 'Content-Type': 'application/json' },
    );
  nock(LOGIN)
    .persist()
    .post('/services/oauth2/token')
    .reply(200, () => ({ access_token: 'T1', instance_url: bayeux.url, token_type: 'Bearer' }));
  const overrides = {
    REDIS_URL: redisUrl,
    STANDING_SALESFORCE_SETTINGS_REFRESH_MS: '300',
    STANDING_RECONCILE_INTERVAL_MS: '3600000',
  };
  staging = { env: intakeEnv('redis_iso_staging', overrides) };
  production = { env: intakeEnv('redis_iso_production', overrides) };
}, 60_000);

afterAll(async () => {
  for (const d of [staging, production]) if (d) await stopIntakeService(d.env, d.svc);
  watcher?.disconnect();
  client?.disconnect();
  redisServer?.kill('SIGKILL');
  await bayeux?.close();
  nock.cleanAll();
  nock.enableNetConnect();
});

async function api(d: Deployment, path: string, init: RequestInit = {}): Promise<Response> {
  const svc = d.svc!;
  return fetch(`${svc.url}${path}`, {
    ...init,
    headers: {
      authorization: await authorizationFor(svc.url, d.env.env.STANDING_ADMIN_TOKEN!, path),
      'content-type': 'application/json',
      ...init.headers,
    },
  });
}

const salesforceRowsOf = async (d: Deployment, recordId: string) =>
  (
    await d.svc!.resources.db.query("SELECT 1 FROM intake_inbox WHERE source = 'salesforce' AND event_id LIKE $1", [
      `%:${recordId}`,
    ])
  ).length;

/** Starts the deployment, drives every path that writes Redis, and returns what it wrote. */
async function runAlone(d: Deployment): Promise<{ keys: string[]; published: string[]; subscribed: string[] }> {
  reset();
  d.svc = await startIntakeService(d.env);
  // The Salesforce subscription: the worker takes the tenant's lease, then subscribes.
  const settings = {
    organization_id: '00D5g000004SxYzEAK',
    instance_url: bayeux.url,
    client_id: '3MVG9consumerKeyForTests',
    username: 'integration@acme.com',
    private_key: pem,
  };
  expect(
    (await api(d, '/api/v1/tenants/default/salesforce', { method: 'PUT', body: JSON.stringify(settings) })).status,
  ).toBe(200);
  // The intake worker: a webhook through the queue.
  const body = { ...userDeactivated, id: randomUUID() };
  expect((await postWebhook(d.svc.url, 'default', body)).status).toBe(202);
  await waitFor(
    'the webhook processed',
    async () =>
      (
        await d.svc!.resources.db.query("SELECT 1 FROM intake_inbox WHERE event_id = $1 AND state <> 'pending'", [
          body.id,
        ])
      ).length > 0,
    30_000,
  );
  // An erasure, announced to every process of the deployment.
  const person = { zendesk_user_id: '7300001', email: 'dana.isolation@example.com' };
  await d.svc.resources.log.append([event({ tenant: 'default', customer: person })]);
  const admin = await issueKey(d.svc.url, d.env.env.STANDING_ADMIN_TOKEN!, 'default', 'admin');
  const erased = await fetch(`${d.svc.url}/api/v1/tenants/default/subjects/erase`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ identities: { email: person.email }, reason: 'isolation test' }),
  });
  expect(erased.status).toBe(200);
  await waitFor('the erasure announced', async () => seen.published.size > 0);
  await waitFor(
    'the Salesforce lease taken',
    async () => [...seen.keys].some((k) => k.endsWith('salesforce:subscription:default')),
    30_000,
  );
  // The scheduled reconciliation ran once at start (Zendesk refused: a failed run), under its lock.
  await waitFor(
    'a reconciliation run',
    async () =>
      (
        await d.svc!.resources.db.query(
          "SELECT 1 FROM reconciliation_runs WHERE tenant = 'default' AND state <> 'running'",
        )
      ).length > 0,
    30_000,
  );
  const subscribed = (await client.pubsub('CHANNELS')) as string[];
  return { keys: [...seen.keys].sort(), published: [...seen.published].sort(), subscribed: subscribed.sort() };
}

it(
  'keeps every key and channel of a deployment under its prefix, and both deployments subscribed',
  { timeout: 180_000 },
  async () => {
    const a = await runAlone(staging);
    await staging.svc!.close();
    staging.svc = undefined;
    const b = await runAlone(production);

    for (const [d, wrote] of [
      [staging, a],
      [production, b],
    ] as const) {
      const under = (name: string) => name.startsWith(`${d.env.prefix}:`);
      expect(wrote.keys.length).toBeGreaterThan(0);
      expect(wrote.keys.filter((k) => !under(k))).toEqual([]);
      expect(wrote.published.filter((c) => !under(c))).toEqual([]);
      expect(wrote.subscribed.filter((c) => !under(c))).toEqual([]);
      // The paths above all wrote: the queues, the lease, the run's lock, the erasure channel.
      expect(wrote.keys).toEqual(
        expect.arrayContaining([
          `${d.env.prefix}:salesforce:subscription:default`,
          `${d.env.prefix}:standing-reconciliation:running:default:zendesk`,
        ]),
      );
      expect(wrote.keys.some((k) => k.startsWith(`${d.env.prefix}:standing-intake:`))).toBe(true);
      expect(wrote.published).toEqual([`${d.env.prefix}:erasures`]);
    }
    expect(a.keys.filter((k) => b.keys.includes(k))).toEqual([]);

    // Both at once, each with its tenant `default`: each holds its own lease and receives the org's events.
    staging.svc = await startIntakeService(staging.env);
    const record = '0015g00000IsoLaAAB';
    await bayeux.publish(
      ACCOUNT_CHANNEL,
      changeEvent(900, { recordIds: [record], transactionKey: randomUUID() }, { Status__c: 'Suspended' }),
    );
    for (const d of [staging, production])
      await waitFor(`the change event in ${d.env.prefix}`, async () => (await salesforceRowsOf(d, record)) > 0, 45_000);
  },
);
