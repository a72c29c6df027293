/**
 * Zendesk intake end to end: signed webhook -> inbox -> BullMQ -> worker -> log, on the machine's
 * PostgreSQL and Redis, with only Zendesk's REST API mocked (nock).
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { signZendeskWebhook } from '../../connector/zendesk/webhook-signature.ts';
import nock from 'nock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { authorizationFor } from '../support/access.ts';
import type { ServiceHandle } from '../../connector/app/service.ts';
import {
  WEBHOOK_SECRET,
  intakeEnv,
  postWebhook,
  startIntakeService,
  waitFor,
  type IntakeEnv,
  stopIntakeService,
} from '../support/intake-harness.ts';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/zendesk/${name}.json`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
const userDeactivated = fixture('user.active_changed');

let env: IntakeEnv;
let svc: ServiceHandle;
let n = 0;
const uid = () => `${Date.now()}-${++n}`;

function withId<T extends Record<string, unknown>>(body: T, id = uid()): T & { id: string } {
  return { ...body, id };
}

async function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${svc.url}${path}`, {
    ...init,
    headers: {
      authorization: await authorizationFor(svc.url, env.env.STANDING_ADMIN_TOKEN!, path),
      'content-type': 'application/json',
      ...init.headers,
    },
  });
}

const count = async (sql: string, params: unknown[] = []) =>
  Number((await svc.resources.db.query<{ n: number }>(sql, params))[0]!.n);
const inboxCount = () => count('SELECT count(*) AS n FROM intake_inbox');
const inboxState = async (eventId: string) =>
  (
    await svc.resources.db.query<{ state: string; outcome: { reason?: string } | null }>(
      'SELECT state, outcome FROM intake_inbox WHERE event_id = $1',
      [eventId],
    )
  )[0];

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  env = intakeEnv('zd_webhook');
  svc = await startIntakeService(env);
});

afterAll(async () => {
  await stopIntakeService(env, svc);
  nock.cleanAll();
  nock.enableNetConnect();
});

const SALESFORCE_ACCOUNT = '0015g00000XyZabAAF';

/** Zendesk's REST API for the look-ups the mapper asks for (the fixture's organization and users). */
function mockZendeskDirectory(): void {
  nock('https://acme.zendesk.com')
    .persist()
    .get('/api/v2/organizations/8912017421.json')
    .reply(
      200,
      {
        organization: {
          id: 8912017421,
          name: 'Reyes Logistics',
          external_id: SALESFORCE_ACCOUNT,
          organization_fields: {},
        },
      },
      { 'Content-Type': 'application/json' },
    )
    .get('/api/v2/users/7001.json')
    .reply(
      200,
      {
        user: {
          id: 7001,
          email: 'frozen.customer@example.com',
          external_id: null,
          organization_id: null,
          user_fields: { account_status: 'frozen' },
        },
      },
      { 'Content-Type': 'application/json' },
    );
}

beforeEach(() => {
  nock.cleanAll();
  mockZendeskDirectory();
});

describe('a signed Zendesk webhook', () => {
  it('becomes the right standing event with the customer identities', async () => {
    const body = withId(userDeactivated);
    const res = await postWebhook(svc.url, 'default', body);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: 'accepted', event_id: body.id });

    const history = await waitFor('the log entry', async () => {
      const h = await svc.resources.log.history('default', { zendesk_user_id: '6596848315901' });
      return h.events.find((e) => e.source.event_id === body.id) ? h : null;
    });
    const e = history.events.find((x) => x.source.event_id === body.id)!;
    expect(e.kind).toBe('deactivation');
    // `previous: true` says the user was active before the soft delete.
    expect(e.status).toEqual({ before: 'active', after: 'deleted' });
    // User events name no actor: recorded as unknown.
    expect(e.initiation?.type).toBe('unknown');
    expect(e.about).toBe('person');
    expect(e.detected_via).toBe('webhook');
    expect(e.source).toMatchObject({
      system: 'zendesk',
      object: 'user',
      id: '6596848315901',
      url: 'https://acme.zendesk.com/agent/users/6596848315901',
    });
    expect(e.erased).toBe(false);
    // The person is not their organization: the organization (with the Salesforce Account id looked up
    // from its external id) is the account context, linked, not merged.
    if (!e.erased) {
      expect(e.customer).toEqual({ zendesk_user_id: '6596848315901', email: 'dana.reyes@example.com' });
      expect(e.account).toEqual({ zendesk_organization_id: '8912017421', salesforce_account_id: SALESFORCE_ACCOUNT });
    }
    expect(history.accounts).toEqual([expect.objectContaining({ relation: 'member', current: null })]);
    const bySalesforce = await svc.resources.log.history('default', { salesforce_account_id: SALESFORCE_ACCOUNT });
    expect(bySalesforce.events.some((x) => x.source.event_id === body.id)).toBe(false);
    // The same customer is found by email too.
    const byEmail = await svc.resources.log.history('default', { email: 'DANA.REYES@example.com' });
    expect(byEmail.events.some((x) => x.source.event_id === body.id)).toBe(true);
    expect((await inboxState(body.id))?.state).toBe('stored');
  });

  it('delivered three times is one log entry', async () => {
    const body = withId(userDeactivated);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await postWebhook(svc.url, 'default', body)).status);
    expect(statuses).toEqual([202, 200, 200]);
    await waitFor('stored', async () => (await inboxState(body.id))?.state === 'stored');
    // The log keeps a keyed digest of the source event id in clear; the id itself is sealed.
    const byEmail = await svc.resources.log.history('default', { email: 'DANA.REYES@example.com' }, { limit: 500 });
    expect(byEmail.events.filter((x) => x.source.event_id === body.id)).toHaveLength(1);
  });
});

describe('requests that fail verification or parsing', () => {
  const cases: [string, () => Promise<Response>, number, string][] = [
    [
      'wrong signature',
      () => postWebhook(svc.url, 'default', withId(userDeactivated), { secret: 'not-the-secret-at-all-0000' }),
      401,
      'invalid_signature',
    ],
    [
      'missing signature',
      () =>
        postWebhook(svc.url, 'default', withId(userDeactivated), { headers: { 'x-zendesk-webhook-signature': '' } }),
      401,
      'invalid_signature',
    ],
    [
      'stale timestamp',
      () =>
        postWebhook(svc.url, 'default', withId(userDeactivated), {
          timestamp: new Date(Date.now() - 3_600_000).toISOString(),
        }),
      401,
      'invalid_signature',
    ],
    [
      'future timestamp',
      () =>
        postWebhook(svc.url, 'default', withId(userDeactivated), {
          timestamp: new Date(Date.now() + 3_600_000).toISOString(),
        }),
      401,
      'invalid_signature',
    ],
    [
      'malformed JSON (validly signed)',
      () => postWebhook(svc.url, 'default', null, { raw: '{"type": "zen:event-type:user.active_changed", ' }),
      400,
      'invalid_json',
    ],
    ['a JSON array body', () => postWebhook(svc.url, 'default', null, { raw: '[1,2]' }), 400, 'invalid_body'],
    [
      'an event without id',
      () => postWebhook(svc.url, 'default', { ...userDeactivated, id: undefined }),
      400,
      'missing_event_id',
    ],
    [
      'an oversized body',
      () => postWebhook(svc.url, 'default', { ...withId(userDeactivated), padding: 'x'.repeat(300_000) }),
      413,
      'payload_too_large',
    ],
    ['an unknown tenant', () => postWebhook(svc.url, 'nosuchtenant', withId(userDeactivated)), 404, 'not_found'],
    [
      'an unsupported content encoding',
      () => postEncoded(JSON.stringify(withId(userDeactivated)), 'compress', Buffer.from('x')),
      415,
      'unsupported_encoding',
    ],
    [
      'a content encoding named like an object property',
      () => postEncoded(JSON.stringify(withId(userDeactivated)), 'constructor', Buffer.from('x')),
      415,
      'unsupported_encoding',
    ],
    [
      'a body that is not the gzip it claims to be',
      () => postEncoded('{}', 'gzip', Buffer.from('not gzip at all')),
      400,
      'invalid_encoding',
    ],
    [
      'a gzip body over the limit once inflated',
      () => postGzipped(JSON.stringify({ ...withId(userDeactivated), padding: 'x'.repeat(300_000) })),
      413,
      'payload_too_large',
    ],
  ];

  it.each(cases)('%s gets a clear error and enqueues nothing', async (_name, send, status, code) => {
    const before = {
      inbox: await inboxCount(),
      waiting: await svc.resources.redis.keys(`${env.prefix}:standing-intake:*`).then((k) => k.length),
    };
    const res = await send();
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    expect(body.error.message.length).toBeGreaterThan(5);
    expect(await inboxCount()).toBe(before.inbox);
    expect(await svc.resources.redis.keys(`${env.prefix}:standing-intake:*`).then((k) => k.length)).toBe(
      before.waiting,
    );
  });
});

/** A body signed as Zendesk signs it (over the JSON text) but sent with a Content-Encoding. */
function postEncoded(
  signedRaw: string,
  encoding: string,
  sent: Buffer,
  path = '/webhooks/zendesk/default',
): Promise<Response> {
  const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return fetch(`${svc.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'content-encoding': encoding,
      'x-zendesk-webhook-signature-timestamp': timestamp,
      'x-zendesk-webhook-signature': signZendeskWebhook(WEBHOOK_SECRET, timestamp, signedRaw),
    },
    body: sent,
  });
}
const postGzipped = (raw: string) => postEncoded(raw, 'gzip', gzipSync(raw));

describe('the webhook endpoint over HTTP', () => {
  it('accepts a gzip-encoded delivery, verifying the signature over the inflated body', async () => {
    const body = withId(userDeactivated);
    const res = await postGzipped(JSON.stringify(body));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: 'accepted', event_id: body.id });
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    await waitFor('the gzip delivery stored', async () => (await inboxState(body.id))?.state === 'stored');
  });

  it('echoes a plain X-Request-Id, and replaces one that could inject text into logs', async () => {
    const kept = await postWebhook(svc.url, 'default', withId(userDeactivated), {
      headers: { 'x-request-id': 'zd-delivery-42' },
    });
    expect(kept.headers.get('x-request-id')).toBe('zd-delivery-42');
    const replaced = await postWebhook(svc.url, 'default', withId(userDeactivated), {
      headers: { 'x-request-id': 'evil id\tinjected' },
    });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const failed = await postWebhook(svc.url, 'nosuchtenant', withId(userDeactivated));
    expect(failed.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it(
    'takes a trailing slash and a URL-encoded tenant id, and ' + 'leaves other methods and paths to the 404 handler',
    async () => {
      const body = withId(userDeactivated);
      const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const raw = JSON.stringify(body);
      const headers = {
        'content-type': 'application/json',
        'x-zendesk-webhook-signature-timestamp': timestamp,
        'x-zendesk-webhook-signature': signZendeskWebhook(WEBHOOK_SECRET, timestamp, raw),
      };
      expect(
        (await fetch(`${svc.url}/webhooks/zendesk/%64efault/?delivery=1`, { method: 'POST', headers, body: raw }))
          .status,
      ).toBe(202);
      for (const [method, path] of [
        ['GET', '/webhooks/zendesk/default'],
        ['POST', '/webhooks/zendesk/default/extra'],
        ['POST', '/webhooks/zendesk/'],
      ] as const) {
        const res = await fetch(`${svc.url}${path}`, { method, headers, ...(method === 'POST' ? { body: raw } : {}) });
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
      }
    },
  );
});

describe('quarantine and replay', () => {
  it('keeps an unmappable event and stores it once the mapping is fixed and it is replayed', async () => {
    const body = {
      type: 'zen:event-type:user.custom_field_changed',
      account_id: 12514403,
      id: uid(),
      time: '2026-03-06T10:00:00Z',
      zendesk_event_version: '2022-11-06',
      subject: 'zen:user:7001',
      detail: {
        id: '7001',
        email: 'frozen.customer@example.com',
        role: 'end-user',
        organization_id: '0',
        created_at: '2025-01-01T00:00:00Z',
        updated_at: '2026-03-06T10:00:00Z',
      },
      event: {
        field: { id: '360001', key: 'account_status', title: 'Account status', type: 'dropdown' },
        current: 'frozen',
        previous: 'active',
      },
    };
    expect((await postWebhook(svc.url, 'default', body)).status).toBe(202);
    await waitFor('quarantine', async () => (await inboxState(body.id))?.state === 'quarantined');

    const listed = (await (await api('/api/v1/tenants/default/quarantine')).json()) as {
      events: { event_id: string; reason: string; problems: unknown[] }[];
    };
    const q = listed.events.find((x) => x.event_id === body.id)!;
    expect(q.reason).toBeTruthy();
    const logged = async () =>
      (await svc.resources.log.history('default', { zendesk_user_id: '7001' }, { limit: 500 })).events.filter((x) =>
        x.source.event_id.startsWith(body.id),
      ).length;
    expect(await logged()).toBe(0);

    const current = (await (await api('/api/v1/tenants/default/mappings/zendesk')).json()) as {
      document: { user: { fields: { values: Record<string, unknown> }[] } };
    };
    const doc = structuredClone(current.document);
    doc.user.fields[0]!.values.frozen = 'suspended';
    const put = await api('/api/v1/tenants/default/mappings/zendesk', {
      method: 'PUT',
      body: JSON.stringify(doc),
      headers: { 'x-standing-actor': 'someone-else@acme' },
    });
    expect(put.status).toBe(200);
    const versions = (await (await api('/api/v1/tenants/default/mappings/zendesk/versions')).json()) as {
      versions: { version: number; changed_by: string }[];
    };
    // Who changed it is the authenticated admin key; a header naming someone else is not believed.
    expect(versions.versions[0]).toMatchObject({
      version: 1,
      changed_by: expect.stringMatching(/^api-key:[0-9a-f]{16}$/),
    });

    const replay = await api('/api/v1/tenants/default/quarantine/replay', {
      method: 'POST',
      body: JSON.stringify({ event_ids: [body.id] }),
    });
    expect(replay.status).toBe(202);
    await waitFor('stored after replay', async () => (await inboxState(body.id))?.state === 'stored');
    const h = await svc.resources.log.history('default', { zendesk_user_id: '7001' });
    expect(h.current?.status).toBe('suspended');

    // Replaying again changes nothing: the event is no longer quarantined, and the log dedupes.
    const again = (await (
      await api('/api/v1/tenants/default/quarantine/replay', {
        method: 'POST',
        body: JSON.stringify({ event_ids: [body.id] }),
      })
    ).json()) as { replayed: number };
    expect(again.replayed).toBe(0);
    expect(await logged()).toBe(1);
  });

  it('refuses an invalid mapping document with the exact path', async () => {
    const res = await api('/api/v1/tenants/default/mappings/zendesk', {
      method: 'PUT',
      body: JSON.stringify({ version: 1, user: { active_changed: { deactivated_status: 'vanished' } } }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { details: { path: string }[] } };
    expect(body.error.details.map((d) => d.path)).toContain('user.active_changed.deactivated_status');
  });
});

describe('identity look-ups through the Zendesk API', () => {
  it('a 429 delays the event (Retry-After), it does not fail it', async () => {
    const userId = `88${Date.now() % 1_000_000}`;
    const zd = nock('https://acme.zendesk.com')
      .get(`/api/v2/users/${userId}.json`)
      .reply(429, { error: 'TooManyRequests' }, { 'Retry-After': '1', 'Content-Type': 'application/json' })
      .get(`/api/v2/users/${userId}.json`)
      .reply(
        200,
        { user: { id: Number(userId), email: 'late.lookup@example.com', external_id: null, organization_id: null } },
        { 'Content-Type': 'application/json' },
      );
    const body = {
      type: 'zen:event-type:ticket.tags_changed',
      account_id: 12514403,
      id: uid(),
      time: '2026-03-07T09:00:00Z',
      zendesk_event_version: '2022-11-06',
      subject: 'zen:ticket:5001',
      detail: {
        id: '5001',
        requester_id: userId,
        submitter_id: userId,
        actor_id: userId,
        status: 'OPEN',
        tags: ['reinstatement_request'],
        subject: 'Please restore my account',
        created_at: '2026-03-07T08:59:00Z',
        updated_at: '2026-03-07T09:00:00Z',
      },
      event: { tags: { added: { tags: ['reinstatement_request'] }, removed: { tags: [] } } },
    };
    expect((await postWebhook(svc.url, 'default', body)).status).toBe(202);
    await waitFor('stored after the rate limit', async () => (await inboxState(body.id))?.state === 'stored', 20_000);
    expect(zd.isDone()).toBe(true);
    const h = await svc.resources.log.history('default', { email: 'late.lookup@example.com' });
    expect(h.events.map((e) => e.kind)).toContain('reinstatement_requested');
    const failed = await svc.resources.redis.zcard(`${env.prefix}:standing-intake:failed`);
    expect(failed).toBe(0);
  });
});
