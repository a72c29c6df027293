/**
 * Personal data is never cached and never sniffed, and no browser origin is allowed: on the real
 * service, over HTTP, every answer (histories, inbox, quarantine, the app's endpoints, errors, 404s,
 * health, metrics, webhooks) says `Cache-Control: no-store` and `X-Content-Type-Options: nosniff`,
 * and a CORS preflight is refused with a 403 that names why and allows nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceHandle } from '../../connector/app/service.ts';
import { bearer, issueKey } from '../support/access.ts';
import {
  intakeEnv,
  postWebhook,
  startIntakeService,
  stopIntakeService,
  waitFor,
  type IntakeEnv,
} from '../support/intake-harness.ts';

let env: IntakeEnv;
let svc: ServiceHandle;
const keys: Record<'operator' | 'agent' | 'admin' | 'auditor', string> = {
  operator: '',
  agent: '',
  admin: '',
  auditor: '',
};

beforeAll(async () => {
  env = intakeEnv('security_headers', { STANDING_SIEM_PUSH_INTERVAL_MS: '0' });
  svc = await startIntakeService(env);
  keys.operator = env.env.STANDING_ADMIN_TOKEN!;
  for (const role of ['agent', 'admin', 'auditor'] as const)
    keys[role] = await issueKey(svc.url, keys.operator, 'default', role);
  // A stored event, so the history and the inbox below hold an email and a raw payload.
  const posted = await postWebhook(svc.url, 'default', {
    type: 'zen:event-type:user.active_changed',
    account_id: 1,
    id: 'sec-headers-1',
    time: new Date().toISOString(),
    zendesk_event_version: '2022-11-06',
    subject: 'zen:user:4242',
    detail: { id: '4242', email: 'private.person@example.com', active: 'false' },
    event: { current: false, previous: true },
  });
  expect([200, 202]).toContain(posted.status);
});
afterAll(async () => {
  await stopIntakeService(env, svc);
});

const get = (path: string, token?: string) => fetch(`${svc.url}${path}`, { headers: token ? bearer(token) : {} });

/** [what, the request, the status expected]: answers with personal data, and every other kind. */
const ANSWERS: readonly [string, () => Promise<Response>, number][] = [
  ['a history', () => get('/api/v1/history?email=private.person%40example.com', keys.auditor), 200],
  ['the inbox', () => get('/api/v1/tenants/default/inbox?state=stored', keys.admin), 200],
  ['the quarantine', () => get('/api/v1/tenants/default/quarantine', keys.admin), 200],
  ['the key list', () => get('/api/v1/tenants/default/keys', keys.operator), 200],
  ['the app sidebar (unknown ticket)', () => get('/app/v1/default/sidebar?ticket_id=999999', keys.agent), 404],
  ['the app admin page without a token', () => get('/app/v1/default/admin/quarantine'), 401],
  ['a refusal', () => get('/api/v1/history?email=private.person%40example.com', keys.operator), 403],
  ['a missing credential', () => get('/api/v1/tenants/default/inbox?state=stored'), 401],
  ['an invalid query', () => get('/api/v1/tenants/default/inbox?state=nonsense', keys.admin), 400],
  ['an unknown route', () => get('/no/such/route'), 404],
  [
    'invalid JSON',
    () =>
      fetch(`${svc.url}/api/v1/tenants`, {
        method: 'POST',
        headers: { ...bearer(keys.operator), 'content-type': 'application/json' },
        body: '{',
      }),
    400,
  ],
  ['/healthz', () => get('/healthz'), 200],
  ['/readyz', () => get('/readyz'), 200],
  ['/metrics', () => get('/metrics', keys.operator), 200],
  ['the OpenAPI document', () => get('/api/v1/openapi.yaml'), 200],
  [
    'a webhook refused (bad signature)',
    () => postWebhook(svc.url, 'default', { type: 'x' }, { secret: 'not-the-secret-of-this-webhook' }),
    401,
  ],
  ['a webhook for no tenant', () => postWebhook(svc.url, 'nosuch', { type: 'x' }), 404],
];

describe('every answer', () => {
  it.each(ANSWERS)('%s: no-store and nosniff', async (_what, request, status) => {
    const res = await request();
    expect(res.status, await res.clone().text()).toBe(status);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('an inbox answer holds the raw payload, email included (so no-store is what protects it)', async () => {
    const found = await waitFor('the event in the inbox', async () => {
      for (const state of ['pending', 'stored', 'ignored', 'quarantined']) {
        const res = await get(`/api/v1/tenants/default/inbox?state=${state}`, keys.admin);
        const text = await res.text();
        if (text.includes('private.person@example.com')) return res;
      }
      return null;
    });
    expect(found.headers.get('cache-control')).toBe('no-store');
    expect(found.headers.get('etag')).toBeTruthy();
  });
});

describe('CORS', () => {
  it.each([
    ['OPTIONS', '/api/v1/history?email=a%40b.co', 'GET'],
    ['OPTIONS', '/api/v1/tenants/default/keys', 'POST'],
    ['OPTIONS', '/app/v1/default/sidebar?ticket_id=1', 'GET'],
    ['OPTIONS', '/webhooks/zendesk/default', 'POST'],
  ])('a preflight %s %s is refused with 403, naming why, and allows nothing', async (method, path, requested) => {
    const res = await fetch(`${svc.url}${path}`, {
      method,
      headers: {
        Origin: 'https://evil.example',
        'Access-Control-Request-Method': requested,
        'Access-Control-Request-Headers': 'authorization',
      },
    });
    expect(res.status).toBe(403);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('cors_refused');
    expect(body.error.message).toMatch(/no browser origin is ever allowed/);
    expect([...res.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('a cross-origin request is never given Access-Control-Allow-Origin', async () => {
    const res = await fetch(`${svc.url}/api/v1/history?email=private.person%40example.com`, {
      headers: { ...bearer(keys.auditor), Origin: 'https://evil.example' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
