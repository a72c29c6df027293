/**
 * Backfill: imports from a date, stops cleanly on Ctrl-C after a durable page and resumes there when
 * run again, keeps its checkpoint apart from the scheduled runs', and running beside a scheduled
 * run writes each finding once.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backfillSummary, runBackfill, type BackfillDeps } from '../../connector/cli/backfill-command.ts';
import { ReconciliationStore } from '../../connector/reconciliation/reconciliation-store.ts';
import { reconcileZendesk } from '../../connector/zendesk/reconciler.ts';
import { TenantRegistry } from '../../connector/tenants/tenant-registry.ts';
import { connectionFor } from '../../salesforce/history-reader.ts';
import { openTestStore, type TestStore } from '../support/databases.ts';

const ZD = 'https://acme.zendesk.com';
const USERS = '/api/v2/incremental/users/cursor.json';
const ORGS = '/api/v2/incremental/organizations.json';
const SINCE = new Date('2025-01-01T00:00:00Z');

let store: TestStore;
let deps: BackfillDeps;

const user = (id: number, more: Record<string, unknown> = {}) => ({
  id,
  active: true,
  suspended: false,
  updated_at: '2025-06-01T00:00:00Z',
  email: null,
  organization_id: null,
  ...more,
});

beforeAll(async () => {
  store = await openTestStore('postgres', 'backfill');
  const tenants = new TenantRegistry(store.db, store.master, { cacheTtlMs: 0 });
  await tenants.create({
    id: 'globex',
    name: 'Globex',
    zendesk: { subdomain: 'acme', api_email: 'integration@acme.example', api_token: 'zendesk-api-token' },
  });
  deps = {
    log: store.log,
    store: new ReconciliationStore(store.db),
    tenants,
    exportOptions: { sleep: async () => undefined, perPage: 2 },
    salesforceConnection: async () => null,
  };
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
});
afterAll(async () => {
  nock.enableNetConnect();
  await store.dispose();
});
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

describe('standing backfill', () => {
  it('stops after the current page on Ctrl-C and the same command resumes from there', async () => {
    nock(ZD)
      .get(USERS)
      .query({ start_time: String(SINCE.getTime() / 1000), per_page: '2' })
      .reply(200, { users: [user(1, { suspended: true }), user(2)], after_cursor: 'b1', end_of_stream: false });
    let pages = 0;
    const first = await runBackfill(deps, {
      tenant: 'globex',
      source: 'zendesk',
      since: SINCE,
      shouldStop: () => (pages >= 1 ? 'interrupted (Ctrl-C)' : null),
      onProgress: () => void pages++,
    });
    expect(first).toMatchObject({ state: 'partial', counters: { pages: 1, events_appended: 1 } });
    expect(await deps.store.checkpoint('globex', 'zendesk', 'users@backfill')).toEqual({
      since: SINCE.getTime() / 1000,
      position: { cursor: 'b1' },
    });
    expect(await deps.store.checkpoint('globex', 'zendesk', 'users')).toBeNull();

    const progress: (string | undefined)[] = [];
    nock(ZD)
      .get(USERS)
      .query({ cursor: 'b1', per_page: '2' })
      .reply(200, {
        users: [user(3, { active: false }), user(1, { suspended: true })],
        after_cursor: 'b2',
        end_of_stream: true,
      });
    nock(ZD)
      .get(ORGS)
      .query({ start_time: String(SINCE.getTime() / 1000), per_page: '2' })
      .reply(200, { organizations: [], end_time: SINCE.getTime() / 1000, end_of_stream: true });
    const second = await runBackfill(deps, {
      tenant: 'globex',
      source: 'zendesk',
      since: SINCE,
      onProgress: (p) => progress.push(p.latestAt),
    });
    expect(second).toMatchObject({ state: 'completed', counters: { records_read: 2, events_appended: 1 } });
    expect(progress[0]).toBe('2025-06-01T00:00:00.000Z');
    const runs = await deps.store.listRuns('globex');
    expect(runs.map((r) => [r.trigger, r.state])).toEqual([
      ['backfill', 'completed'],
      ['backfill', 'partial'],
    ]);
  });

  it('beside a scheduled run, each finding is written once', async () => {
    const page = {
      users: [user(9, { suspended: true, updated_at: '2025-07-01T00:00:00Z' })],
      after_cursor: 'x',
      end_of_stream: true,
    };
    nock(ZD).get(USERS).query(true).twice().reply(200, page);
    nock(ZD).get(ORGS).query(true).twice().reply(200, { organizations: [], end_time: 1, end_of_stream: true });
    const tenant = (await deps.tenants.get('globex'))!;
    const [a, b] = await Promise.all([
      runBackfill(deps, { tenant: 'globex', source: 'zendesk', since: new Date('2025-06-15T00:00:00Z') }),
      reconcileZendesk(deps, tenant, { initialLookbackMs: Date.now() - Date.parse('2025-06-15T00:00:00Z') }),
    ]);
    expect(a.counters.events_appended + b.counters.events_appended).toBe(1);
    expect((await store.log.history('globex', { zendesk_user_id: '9' })).events).toHaveLength(1);
  });

  it('run again over history already imported, a backfill prints 0 differences', async () => {
    const SF = 'https://globex.my.salesforce.com';
    const Q = '/services/data/v60.0/query';
    const at = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
    const row = (id: string, oldValue: string, newValue: string, createdDate: string) => ({
      attributes: { type: 'AccountHistory' },
      Id: id,
      AccountId: '0015g00000BkFiLAAV',
      OldValue: oldValue,
      NewValue: newValue,
      CreatedDate: createdDate,
      CreatedById: '0055g00000AGENTAAA',
    });
    // Within the lookback the second backfill reads again (5 min before its checkpoint, 1 min before now).
    const rows = [row('017F1', 'Yes', 'No', at(180_000)), row('017F2', 'No', 'Yes', at(150_000))];
    const history = () =>
      nock(SF)
        .get(Q)
        .query((q) => String(q.q).includes('FROM AccountHistory'))
        .reply(200, { totalSize: 2, done: true, records: rows });
    const states = () =>
      nock(SF).get('/services/data/v60.0/queryAll').query(true).reply(200, { totalSize: 0, done: true, records: [] });
    const sf: BackfillDeps = {
      ...deps,
      salesforceConnection: async () => connectionFor({ instanceUrl: SF, accessToken: 'access-token' }),
    };
    const since = new Date(Date.now() - 86_400_000);

    history();
    states();
    const first = await runBackfill(sf, { tenant: 'globex', source: 'salesforce', since });
    expect(first.counters).toMatchObject({ events_appended: 2, drift_found: 2 });
    history();
    states();
    const second = await runBackfill(sf, { tenant: 'globex', source: 'salesforce', since });
    expect(second.counters).toMatchObject({ records_read: 2, events_appended: 0, drift_found: 0 });
    expect(backfillSummary(second)).toMatch(
      /^backfill completed: \d+ pages, 2 records read, 0 events appended, 0 differences found \(run /,
    );
  });
});
