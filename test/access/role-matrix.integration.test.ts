/**
 * Each role can do exactly its actions: every route of the API, called by every kind of caller (no
 * credential, the operator's token, a tenant's agent, admin and auditor keys, another tenant's admin
 * key), on the real service. The expected roles are written here, route by route, independently of
 * connector/access/permissions.ts, and every path the OpenAPI document lists must be in the table.
 * Refusals must land in the read audit.
 */
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceHandle } from '../../connector/app/service.ts';
import { DEFAULT_ZENDESK_MAPPING_DOCUMENT } from '../../connector/zendesk/mapping-document.ts';
import { issueKey } from '../support/access.ts';
import { intakeEnv, startIntakeService, stopIntakeService, type IntakeEnv } from '../support/intake-harness.ts';

type Caller = 'operator' | 'agent' | 'admin' | 'auditor';
const CALLERS: readonly Caller[] = ['operator', 'agent', 'admin', 'auditor'];

/** [method, path (under the service root), body, who may]. `{t}` is the tenant the keys belong to. */
const ROUTES: readonly [string, string, unknown, readonly Caller[]][] = [
  ['GET', '/api/v1/tenants', undefined, ['operator']],
  ['POST', '/api/v1/tenants', { id: 'matrix-new', name: 'New' }, ['operator']],
  ['GET', '/api/v1/tenants/{t}', undefined, ['operator', 'admin']],
  ['PATCH', '/api/v1/tenants/{t}', { name: 'Default tenant' }, ['operator', 'admin']],
  ['POST', '/api/v1/tenants/{t}/keys', { role: 'agent', name: 'matrix' }, ['operator']],
  ['POST', '/api/v1/tenants/{t}/keys', { role: 'admin', name: 'matrix' }, ['operator']],
  // Outside production the operator may issue more than a tenant's first (key-records.integration.test.ts covers
  // first-only).
  ['POST', '/api/v1/tenants/{t}/keys', { role: 'auditor', name: 'matrix' }, ['operator', 'auditor']],
  ['GET', '/api/v1/tenants/{t}/keys', undefined, ['operator']],
  ['DELETE', '/api/v1/tenants/{t}/keys/0000000000000000', undefined, ['operator']],
  ['GET', '/api/v1/history?email=someone%40example.com', undefined, ['auditor']],
  ['GET', '/api/v1/tenants/{t}/mappings/zendesk', undefined, ['admin']],
  ['PUT', '/api/v1/tenants/{t}/mappings/zendesk', DEFAULT_ZENDESK_MAPPING_DOCUMENT, ['admin']],
  ['GET', '/api/v1/tenants/{t}/mappings/zendesk/versions', undefined, ['admin']],
  ['GET', '/api/v1/tenants/{t}/quarantine', undefined, ['admin']],
  ['GET', '/api/v1/tenants/{t}/inbox?state=ignored', undefined, ['admin']],
  ['POST', '/api/v1/tenants/{t}/quarantine/replay', { event_ids: ['none'] }, ['admin']],
  ['GET', '/api/v1/tenants/{t}/app-settings/warnings', undefined, ['operator', 'admin']],
  ['PUT', '/api/v1/tenants/{t}/app-settings/warnings', {}, ['operator', 'admin']],
  ['GET', '/api/v1/tenants/{t}/app-settings/workplace', undefined, ['operator', 'admin']],
  ['PUT', '/api/v1/tenants/{t}/app-settings/workplace', {}, ['operator', 'admin']],
  ['GET', '/api/v1/tenants/{t}/salesforce', undefined, ['operator', 'admin']],
  [
    'PUT',
    '/api/v1/tenants/{t}/salesforce',
    { organization_id: '00D000000000001AAA', instance_url: 'https://acme.my.salesforce.com' },
    ['operator', 'admin'],
  ],
  ['GET', '/api/v1/tenants/{t}/reconciliation/runs', undefined, ['admin', 'auditor']],
  ['GET', '/api/v1/tenants/{t}/insights?from=2026-03-01&to=2026-03-31', undefined, ['operator', 'admin', 'auditor']],
  [
    'GET',
    '/api/v1/tenants/{t}/insights/customers?from=2026-03-01&to=2026-03-31&warning=repeated_cycles',
    undefined,
    ['auditor'],
  ],
  ['GET', '/api/v1/tenants/{t}/audit', undefined, ['auditor']],
  ['GET', '/api/v1/tenants/{t}/audit/verify', undefined, ['auditor']],
  ['GET', '/api/v1/tenants/{t}/audit/keys', undefined, ['admin', 'auditor']],
  ['GET', '/api/v1/tenants/*/audit', undefined, ['operator']],
  ['GET', '/api/v1/tenants/{t}/verify', undefined, ['operator', 'auditor']],
  ['GET', '/api/v1/tenants/{t}/subjects/access-export?email=someone%40example.com', undefined, ['auditor']],
  [
    'POST',
    '/api/v1/tenants/{t}/subjects/erase',
    { identities: { email: 'nobody.matrix@example.com' }, reason: 'matrix' },
    ['admin'],
  ],
  ['GET', '/api/v1/tenants/{t}/siem/events?limit=1', undefined, ['admin', 'auditor']],
  ['GET', '/api/v1/tenants/{t}/siem/splunk', undefined, ['admin', 'auditor']],
  [
    'PUT',
    '/api/v1/tenants/{t}/siem/splunk',
    { url: 'https://splunk.example.com:8088', token: 'matrix-token' },
    ['admin', 'auditor'],
  ],
  ['GET', '/api/v1/tenants/{t}/siem/loggly', undefined, ['admin', 'auditor']],
  ['PUT', '/api/v1/tenants/{t}/siem/loggly', { token: 'matrix-token-0001', tag: 'matrix' }, ['admin', 'auditor']],
  ['GET', '/api/v1/tenants/{t}/alerts/channels', undefined, ['operator', 'admin']],
  ['PUT', '/api/v1/tenants/{t}/alerts/channels', { zendesk_note: { enabled: false } }, ['operator', 'admin']],
  ['POST', '/api/v1/tenants/{t}/alerts/test', { channel: 'webhook' }, ['operator', 'admin']],
  ['GET', '/api/v1/tenants/{t}/alerts/deliveries', undefined, ['operator', 'admin']],
  ['GET', '/app/v1/{t}/sidebar?ticket_id=1', undefined, ['agent', 'admin', 'auditor']],
  ['GET', '/metrics', undefined, ['operator']],
  ['GET', '/admin/queues', undefined, ['operator']],
];

let env: IntakeEnv;
let svc: ServiceHandle;
const credential: Partial<Record<Caller | 'otherAdmin', string>> = {};

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  env = intakeEnv('role_matrix', { STANDING_SIEM_PUSH_INTERVAL_MS: '0' });
  svc = await startIntakeService(env);
  const operator = env.env.STANDING_ADMIN_TOKEN!;
  credential.operator = operator;
  for (const role of ['agent', 'admin', 'auditor'] as const)
    credential[role] = await issueKey(svc.url, operator, 'default', role);
  const other = await fetch(`${svc.url}/api/v1/tenants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'matrix-other', name: 'Other' }),
  });
  expect(other.status).toBe(201);
  credential.otherAdmin = await issueKey(svc.url, operator, 'matrix-other', 'admin');
});
afterAll(async () => {
  await stopIntakeService(env, svc);
  nock.cleanAll();
  nock.enableNetConnect();
});

const call = (method: string, path: string, body: unknown, token: string | undefined) =>
  fetch(`${svc.url}${path.replace('{t}', 'default')}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe.each(ROUTES)('%s %s', (method, path, body, allowed) => {
  it('is 401 without a credential and with a wrong one', async () => {
    expect((await call(method, path, body, undefined)).status).toBe(401);
    expect(
      (await call(method, path, body, 'stk_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).status,
    ).toBe(401);
  });

  it.each(CALLERS)('for %s: allowed exactly when the role may', async (caller) => {
    const res = await call(method, path, body, credential[caller]);
    if (allowed.includes(caller))
      expect([401, 403], `${caller} ${res.status} ${await res.clone().text()}`).not.toContain(res.status);
    else expect(res.status, `${caller}`).toBe(403);
  });

  it("is 403 for another tenant's admin key", async () => {
    if (!path.includes('{t}') && !path.includes('/history')) return;
    expect((await call(method, path, body, credential.otherAdmin)).status).toBe(403);
  });
});

describe('coverage and records', () => {
  it('lists every path of the OpenAPI document but health, the document itself and provider webhooks', () => {
    const yaml = readFileSync(new URL('../../connector/http/openapi.yaml', import.meta.url), 'utf8');
    const documented = [...yaml.matchAll(/^ {2}(\/[^:\s]+):$/gm)].map((m) => m[1]!);
    const tested = new Set(
      ROUTES.map(([, path]) =>
        path
          .split('?')[0]!
          .replace('{t}', '{tenant}')
          .replace('/tenants/*/', '/tenants/{tenant}/')
          .replace('/zendesk', '/{source}')
          .replace(/\/keys\/0+$/, '/keys/{key_id}'),
      ),
    );
    const exempt = /^\/(healthz|readyz|api\/v1\/openapi\.yaml|webhooks\/|app\/v1\/)/;
    for (const path of documented.filter((p) => !exempt.test(p))) expect(tested, path).toContain(path);
  });

  it('recorded the refusals in the tenant read audit, with who and the permission, never the credential', async () => {
    const page = await fetch(`${svc.url}/api/v1/tenants/default/audit?action=denied&limit=1000`, {
      headers: { authorization: `Bearer ${credential.auditor}` },
    });
    expect(page.status).toBe(200);
    const text = await page.text();
    for (const secret of Object.values(credential)) expect(text).not.toContain(secret!.slice(-20));
    const { entries } = JSON.parse(text) as {
      entries: {
        outcome: string;
        principal: { type: string; label: string };
        detail: { permission?: string; reason?: string };
        path: string;
      }[];
    };
    expect(entries.length).toBeGreaterThan(20);
    expect(entries.every((e) => e.outcome === 'denied')).toBe(true);
    expect(entries).toContainEqual(
      expect.objectContaining({
        path: 'GET /api/v1/tenants/default/mappings/zendesk',
        principal: expect.objectContaining({ type: 'operator' }),
        detail: expect.objectContaining({ permission: 'mapping.read' }),
      }),
    );
    // A refusal about no one tenant (the operator asking for a history names none) is in the operator's `*` chain.
    const global = await fetch(`${svc.url}/api/v1/tenants/*/audit?action=denied&limit=1000`, {
      headers: { authorization: `Bearer ${credential.operator}` },
    });
    const globalEntries = (
      (await global.json()) as {
        entries: { path: string; principal: { type: string }; detail: { permission?: string } }[];
      }
    ).entries;
    expect(globalEntries).toContainEqual(
      expect.objectContaining({
        path: 'GET /api/v1/history',
        principal: expect.objectContaining({ type: 'operator' }),
        detail: expect.objectContaining({ permission: 'history.read' }),
      }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({
        principal: expect.objectContaining({ type: 'anonymous' }),
        detail: expect.objectContaining({ reason: 'no credentials' }),
      }),
    );
  });
});
