/**
 * Runs the real service (HTTP + intake queue + worker) against the machine's PostgreSQL and Redis,
 * in a schema and a Redis key prefix of its own, for end-to-end intake tests.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { parseConfig } from '../../connector/config/config.ts';
import { startStanding } from '../../connector/app/standing.ts';
import type { ServiceHandle } from '../../connector/app/service.ts';
import { signZendeskWebhook } from '../../connector/zendesk/webhook-signature.ts';
import { TEST_DATABASE_URL, uniqueSchema } from './databases.ts';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** A signing secret of the shape Zendesk shows (its public test secret is refused). */
export const WEBHOOK_SECRET = randomBytes(32).toString('base64');

export interface IntakeEnv {
  schema: string;
  prefix: string;
  env: Record<string, string>;
}

/** Environment of one isolated deployment (schema + Redis prefix + secrets). */
export function intakeEnv(label: string, overrides: Record<string, string> = {}): IntakeEnv {
  const schema = uniqueSchema(label);
  const prefix = `test-${schema}`;
  return {
    schema,
    prefix,
    env: {
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_SCHEMA: schema,
      REDIS_URL,
      STANDING_QUEUE_PREFIX: prefix,
      PORT: '0',
      HOST: '127.0.0.1',
      STANDING_DATA_DIR: mkdtempSync(join(tmpdir(), 'standing-')),
      STANDING_MASTER_KEY: randomBytes(32).toString('base64'),
      STANDING_ADMIN_TOKEN: randomBytes(24).toString('hex'),
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      ZENDESK_SUBDOMAIN: 'acme',
      ZENDESK_WEBHOOK_SECRET: WEBHOOK_SECRET,
      ZENDESK_API_EMAIL: 'integration@acme.example',
      ZENDESK_API_TOKEN: 'zendesk-api-token-for-tests',
      // Scheduled reconciliation would read acme.zendesk.com: suites that want it turn it on.
      STANDING_RECONCILE_INTERVAL_MS: '0',
      // So would attribution (its audit log and ticket audits): suites that want it turn it on.
      STANDING_ATTRIBUTION_SWEEP_MS: '0',
      ...overrides,
    },
  };
}

export async function startIntakeService(e: IntakeEnv): Promise<ServiceHandle> {
  const parsed = parseConfig(e.env);
  if (!parsed.ok) throw new Error(`test config invalid: ${JSON.stringify(parsed.problems)}`);
  return startStanding(parsed.config);
}

export interface SignedPost {
  secret?: string;
  timestamp?: string;
  headers?: Record<string, string>;
  /** Send these exact bytes instead of JSON.stringify(body). */
  raw?: string;
}

export async function postWebhook(
  baseUrl: string,
  tenant: string,
  body: unknown,
  o: SignedPost = {},
): Promise<Response> {
  const raw = o.raw ?? JSON.stringify(body);
  const timestamp = o.timestamp ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return fetch(`${baseUrl}/webhooks/zendesk/${tenant}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-zendesk-webhook-signature-timestamp': timestamp,
      'x-zendesk-webhook-signature': signZendeskWebhook(o.secret ?? WEBHOOK_SECRET, timestamp, raw),
      ...o.headers,
    },
    body: raw,
  });
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Removes a test deployment's Redis keys. */
export async function dropRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * Stops a test deployment and removes its schema and Redis keys (with connections of its own: the services' are closed
 * by then).
 */
export async function stopIntakeService(e: IntakeEnv, ...services: (ServiceHandle | undefined)[]): Promise<void> {
  for (const s of services) await s?.close();
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${e.schema} CASCADE`);
  } finally {
    await client.end();
  }
  await dropRedisPrefix(e.prefix);
}
