import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SubscribedMessage } from '../../salesforce/change-event.ts';
import { SalesforceConnectionFactory, type SalesforceAuthError } from '../../salesforce/connection.ts';
import { createTenantSubscription } from '../../salesforce/tenant-subscription.ts';
import { changeEvent } from './support/messages.ts';
import { StreamingHarness } from './support/streaming-harness.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ACCOUNT = '/data/AccountChangeEvent';
const until = (fn: () => unknown) => vi.waitFor(() => expect(fn()).toBeTruthy(), { timeout: 8_000, interval: 20 });

describe('a tenant subscription as the integrator creates it', () => {
  let h: StreamingHarness;
  let redis: Redis;
  const prefix = `test-sf-${process.pid}-${randomBytes(3).toString('hex')}`;
  beforeAll(async () => {
    [h, redis] = await Promise.all([
      StreamingHarness.start('sf_tenant'),
      new Redis(REDIS_URL, { maxRetriesPerRequest: 1 }),
    ]);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await h?.dispose();
  });

  it('retries authentication while Salesforce is unavailable, then subscribes and delivers', async () => {
    h.failTokens = 2;
    const failures: string[] = [];
    const got: [string, string, SubscribedMessage][] = [];
    const subscription = createTenantSubscription(
      {
        tenant: 'acme',
        settings: h.settings(),
        connections: new SalesforceConnectionFactory(),
        store: h.replay,
        redis,
        redisPrefix: prefix,
        onMessage: async (tenant, channel, message) => void got.push([tenant, channel, message]),
      },
      {
        subscriber: { channels: [ACCOUNT], backoff: { initialMs: 50, maxMs: 200, jitter: 0 } },
        exclusive: { ttlMs: 2000, acquireEveryMs: 100 },
        connectBackoff: { initialMs: 20, maxMs: 50, jitter: 0 },
        onAuthFailure: (_t, e: SalesforceAuthError) => failures.push(e.code),
      },
    );
    subscription.start();
    await until(() => h.server.subscribedClients().size === 1);
    await h.server.publish(ACCOUNT, changeEvent(6734));
    await until(() => got.length === 1);
    await vi.waitFor(async () => expect((await h.stored('acme'))[ACCOUNT]).toBe(6734), {
      timeout: 8_000,
      interval: 20,
    });
    await subscription.stop();

    expect(failures).toEqual(['ERROR_HTTP_503', 'ERROR_HTTP_503']);
    const [tenant, channel, message] = got[0]!;
    expect([tenant, channel, message.kind, message.replayId]).toEqual(['acme', ACCOUNT, 'change_event', 6734]);
    // Released on stop: another process could take the tenant at once.
    expect(await redis.exists(`${prefix}:salesforce:subscription:acme`)).toBe(0);
  });

  it('does not retry settings that cannot work', async () => {
    const failures: string[] = [];
    const subscription = createTenantSubscription(
      {
        tenant: 'broken',
        settings: { ...h.settings(), clientId: '' },
        connections: new SalesforceConnectionFactory(),
        store: h.replay,
        redis,
        redisPrefix: prefix,
        onMessage: async () => undefined,
      },
      { exclusive: { acquireEveryMs: 50 }, onAuthFailure: (_t, e) => failures.push(e.failure) },
    );
    const requests = h.tokenRequests;
    subscription.start();
    await until(() => failures.length === 1);
    await subscription.stop();
    expect(failures).toEqual(['invalid_settings']);
    expect(h.tokenRequests).toBe(requests);
  });
});
