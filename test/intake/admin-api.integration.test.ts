/**
 * The admin API on the real service (PostgreSQL, Redis, worker): tenants, per-tenant webhook
 * secrets, versioned mappings, the quarantine and replay.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationFor } from '../support/access.ts';
import type { ServiceHandle } from '../../connector/app/service.ts';
import { DEFAULT_ZENDESK_MAPPING_DOCUMENT } from '../../connector/zendesk/mapping-document.ts';
import {
  intakeEnv,
  postWebhook,
  startIntakeService,
  waitFor,
  WEBHOOK_SECRET,
  type IntakeEnv,
  stopIntakeService,
} from '../support/intake-harness.ts';

const userDeactivated = JSON.parse(
  readFileSync(new URL('../fixtures/zendesk/user.active_changed.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

const TENANT = 'initrode';
const TENANT_SECRET = `initrode-signing-${randomBytes(16).toString('base64url')}`;
const TENANT_API_TOKEN = `initrode-token-${randomBytes(8).toString('hex')}`;

let env: IntakeEnv;
let svc: ServiceHandle;
let n = 0;
const uid = () => `admin-${Date.now()}-${++n}`;

interface ErrorBody {
  error: { code: string; message: string; details?: { path: string; message: string }[] };
}

async function api(path: string, init: RequestInit & { token?: string | null } = {}): Promise<Response> {
  const { token, ...rest } = init;
  // Without a token named, the route's own role: the operator's, or the tenant's admin or auditor key.
  const auth: Record<string, string> =
    token === null
      ? {}
      : {
          authorization:
            token === undefined
              ? await authorizationFor(svc.url, env.env.STANDING_ADMIN_TOKEN!, `/api/v1${path}`)
              : `Bearer ${token}`,
        };
  return fetch(`${svc.url}/api/v1${path}`, {
    ...rest,
    headers: { 'content-type': 'application/json', ...auth, ...rest.headers },
  });
}
const json = async <T>(res: Response): Promise<T> => (await res.json()) as T;
/** The key `api` uses for this tenant's route (the admin's or the auditor's). */
const keyOf = async (tenant: string, path: string) =>
  (await authorizationFor(svc.url, env.env.STANDING_ADMIN_TOKEN!, `/api/v1/tenants/${tenant}${path}`)).slice(
    'Bearer '.length,
  );

const inboxRows = (tenant: string, ids: readonly string[]) =>
  svc.resources.db.query<{ event_id: string; state: string; attempts: number }>(
    'SELECT event_id, state, attempts FROM intake_inbox WHERE tenant = $1 AND event_id = ANY($2::text[])',
    [tenant, ids],
  );

/** An event-subscription body of a type this connector does not know: quarantined, never mapped. */
const futureEvent = () => ({
  type: 'zen:event-type:user.some_future_event',
  account_id: 12514403,
  id: uid(),
  time: '2026-03-06T10:00:00Z',
  zendesk_event_version: '2026-01-01',
  subject: 'zen:user:7001',
  detail: { id: '7001' },
  event: {},
});

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  env = intakeEnv('admin_api');
  svc = await startIntakeService(env);
});

afterAll(async () => {
  await stopIntakeService(env, svc);
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('authentication', () => {
  const routes: [string, string, unknown?][] = [
    ['GET', '/tenants'],
    ['POST', '/tenants', { id: 'sneaky', name: 'Sneaky' }],
    ['GET', '/tenants/default'],
    ['PATCH', '/tenants/default', { name: 'Hijacked' }],
    ['GET', '/tenants/default/mappings/zendesk'],
    ['PUT', '/tenants/default/mappings/zendesk', DEFAULT_ZENDESK_MAPPING_DOCUMENT],
    ['GET', '/tenants/default/mappings/zendesk/versions'],
    ['GET', '/tenants/default/quarantine'],
    ['POST', '/tenants/default/quarantine/replay'],
    ['GET', '/tenants/nosuch'],
  ];

  it.each(routes)('%s %s is 401 without the admin token, and with a wrong one', async (method, path, body) => {
    const init = { method, body: body === undefined ? undefined : JSON.stringify(body) };
    const without = await api(path, { ...init, token: null });
    expect(without.status).toBe(401);
    expect(without.headers.get('www-authenticate')).toBe('Bearer realm="standing"');
    expect((await json<ErrorBody>(without)).error.code).toBe('unauthorized');
    const wrong = await api(path, { ...init, token: 'not-the-admin-token-0123456789abcdef' });
    expect(wrong.status).toBe(401);
    expect((await json<ErrorBody>(wrong)).error.code).toBe('unauthorized');
  });

  it('every admin route and the webhook are in the OpenAPI document', async () => {
    const yaml = await (await fetch(`${svc.url}/api/v1/openapi.yaml`)).text();
    const documented = [
      ...new Set(
        routes.map(([, path]) =>
          path
            .replace('/tenants/default', '/tenants/{tenant}')
            .replace('/tenants/nosuch', '/tenants/{tenant}')
            .replace('/zendesk', '/{source}'),
        ),
      ),
    ];
    for (const path of [...documented.map((p) => `/api/v1${p}`), '/webhooks/zendesk/{tenant}'])
      expect(yaml).toMatch(new RegExp(`^  ${path.replace(/[{}]/g, '\\$&')}:$`, 'm'));
  });

  it('changed nothing on the way', async () => {
    expect((await api('/tenants/sneaky')).status).toBe(404);
    expect((await json<{ name: string }>(await api('/tenants/default'))).name).toBe('Default tenant');
    expect(
      (await json<{ versions: unknown[] }>(await api('/tenants/default/mappings/zendesk/versions'))).versions,
    ).toEqual([]);
  });
});

describe('tenants', () => {
  it('POST creates a tenant: 201 with the view, never the secrets', async () => {
    const res = await api('/tenants', {
      method: 'POST',
      body: JSON.stringify({
        id: TENANT,
        name: 'Initrode',
        zendesk: {
          subdomain: 'initrode',
          webhook_secret: TENANT_SECRET,
          api_email: 'zd-api@initrode.example',
          api_token: TENANT_API_TOKEN,
        },
      }),
    });
    expect(res.status).toBe(201);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      id: TENANT,
      name: 'Initrode',
      zendesk: {
        subdomain: 'initrode',
        api_url: null,
        api_email: 'zd-api@initrode.example',
        webhook_secret_set: true,
        api_token_set: true,
        app_shared_secret_set: false,
      },
    });
    expect(text).not.toContain(TENANT_SECRET);
    expect(text).not.toContain(TENANT_API_TOKEN);
  });

  it('409 on a duplicate id', async () => {
    const res = await api('/tenants', { method: 'POST', body: JSON.stringify({ id: TENANT, name: 'Initrode again' }) });
    expect(res.status).toBe(409);
    expect((await json<ErrorBody>(res)).error.code).toBe('tenant_exists');
  });

  it.each([
    [
      'a full host name as subdomain',
      { id: 'umbrella', name: 'Umbrella', zendesk: { subdomain: 'umbrella.zendesk.com' } },
      'zendesk.subdomain',
    ],
    ['a bad id', { id: 'Not Valid', name: 'X' }, 'id'],
    ['an empty name', { id: 'umbrella', name: '  ' }, 'name'],
    [
      'a short webhook secret',
      { id: 'umbrella', name: 'Umbrella', zendesk: { webhook_secret: 'too-short' } },
      'zendesk.webhook_secret',
    ],
    [
      'a bad api email',
      { id: 'umbrella', name: 'Umbrella', zendesk: { api_email: 'not-an-email' } },
      'zendesk.api_email',
    ],
  ])('400 naming the field for %s', async (_name, body, path) => {
    const res = await api('/tenants', { method: 'POST', body: JSON.stringify(body) });
    expect(res.status).toBe(400);
    const text = await res.text();
    const error = (JSON.parse(text) as ErrorBody).error;
    expect(error.code).toBe('invalid_tenant');
    expect(error.details?.map((d) => d.path)).toContain(path);
    expect(text).not.toContain('too-short');
    expect((await api('/tenants/umbrella')).status).toBe(404);
  });

  it('400 invalid_json for a body that is not JSON', async () => {
    const res = await api('/tenants', { method: 'POST', body: '{"id": "x",' });
    expect(res.status).toBe(400);
    expect((await json<ErrorBody>(res)).error.code).toBe('invalid_json');
  });

  it('GET lists and shows tenants without secrets', async () => {
    const list = await api('/tenants');
    expect(list.status).toBe(200);
    const text = await list.text();
    expect((JSON.parse(text) as { tenants: { id: string }[] }).tenants.map((t) => t.id)).toEqual(['default', TENANT]);
    for (const secret of [TENANT_SECRET, TENANT_API_TOKEN, WEBHOOK_SECRET, env.env.ZENDESK_API_TOKEN!])
      expect(text).not.toContain(secret);
    expect((await api('/tenants/nosuch')).status).toBe(404);
  });

  it('PATCH changes what is given, keeps the rest, null clears', async () => {
    const res = await api(`/tenants/${TENANT}`, {
      method: 'PATCH',
      body: JSON.stringify({ name: 'Initrode Corp', zendesk: { api_token: null } }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      id: TENANT,
      name: 'Initrode Corp',
      zendesk: {
        subdomain: 'initrode',
        api_url: null,
        api_email: 'zd-api@initrode.example',
        webhook_secret_set: true,
        api_token_set: false,
        app_shared_secret_set: false,
      },
    });
    expect(await json<unknown>(await api(`/tenants/${TENANT}`))).toMatchObject({
      name: 'Initrode Corp',
      zendesk: { api_token_set: false, webhook_secret_set: true },
    });

    const bad = await api(`/tenants/${TENANT}`, {
      method: 'PATCH',
      body: JSON.stringify({ zendesk: { subdomain: 'has space' } }),
    });
    expect(bad.status).toBe(400);
    expect((await json<ErrorBody>(bad)).error.details?.map((d) => d.path)).toEqual(['zendesk.subdomain']);
    const unknown = await api('/tenants/nosuch', { method: 'PATCH', body: JSON.stringify({ name: 'X' }) });
    expect(unknown.status).toBe(404);
  });
});

describe("a tenant's webhook", () => {
  it("accepts a body signed with the tenant's own secret, and the event reaches that tenant's log", async () => {
    const body = { ...userDeactivated, id: uid() };
    const res = await postWebhook(svc.url, TENANT, body, { secret: TENANT_SECRET });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: 'accepted', event_id: body.id });
    const history = await waitFor('the log entry', async () => {
      const h = await svc.resources.log.history(TENANT, { zendesk_user_id: '6596848315901' });
      return h.events.some((e) => e.source.event_id === body.id) ? h : null;
    });
    const e = history.events.find((x) => x.source.event_id === body.id)!;
    expect(e).toMatchObject({ tenant: TENANT, kind: 'deactivation', status: { after: 'deleted' } });
    expect(e.source.url).toBe('https://initrode.zendesk.com/agent/users/6596848315901');
    const other = await svc.resources.log.history('default', { zendesk_user_id: '6596848315901' });
    expect(other.events.some((x) => x.source.event_id === body.id)).toBe(false);
  });

  it("refuses one signed with another tenant's secret (401), either way round", async () => {
    const withDefaultSecret = await postWebhook(
      svc.url,
      TENANT,
      { ...userDeactivated, id: uid() },
      { secret: WEBHOOK_SECRET },
    );
    expect(withDefaultSecret.status).toBe(401);
    expect((await json<ErrorBody>(withDefaultSecret)).error.code).toBe('invalid_signature');
    const atDefault = await postWebhook(
      svc.url,
      'default',
      { ...userDeactivated, id: uid() },
      { secret: TENANT_SECRET },
    );
    expect(atDefault.status).toBe(401);
  });
});

describe('mappings', () => {
  const base = `/tenants/${TENANT}/mappings/zendesk`;

  it('GET gives the built-in default, marked as such, until one is set', async () => {
    const res = await api(base);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      version: 0,
      document: DEFAULT_ZENDESK_MAPPING_DOCUMENT,
      changed_by: null,
      changed_at: null,
      is_default: true,
    });
  });

  it('PUT records versions with who and when; GET versions lists them newest first', async () => {
    const doc = structuredClone(DEFAULT_ZENDESK_MAPPING_DOCUMENT);
    doc.ticket = { tags: [{ tag: 'please_reinstate', kind: 'reinstatement_requested' }] };
    // Who is the authenticated admin key; a header naming someone else is not believed.
    const admin = `api-key:${(await keyOf(TENANT, '/mappings/zendesk')).split('_')[1]}`;
    const first = await api(base, {
      method: 'PUT',
      body: JSON.stringify(doc),
      headers: { 'x-standing-actor': 'ops-lead@initrode' },
    });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ version: 1, changed_by: admin, document: doc });
    const second = await api(base, { method: 'PUT', body: JSON.stringify(DEFAULT_ZENDESK_MAPPING_DOCUMENT) });
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ version: 2, changed_by: admin });

    const versions = await json<{
      versions: { version: number; changed_by: string; changed_at: string; document: unknown }[];
    }>(await api(`${base}/versions`));
    expect(versions.versions.map((v) => [v.version, v.changed_by])).toEqual([
      [2, admin],
      [1, admin],
    ]);
    for (const v of versions.versions) expect(new Date(v.changed_at).toISOString()).toBe(v.changed_at);
    expect(Date.parse(versions.versions[0]!.changed_at)).toBeGreaterThanOrEqual(
      Date.parse(versions.versions[1]!.changed_at),
    );
    expect(versions.versions[1]!.document).toEqual(doc);
    expect(await json<unknown>(await api(base))).toMatchObject({ version: 2, is_default: false, changed_by: admin });
    // Another tenant's mapping is untouched.
    expect(await json<unknown>(await api('/tenants/default/mappings/zendesk'))).toMatchObject({ is_default: true });
  });

  it('PUT refuses an invalid document with the path, recording nothing', async () => {
    const res = await api(base, {
      method: 'PUT',
      body: JSON.stringify({ version: 1, organization: { tags: [{ tag: 'Has Space', added: 'suspended' }] } }),
    });
    expect(res.status).toBe(400);
    expect((await json<ErrorBody>(res)).error.details?.map((d) => d.path)).toContain('organization.tags.0.tag');
    expect((await json<{ versions: unknown[] }>(await api(`${base}/versions`))).versions).toHaveLength(2);
  });

  it('404 for an unknown source; 403 for another tenant (a key acts on its own only)', async () => {
    expect((await api(`/tenants/${TENANT}/mappings/freshdesk`)).status).toBe(404);
    expect((await api(`/tenants/${TENANT}/mappings/salesforce`)).status).toBe(200);
    expect(
      (await api('/tenants/nosuch/mappings/zendesk', { token: await keyOf(TENANT, '/mappings/zendesk') })).status,
    ).toBe(403);
  });
});

describe('quarantine', () => {
  const base = `/tenants/${TENANT}/quarantine`;
  let ids: string[] = [];

  beforeAll(async () => {
    // Sent at once, so they may share one inbox write (and the same received_at).
    const bodies = [futureEvent(), futureEvent(), futureEvent()];
    ids = bodies.map((b) => b.id);
    const statuses = await Promise.all(
      bodies.map(async (b) => (await postWebhook(svc.url, TENANT, b, { secret: TENANT_SECRET })).status),
    );
    expect(statuses).toEqual([202, 202, 202]);
    await waitFor(
      'quarantined',
      async () => (await inboxRows(TENANT, ids)).filter((r) => r.state === 'quarantined').length === ids.length,
    );
  });

  it('pages with a cursor: every quarantined event once, with the reason', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await api(`${base}?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      const page = await json<{
        events: { event_id: string; reason: string; problems: { path: string }[]; body: unknown }[];
        next_cursor: string | null;
      }>(res);
      expect(page.events.length).toBeLessThanOrEqual(2);
      for (const e of page.events) {
        expect(e.reason).toContain('user.some_future_event');
        expect(e.problems.map((p) => p.path)).toEqual(['type']);
      }
      seen.push(...page.events.map((e) => e.event_id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(2);
    expect([...seen].sort()).toEqual([...ids].sort());
    const atDefault = await json<{ events: unknown[] }>(await api('/tenants/default/quarantine'));
    expect(atDefault.events).toEqual([]);
  });

  it('400 invalid_cursor for a cursor it did not issue, 400 for a bad limit, 404 for an unknown tenant', async () => {
    const badCursor = await api(`${base}?cursor=not-a-cursor`);
    expect(badCursor.status).toBe(400);
    expect((await json<ErrorBody>(badCursor)).error.code).toBe('invalid_cursor');
    const badLimit = await api(`${base}?limit=0`);
    expect(badLimit.status).toBe(400);
    expect((await json<ErrorBody>(badLimit)).error.details?.map((d) => d.path)).toEqual(['limit']);
    expect((await api('/tenants/nosuch/quarantine', { token: await keyOf(TENANT, '/quarantine') })).status).toBe(403);
  });

  it('replay without a body reopens every quarantined event, and they are processed again', async () => {
    const bad = await api(`${base}/replay`, { method: 'POST', body: JSON.stringify({ event_ids: [] }) });
    expect(bad.status).toBe(400);
    const res = await api(`${base}/replay`, { method: 'POST' });
    expect(res.status).toBe(202);
    const replay = await json<{ replayed: number; event_ids: string[] }>(res);
    expect(replay.replayed).toBe(3);
    expect([...replay.event_ids].sort()).toEqual([...ids].sort());
    // Still unmappable: each goes through the worker a second time and is quarantined again.
    await waitFor('processed again', async () =>
      (await inboxRows(TENANT, ids)).every((r) => r.state === 'quarantined' && r.attempts === 2),
    );
  });
});
