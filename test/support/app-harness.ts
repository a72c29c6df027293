/** The service with the Zendesk app endpoints, against the test PostgreSQL schema, with fixed Zendesk look-ups. */
import { SignJWT } from 'jose';
import { parseConfig } from '../../connector/config/config.ts';
import type { ServiceHandle } from '../../connector/app/service.ts';
import { startStanding } from '../../connector/app/standing.ts';
import type { ZendeskAppLookups } from '../../connector/app-api/zendesk-app-lookups.ts';
import type { AppApiOptions } from '../../connector/app/app-api-wiring.ts';
import { intakeEnv, type IntakeEnv } from './intake-harness.ts';

export interface AppService {
  env: IntakeEnv;
  handle: ServiceHandle;
  url: string;
  adminToken: string;
}

/**
 * No Zendesk API credentials: the worker makes no identity look-ups; the app endpoints use `lookups`.
 * `overrides`: more environment, e.g. `STANDING_ROLE: 'api'` for a service without a worker.
 */
export async function startAppService(
  label: string,
  lookups: ZendeskAppLookups,
  overrides: Record<string, string> = {},
  app: Omit<AppApiOptions, 'lookups'> = {},
): Promise<AppService> {
  const env = intakeEnv(label, { ZENDESK_API_EMAIL: '', ZENDESK_API_TOKEN: '', ...overrides });
  const parsed = parseConfig(env.env);
  if (!parsed.ok) throw new Error(`test config invalid: ${JSON.stringify(parsed.problems)}`);
  const handle = await startStanding(parsed.config, { app: { ...app, lookups } });
  return { env, handle, url: handle.url, adminToken: env.env.STANDING_ADMIN_TOKEN! };
}

export async function createTenant(s: AppService, body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${s.url}/api/v1/tenants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`tenant ${String(body.id)}: ${res.status} ${await res.text()}`);
}

/** What Zendesk's request proxy sends for `jwt: {algorithm: 'HS256', secret_key, expiry, claims}`. */
export function appToken(secret: string, claims: Record<string, unknown>, expiresInS = 300): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + expiresInS)
    .sign(new TextEncoder().encode(secret));
}
