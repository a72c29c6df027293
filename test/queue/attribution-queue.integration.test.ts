/**
 * The attribution queue on the real Redis: one job per tenant however often it is asked for while one
 * waits, a run the provider rate-limited retried after the provider's wait, and the sweep asking for
 * every tenant that is behind. The attributor is a function the root hands in; here one that counts.
 */
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ATTRIBUTION_QUEUE_NAME,
  startAttributionQueue,
  type AttributionRunOutcome,
} from '../../queue/attribution-queue.ts';
import { dropRedisPrefix, REDIS_URL, waitFor } from '../support/intake-harness.ts';

const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
const prefixes: string[] = [];
const newPrefix = () => {
  const p = `test-attribution-${randomBytes(4).toString('hex')}`;
  prefixes.push(p);
  return p;
};
const logger = pino({ level: 'silent' });

afterAll(async () => {
  for (const p of prefixes) await dropRedisPrefix(p);
  await connection.quit();
});

describe('the attribution queue', () => {
  it('keeps one waiting job per tenant, however often asked', async () => {
    const prefix = newPrefix();
    const q = await startAttributionQueue(
      { attribute: async () => ({ ok: true }), tenantsBehind: async () => ['acme', 'globex'], logger },
      { connection, prefix, work: false, sweepEveryMs: 0 },
    );
    for (let i = 0; i < 3; i++) await q.request('acme');
    expect(await q.requestBehind()).toBe(2);
    const probe = new Queue(ATTRIBUTION_QUEUE_NAME, { connection, prefix });
    const waiting = await probe.getWaiting();
    expect(waiting.map((j) => j.data.tenant).sort()).toEqual(['acme', 'globex']);
    await probe.close();
    await q.close();
  });

  it("retries a rate-limited run after the provider's wait, and runs again until the log's end", async () => {
    const prefix = newPrefix();
    const outcomes: AttributionRunOutcome[] = [
      { ok: false, retryAfterMs: 200, message: 'Zendesk answered 429 (rate_limited)' },
      { ok: true, done: false },
      { ok: true, done: true },
    ];
    const runs: string[] = [];
    const q = await startAttributionQueue(
      {
        attribute: async (tenant) => {
          runs.push(tenant);
          return outcomes.shift() ?? { ok: true, done: true };
        },
        tenantsBehind: async () => [],
        logger,
      },
      { connection, prefix, sweepEveryMs: 0, backoffMs: 10 },
    );
    await q.request('acme');
    await waitFor('three runs', async () => runs.length >= 3, 15_000);
    expect(runs).toEqual(['acme', 'acme', 'acme']);
    await q.close();
  });
});
