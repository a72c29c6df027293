import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ExclusiveSubscription, RedisLease } from '../../salesforce/tenant-lease.ts';
import { changeEvent } from './support/messages.ts';
import { StreamingHarness, type Received } from './support/streaming-harness.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ACCOUNT = '/data/AccountChangeEvent';
const until = (fn: () => unknown, what = fn.toString()) =>
  vi.waitFor(() => expect(fn(), what).toBeTruthy(), { timeout: 8_000, interval: 20 });

/** A worker process: its own Redis connection, Salesforce session and subscriber. */
async function worker(h: StreamingHarness, prefix: string, tenant: string, received: Received[]) {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 0, retryStrategy: () => null });
  const { subscriber, received: own, events } = await h.subscriber({ tenant, channels: [ACCOUNT] });
  const holding: boolean[] = [];
  const exclusive = new ExclusiveSubscription(redis, tenant, subscriber, {
    prefix,
    ttlMs: 2000,
    renewEveryMs: 250,
    acquireEveryMs: 100,
    onHolding: (v) => holding.push(v),
  });
  // Everything this worker's onMessage got, in the shared order.
  const mirror = setInterval(() => received.push(...own.splice(0)), 5);
  return {
    redis,
    exclusive,
    events,
    holding,
    close: async () => {
      await exclusive.stop();
      clearInterval(mirror);
      received.push(...own.splice(0));
      redis.disconnect();
    },
  };
}

describe('one Salesforce subscription per tenant across processes', () => {
  let h: StreamingHarness;
  let redis: Redis;
  const prefix = `test-sf-${process.pid}-${randomBytes(3).toString('hex')}`;
  beforeAll(async () => {
    h = await StreamingHarness.start('sf_lease');
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await h?.dispose();
  });

  // Each test has a Salesforce org of its own: retained events do not leak between tests.
  beforeEach(() => h.restartServer());
  afterEach(() => h.stopSubscribers());

  it('a lease is renewed and released only by its holder', async () => {
    const a = new RedisLease(redis, `${prefix}:lease`, 5000);
    const b = new RedisLease(redis, `${prefix}:lease`, 5000);
    expect(await a.acquire()).toBe(true);
    expect(await b.acquire()).toBe(false);
    expect(await b.renew()).toBe(false);
    expect(await b.release()).toBe(false);
    expect(await a.renew()).toBe(true);
    expect(await a.release()).toBe(true);
    expect(await b.acquire()).toBe(true);
    await b.release();
  });

  it('of two processes one subscribes; the other takes over when it stops, from the stored replay id', async () => {
    const tenant = 'graceful';
    const received: Received[] = [];
    const one = await worker(h, prefix, tenant, received);
    const two = await worker(h, prefix, tenant, received);
    one.exclusive.start();
    two.exclusive.start();
    await until(() => [one, two].some((w) => w.events.includes(`subscribed ${ACCOUNT} -2`)));
    const [holder, standby] = one.exclusive.isHolding ? [one, two] : [two, one];
    await h.server.publish(ACCOUNT, changeEvent(1));
    await until(() => holder.events.includes(`stored ${ACCOUNT} 1`));
    // The standby has been trying all along and never subscribed.
    expect(standby.exclusive.isHolding).toBe(false);
    expect(standby.events).toEqual([]);
    expect(h.server.subscribedClients().size).toBe(1);

    await holder.close();
    await until(() => standby.events.includes(`subscribed ${ACCOUNT} 1`));
    await h.server.publish(ACCOUNT, changeEvent(2));
    await until(() => standby.events.includes(`stored ${ACCOUNT} 2`));
    await standby.close();
    expect(received.map((r) => r.replayId)).toEqual([1, 2]);
    expect(standby.holding).toEqual([true, false]);
  });

  it('when the holder dies (its lease expires), the other takes over', async () => {
    const tenant = 'crash';
    const received: Received[] = [];
    const one = await worker(h, prefix, tenant, received);
    one.exclusive.start();
    await until(() => one.events.includes(`subscribed ${ACCOUNT} -2`));
    const two = await worker(h, prefix, tenant, received);
    two.exclusive.start();
    await h.server.publish(ACCOUNT, changeEvent(11));
    await until(() => one.events.includes(`stored ${ACCOUNT} 11`));

    // The holder loses Redis, as a crashed process would: it cannot renew, so the lease expires.
    one.redis.disconnect();
    await until(() => two.exclusive.isHolding && two.events.includes(`subscribed ${ACCOUNT} 11`));
    // Unable to prove it still holds the lease, the first one stopped subscribing by itself.
    await until(() => one.holding.at(-1) === false);
    await h.server.publish(ACCOUNT, changeEvent(12));
    await until(() => two.events.includes(`stored ${ACCOUNT} 12`));
    await Promise.all([one.close(), two.close()]);
    expect(received.map((r) => r.replayId)).toEqual([11, 12]);
  });
});
