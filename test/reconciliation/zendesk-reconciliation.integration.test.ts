/**
 * Zendesk reconciliation end to end on the real PostgreSQL, with Zendesk's HTTP mocked (nock
 * intercepts Node's fetch): missed webhooks recovered and late ones recognised (both orders), the
 * cursor followed over pages and resumed exactly, Retry-After waited out, a failed run resumed
 * without gaps or duplicates, and a suspension only reconciliation can see.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IntakeInbox } from '../../connector/intake/intake-inbox.ts';
import type { AnySource, Sources } from '../../connector/intake/intake-source.ts';
import { processIntakeBatch } from '../../connector/intake/process-intake-batch.ts';
import { ReconciliationStore } from '../../connector/reconciliation/reconciliation-store.ts';
import { reconcileZendesk, type ZendeskReconcilerDeps } from '../../connector/zendesk/reconciler.ts';
import { compareStates } from '../../connector/reconciliation/findings.ts';
import { userState } from '../../connector/zendesk/reconciler-states.ts';
import { TenantRegistry, type Tenant } from '../../connector/tenants/tenant-registry.ts';
import { DEFAULT_ZENDESK_MAPPING } from '../../connector/zendesk/mapping-document.ts';
import type { ZendeskDirectory } from '../../connector/zendesk/zendesk-directory.ts';
import { ZendeskSource } from '../../connector/zendesk/source.ts';
import { openTestStore, type TestStore } from '../support/databases.ts';

const ZD = 'https://acme.zendesk.com';
const USERS = '/api/v2/incremental/users/cursor.json';
const ORGS = '/api/v2/incremental/organizations.json';
const T1 = '2026-03-04T05:33:18Z';

let store: TestStore;
let tenants: TenantRegistry;
let recon: ReconciliationStore;
let inbox: IntakeInbox;
let sleeps: number[];
let deps: ZendeskReconcilerDeps;
let n = 0;

// Look-ups are not what is tested here: every identity is in the payloads.
const noLookups = {
  lookup: async (_t: unknown, _w: unknown, into: unknown) => ({ ok: true, directory: into, skipped: [] }),
} as unknown as ZendeskDirectory;

beforeAll(async () => {
  store = await openTestStore('postgres', 'reconcile_zd');
  tenants = new TenantRegistry(store.db, store.master, { cacheTtlMs: 0 });
  recon = new ReconciliationStore(store.db);
  inbox = new IntakeInbox(store.db);
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
});
afterAll(async () => {
  nock.enableNetConnect();
  await inbox.close();
  await store.dispose();
});
beforeEach(async () => {
  n++;
  sleeps = [];
  const created = await tenants.create({
    id: `acme${n}`,
    name: 'Acme',
    zendesk: { subdomain: 'acme', api_email: 'integration@acme.example', api_token: 'zendesk-api-token' },
  });
  if (!created.ok) throw new Error(created.message);
  deps = {
    log: store.log,
    store: recon,
    tenants,
    exportOptions: { sleep: async (ms) => void sleeps.push(ms), perPage: 2 },
    now: () => Date.parse('2026-03-05T00:00:00Z'),
  };
});
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

const tenant = async (): Promise<Tenant> => (await tenants.get(`acme${n}`))!;
const user = (id: string, more: Record<string, unknown> = {}) => ({
  id: Number(id),
  active: true,
  suspended: false,
  updated_at: T1,
  email: `u${id}@example.com`,
  organization_id: 8912017421,
  user_fields: {},
  ...more,
});
const usersPage = (users: unknown[], after: string | null, end: boolean) => ({
  users,
  after_cursor: after,
  after_url: after ? `${ZD}${USERS}?cursor=${after}` : null,
  end_of_stream: end,
});
const noOrgs = () =>
  nock(ZD)
    .get(ORGS)
    .query(true)
    .reply(200, { organizations: [], end_time: 1772600000, next_page: null, count: 0, end_of_stream: true });

async function webhook(t: Tenant, userId: string, value: string, time = T1) {
  const body = {
    type: 'zen:event-type:user.custom_field_changed',
    account_id: 12514403,
    id: `5b1d6b5e-1f9c-4a86-9b38-${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}`,
    time,
    zendesk_event_version: '2022-06-20',
    subject: `zen:user:${userId}`,
    detail: {
      id: userId,
      email: `u${userId}@example.com`,
      organization_id: '8912017421',
      external_id: '',
      role: 'end-user',
      created_at: T1,
      updated_at: time,
    },
    event: {
      field: { id: '360001122', key: 'account_status', title: 'Account status', type: 'dropdown' },
      current: value,
      previous: value === 'active' ? 'suspended_billing' : 'active',
    },
  };
  const key = { tenant: t.id, source: 'zendesk' as const, event_id: body.id };
  await inbox.accept({ ...key, body, meta: {} });
  const sources: Sources = new Map([
    ['zendesk', new ZendeskSource(store.log.fieldValues, noLookups, { companionWaitMs: 0 }) as AnySource],
  ]);
  return processIntakeBatch({ log: store.log, inbox, tenants, sources }, [key]);
}

async function userHistory(t: Tenant, userId: string) {
  return store.log.history(t.id, { zendesk_user_id: userId });
}

describe('Zendesk reconciliation', () => {
  it('recovers a missed webhook, and the late webhook afterwards is the same entry, not a duplicate', async () => {
    const t = await tenant();
    nock(ZD)
      .get(USERS)
      .query(true)
      .reply(200, usersPage([user('101', { user_fields: { account_status: 'suspended_billing' } })], 'c1', true));
    noOrgs();
    const run = await reconcileZendesk(deps, t);
    expect(run).toMatchObject({
      state: 'completed',
      counters: { pages: 2, records_read: 1, events_appended: 1, drift_found: 1, errors: [] },
    });
    const found = (await userHistory(t, '101')).events;
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      kind: 'status_observed',
      status: { after: 'suspended' },
      detected_via: 'reconciliation',
      reason: { code: 'non_payment' },
      occurred_at: '2026-03-04T05:33:18.000Z',
      initiation: { type: 'unknown' },
    });

    const late = await webhook(t, '101', 'suspended_billing');
    expect(late).toMatchObject({ stored: 0, duplicates: 1 });
    expect((await userHistory(t, '101')).events).toHaveLength(1);
    const [row] = await store.db.query<{ outcome: { recorded_by_reconciliation?: number } }>(
      'SELECT outcome FROM intake_inbox WHERE tenant = $1',
      [t.id],
    );
    expect(row!.outcome.recorded_by_reconciliation).toBe(1);
    // A later, separate suspension is an entry of its own (the claim matched once).
    expect(await webhook(t, '101', 'active', '2026-03-04T06:00:00Z')).toMatchObject({ stored: 1 });
    expect(await webhook(t, '101', 'suspended_billing', '2026-03-04T07:00:00Z')).toMatchObject({ stored: 1 });
    expect((await userHistory(t, '101')).events).toHaveLength(3);
  });

  it(
    'the reverse order: a webhook first, then reconciliation finds nothing new; a finding racing the webhook ' +
      'is one entry',
    async () => {
      const t = await tenant();
      expect(await webhook(t, '102', 'suspended_billing')).toMatchObject({ stored: 1 });
      nock(ZD)
        .get(USERS)
        .query(true)
        .reply(200, usersPage([user('102', { user_fields: { account_status: 'suspended_billing' } })], 'c1', true));
      noOrgs();
      const run = await reconcileZendesk(deps, t);
      expect(run.counters).toMatchObject({ drift_found: 0, events_appended: 0 });
      // The race: reconciliation compared before the webhook's entry was written, appends after it.
      const state = userState(t.id, DEFAULT_ZENDESK_MAPPING, 'acme', {
        ...user('102', { user_fields: { account_status: 'suspended_billing' } }),
        id: '102',
        organization_id: '8912017421',
        external_id: null,
      });
      const { findings } = compareStates(t.id, [state], new Map());
      const outcomes = await store.log.append(
        findings.map((f) => f.event),
        { transitionWindows: new Map([[0, findings[0]!.window]]) },
      );
      expect(outcomes[0]).toMatchObject({ status: 'duplicate', same_transition: 'live_first' });
      expect((await userHistory(t, '102')).events).toHaveLength(1);
    },
  );

  it('follows a multi-page cursor to the end, and the next run resumes exactly after it', async () => {
    const t = await tenant();
    nock(ZD)
      .get(USERS)
      .query({ start_time: String(Date.parse('2026-02-26T00:00:00Z') / 1000), per_page: '2' })
      .reply(200, usersPage([user('201'), user('202')], 'c1', false));
    nock(ZD)
      .get(USERS)
      .query({ cursor: 'c1', per_page: '2' })
      .reply(200, usersPage([user('203', { suspended: true }), user('204')], 'c2', false));
    nock(ZD)
      .get(USERS)
      .query({ cursor: 'c2', per_page: '2' })
      .reply(200, usersPage([user('205')], 'c3', true));
    noOrgs();
    const first = await reconcileZendesk(deps, t);
    expect(first.counters).toMatchObject({ pages: 4, records_read: 5, events_appended: 1 });
    expect(await recon.checkpoint(t.id, 'zendesk', 'users')).toEqual({ position: { cursor: 'c3' } });

    nock(ZD)
      .get(USERS)
      .query({ cursor: 'c3', per_page: '2' })
      .reply(200, usersPage([], 'c3', true));
    nock(ZD)
      .get(ORGS)
      .query({ start_time: '1772600000', per_page: '2' })
      .reply(200, { organizations: [], end_time: 1772600000, end_of_stream: true });
    const second = await reconcileZendesk(deps, t);
    expect(second).toMatchObject({ state: 'completed', counters: { records_read: 0, events_appended: 0 } });
    const runs = await recon.listRuns(t.id);
    expect(runs.map((r) => r.state)).toEqual(['completed', 'completed']);
  });

  it('waits out a 429 for its Retry-After before asking again', async () => {
    const t = await tenant();
    nock(ZD).get(USERS).query(true).reply(429, { error: 'TooManyRequests' }, { 'Retry-After': '1' });
    nock(ZD)
      .get(USERS)
      .query(true)
      .reply(200, usersPage([user('301')], 'c1', true), {
        'Zendesk-RateLimit-incremental-exports-cursor': 'total=20; remaining=0; resets=17',
      });
    noOrgs();
    const run = await reconcileZendesk(deps, t);
    expect(run.state).toBe('completed');
    // 1 s for the 429; then the users budget said none left (17 s), which only a further users request waits for.
    expect(sleeps).toEqual([1000]);
  });

  it('a run failing mid-way resumes from the last durable page: no gap, no duplicate', async () => {
    const t = await tenant();
    nock(ZD)
      .get(USERS)
      .query(true)
      .reply(200, usersPage([user('401', { suspended: true }), user('402')], 'c1', false));
    nock(ZD).get(USERS).query({ cursor: 'c1', per_page: '2' }).times(3).reply(503, 'unavailable');
    const failed = await reconcileZendesk(deps, t);
    expect(failed).toMatchObject({ state: 'failed', counters: { pages: 1, events_appended: 1 } });
    expect(failed.counters.errors[0]!.message).toMatch(/503/);
    // Backoff between the three attempts, then it stopped: no fourth request, no organizations request.
    expect(sleeps).toEqual([2000, 4000]);
    expect(await recon.checkpoint(t.id, 'zendesk', 'users')).toEqual({ position: { cursor: 'c1' } });

    nock(ZD)
      .get(USERS)
      .query({ cursor: 'c1', per_page: '2' })
      .reply(200, usersPage([user('403', { active: false }), user('401', { suspended: true })], 'c2', true));
    noOrgs();
    const resumed = await reconcileZendesk(deps, t);
    expect(resumed).toMatchObject({ state: 'completed', counters: { events_appended: 1 } });
    expect((await userHistory(t, '401')).events).toHaveLength(1);
    expect((await userHistory(t, '403')).events[0]).toMatchObject({ status: { after: 'deleted' } });
  });

  it('finds a suspended user, which no webhook reports, only by reconciliation', async () => {
    const t = await tenant();
    nock(ZD)
      .get(USERS)
      .query(true)
      .reply(200, usersPage([user('501', { suspended: true, updated_at: '2026-03-04T09:00:00Z' })], 'c1', true));
    noOrgs();
    await reconcileZendesk(deps, t);
    const h = await userHistory(t, '501');
    expect(h.current).toMatchObject({ status: 'suspended', since: '2026-03-04T09:00:00.000Z' });
    expect(h.events[0]).toMatchObject({
      kind: 'status_observed',
      reason: { code: 'zendesk_user_suspended' },
      source: {
        system: 'zendesk',
        object: 'user',
        id: '501',
        event_id: 'reconciliation:user:501:suspended:2026-03-04T09:00:00.000Z',
      },
      account: { zendesk_organization_id: '8912017421' },
    });
  });
  it('reads the organizations export over time-based pages, deduplicating a record repeated across them', async () => {
    const t = await tenant();
    nock(ZD)
      .get(USERS)
      .query(true)
      .reply(200, usersPage([], null, true));
    const org = (id: number, more: Record<string, unknown> = {}) => ({
      id,
      updated_at: T1,
      external_id: id === 801 ? '0015g00000XyZabAAF' : null,
      organization_fields: {},
      tags: [],
      ...more,
    });
    nock(ZD)
      .get(ORGS)
      .query(true)
      .reply(200, {
        organizations: [org(801, { organization_fields: { account_status: 'closed' } }), org(802)],
        end_time: 1772600000,
        count: 2,
        end_of_stream: false,
      });
    nock(ZD)
      .get(ORGS)
      .query({ start_time: '1772600000', per_page: '2' })
      .reply(200, {
        organizations: [
          org(801, { organization_fields: { account_status: 'closed' } }),
          org(803, { deleted_at: '2026-03-04T06:00:00Z' }),
        ],
        end_time: 1772600100,
        count: 2,
        end_of_stream: true,
      });
    const run = await reconcileZendesk(deps, t);
    expect(run.counters).toMatchObject({ records_read: 4, events_appended: 2 });
    const closed = await store.log.history(t.id, { zendesk_organization_id: '801' });
    expect(closed.events).toHaveLength(1);
    expect(closed.events[0]).toMatchObject({
      about: 'account',
      status: { after: 'closed' },
      customer: { zendesk_organization_id: '801', salesforce_account_id: '0015g00000XyZabAAF' },
    });
    expect((await store.log.history(t.id, { zendesk_organization_id: '803' })).current).toMatchObject({
      status: 'deleted',
    });
    expect(await recon.checkpoint(t.id, 'zendesk', 'organizations')).toEqual({ position: { start_time: 1772600100 } });
  });
});
