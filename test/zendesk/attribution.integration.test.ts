/**
 * Attribution from Zendesk's own records, on the real PostgreSQL with Zendesk's HTTP mocked by nock
 * on the documented shapes (test/fixtures/zendesk/attribution): the audit log (Enterprise; cursor
 * pages; 403 on other plans; 429 with Retry-After) for user events without an actor, and a ticket's
 * audits for ticket-driven ones. What is recorded is read back from the store with no API at all, and
 * goes with the person when they are erased.
 */
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accessExport } from '../../connector/gdpr/access-export.ts';
import { eraseSubject } from '../../connector/gdpr/erasure.ts';
import type { NewStandingEventInput } from '../../connector/model/standing-event.ts';
import { parseStandingEvent } from '../../connector/model/standing-event.ts';
import { TenantRegistry } from '../../connector/tenants/tenant-registry.ts';
import { attributeZendeskTenant, type ZendeskAttributionDeps } from '../../connector/zendesk/attribution.ts';
import { verifyTenant } from '../../connector/store/checkpoints.ts';
import { asSuperuserBypassingTriggers, openTestStore, type TestStore } from '../support/databases.ts';

const ZD = 'https://acme.zendesk.com';
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/zendesk/attribution/${name}.json`, import.meta.url), 'utf8'));

let store: TestStore;
let tenants: TenantRegistry;
let deps: ZendeskAttributionDeps;
let tenant: string;
let n = 0;

beforeAll(async () => {
  store = await openTestStore('postgres', 'attribution_zd');
  tenants = new TenantRegistry(store.db, store.master, { cacheTtlMs: 0 });
  deps = { store: store.log.attributions, tenants };
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
});
afterAll(async () => {
  nock.enableNetConnect();
  await store.dispose();
});
beforeEach(async () => {
  tenant = `acme${++n}`;
  const created = await tenants.create({
    id: tenant,
    name: 'Acme',
    zendesk: { subdomain: 'acme', api_email: 'integration@acme.example', api_token: 'zendesk-api-token' },
  });
  if (!created.ok) throw new Error(created.message);
});
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

const T = '2026-03-04T05:33:18.000Z';
const at = (minutes: number) => new Date(Date.parse(T) + minutes * 60_000).toISOString();

/** A Zendesk user event as the mapper makes it: user events name no actor. */
function userEvent(userId: string, occurredAt: string, after: 'suspended' | 'deactivated'): NewStandingEventInput {
  return {
    tenant,
    kind: 'deactivation',
    status: { before: 'active', after },
    initiation: { type: 'unknown', temporary: after === 'suspended' },
    actor: { type: 'unknown' },
    source: { system: 'zendesk', object: 'user', id: userId, event_id: `zen:user:${userId}:${occurredAt}` },
    detected_via: 'webhook',
    customer: { zendesk_user_id: userId },
    occurred_at: occurredAt,
  };
}

/** A ticket-driven event (a suspension set through a ticket field) naming the updater by id only. */
function ticketEvent(ticketId: string, requesterId: string, occurredAt: string): NewStandingEventInput {
  return {
    tenant,
    kind: 'deactivation',
    status: { before: 'active', after: 'suspended' },
    initiation: { type: 'manual', temporary: true },
    actor: { type: 'agent', id: '7002' },
    source: { system: 'zendesk', object: 'ticket', id: ticketId, event_id: `zen:ticket:${ticketId}:${occurredAt}` },
    detected_via: 'webhook',
    related_ticket_ids: [ticketId],
    customer: { zendesk_user_id: requesterId },
    occurred_at: occurredAt,
  };
}

async function append(...events: NewStandingEventInput[]) {
  const parsed = events.map((e) => {
    const r = parseStandingEvent(e);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    return r.value;
  });
  await store.log.append(parsed);
}

const attributionOf = async (userId: string) =>
  (await store.log.history(tenant, { zendesk_user_id: userId })).events[0]?.attribution;

describe('attribution from the audit log and ticket audits', () => {
  beforeEach(async () => {
    await append(
      userEvent('501', T, 'suspended'),
      ticketEvent('4242', '502', at(27)),
      userEvent('503', at(20), 'deactivated'),
      userEvent('504', at(10), 'suspended'),
    );
  });

  it("names the agent, the trigger, the customer, and says why one stays unknown; in one window's reads", async () => {
    const windows: Record<string, unknown>[] = [];
    nock(ZD)
      .get('/api/v2/audit_logs')
      .query((q) => {
        windows.push(q);
        return !('page[after]' in q);
      })
      .reply(200, fixture('audit-logs-page-1'))
      .get('/api/v2/audit_logs')
      .query((q) => q['page[after]'] === 'eyJvIjoiY3JlYXRlZF9hdCIsInYiOiJaZ0FBQSJ9')
      .reply(200, fixture('audit-logs-page-2'))
      .get('/api/v2/tickets/4242/audits')
      .query(true)
      .reply(200, fixture('ticket-audits-trigger'))
      .get('/api/v2/users/show_many')
      .query(true)
      .reply(200, fixture('users-show-many'));

    const run = await attributeZendeskTenant(deps, tenant);
    expect(run).toMatchObject({ ok: true, lookedAt: 4, recorded: 4, calls: 4, done: true });
    // One window for all user events (source_type and created_at twice), not a call per event.
    expect(windows[0]).toMatchObject({
      'filter[source_type]': 'user',
      'filter[created_at]': ['2026-03-04T05:32:18.000Z', '2026-03-04T05:54:18.000Z'],
    });

    expect(await attributionOf('501')).toMatchObject({
      initiation: 'manual',
      actor: { type: 'agent', id: '7001', name: 'Mara Lindqvist', role: 'agent' },
      source: 'zendesk_audit_log',
      record_id: '9001001',
      said: 'Suspended: changed from false to true',
    });
    expect(await attributionOf('502')).toMatchObject({
      initiation: 'automatic',
      actor: { type: 'agent', id: '7002', name: 'Tomasz Nowak', role: 'admin' },
      rule: { kind: 'trigger', id: '360001', title: 'Fraud auto-suspend' },
      via: 'web',
      source: 'zendesk_ticket_audit',
      record_id: '7770001',
    });
    expect(await attributionOf('503')).toMatchObject({
      initiation: 'customer_initiated',
      actor: { type: 'customer', id: '503', name: 'Jonas Weber' },
      record_id: '9001003',
    });
    const unknown = await attributionOf('504');
    expect(unknown).toMatchObject({
      initiation: 'unknown',
      actor: { type: 'unknown' },
      unknown_reason: { code: 'no_audit_entry', message: 'no audit entry within ±60 s of the event' },
    });
    expect(await verifyTenant(store.log, tenant)).toMatchObject({ ok: true, attributions: { ok: true, checked: 4 } });

    // A replay: the API unreachable, the same answers, from what was recorded.
    nock.cleanAll();
    const again = await attributeZendeskTenant(deps, tenant);
    expect(again).toMatchObject({ ok: true, lookedAt: 0, calls: 0 });
    expect(await attributionOf('504')).toEqual(unknown);
    expect((await attributionOf('501'))?.actor.name).toBe('Mara Lindqvist');
  });

  it("waits out a 429's Retry-After, records nothing of the batch, and resumes", async () => {
    nock(ZD).get('/api/v2/audit_logs').query(true).reply(429, {}, { 'Retry-After': '7' });
    const limited = await attributeZendeskTenant(deps, tenant);
    expect(limited).toMatchObject({ ok: false, retryAfterMs: 7000, recorded: 0 });
    expect(await attributionOf('501')).toBeUndefined();

    nock(ZD)
      .get('/api/v2/audit_logs')
      .query(true)
      .reply(200, fixture('audit-logs-page-2'))
      .get('/api/v2/tickets/4242/audits')
      .query(true)
      .reply(200, fixture('ticket-audits-trigger'))
      .get('/api/v2/users/show_many')
      .query(true)
      .reply(200, fixture('users-show-many'));
    expect(await attributeZendeskTenant(deps, tenant)).toMatchObject({ ok: true, recorded: 4 });
    expect((await attributionOf('503'))?.initiation).toBe('customer_initiated');
  });

  it("says the plan has no audit log when Zendesk answers 403, and erases an erased person's attribution", async () => {
    nock(ZD)
      .get('/api/v2/audit_logs')
      .query(true)
      .reply(403, { error: 'Forbidden', description: 'You do not have access to this page.' })
      .get('/api/v2/tickets/4242/audits')
      .query(true)
      .reply(200, fixture('ticket-audits-trigger'))
      .get('/api/v2/users/show_many')
      .query(true)
      .reply(200, fixture('users-show-many'));
    await attributeZendeskTenant(deps, tenant);
    expect((await attributionOf('501'))?.unknown_reason).toEqual({
      code: 'no_audit_log_plan',
      message: 'Zendesk plan has no audit log (the audit log API is on Enterprise plans only)',
    });
    const eventId = (await store.log.history(tenant, { zendesk_user_id: '502' })).events[0]!.id;
    expect((await store.log.attributions.ofEvents(tenant, [eventId])).get(eventId)?.actor.name).toBe('Tomasz Nowak');
    // The person's access export carries what the sources said about their events.
    const exported = await accessExport(store.log, { readsOf: async () => [] }, tenant, { zendesk_user_id: '502' });
    expect(exported.events[0]?.event.attribution?.rule?.title).toBe('Fraud auto-suspend');

    await eraseSubject(store.log, { tenant, identities: { zendesk_user_id: '502' }, reason: 'ticket 1', actor: 'op' });
    const after = (await store.log.attributions.ofEvents(tenant, [eventId])).get(eventId);
    // The kind and the rule's kind stay (no person in them); the names, ids and rule title went with the key.
    expect(after).toMatchObject({ initiation: 'automatic', actor: { type: 'agent' }, source: 'zendesk_ticket_audit' });
    expect(after?.actor).toEqual({ type: 'agent' });
    expect(after?.rule).toBeUndefined();
    expect(await store.log.attributions.verify(tenant)).toMatchObject({ ok: true });
  });
});

describe('the attribution chain', () => {
  it('shows an attribution record changed behind the store', async () => {
    await append(userEvent('701', T, 'suspended'));
    await tenants.update(tenant, { zendesk: { api_token: null } });
    await attributeZendeskTenant(deps, tenant);
    await asSuperuserBypassingTriggers(
      store.db,
      `UPDATE event_attributions SET public = jsonb_set(public, '{initiation}', '"manual"') WHERE tenant = $1`,
      [tenant],
    );
    expect(await verifyTenant(store.log, tenant)).toMatchObject({
      ok: false,
      broken: { seq: 1, problem: 'attribution_chain' },
      attributions: { ok: false, checked: 0 },
    });
  });
});

describe('a change just made', () => {
  it('waits until the audit log has had time to record it, then attributes it', async () => {
    await tenants.update(tenant, { zendesk: { api_token: null } });
    const justNow = new Date(Date.now() - 10_000).toISOString();
    await append(userEvent('801', T, 'suspended'), userEvent('802', justNow, 'suspended'));
    expect(await attributeZendeskTenant(deps, tenant)).toMatchObject({
      ok: true,
      lookedAt: 1,
      recorded: 1,
      done: true,
    });
    expect(await attributionOf('802')).toBeUndefined();
    const later = () => new Date(Date.now() + 120_000);
    expect(await attributeZendeskTenant(deps, tenant, { now: later })).toMatchObject({ lookedAt: 1, recorded: 1 });
    expect((await attributionOf('802'))?.unknown_reason?.code).toBe('no_api_credentials');
  });
});

describe('without API credentials', () => {
  it('records each event as unknown with that reason, and calls nothing', async () => {
    await tenants.update(tenant, { zendesk: { api_token: null } });
    await append(userEvent('601', T, 'suspended'));
    expect(await attributeZendeskTenant(deps, tenant)).toMatchObject({ ok: true, recorded: 1, calls: 0 });
    expect((await attributionOf('601'))?.unknown_reason?.code).toBe('no_api_credentials');
  });
});
