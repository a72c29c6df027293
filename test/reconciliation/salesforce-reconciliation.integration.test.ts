/**
 * Salesforce reconciliation with the real jsforce against a nock'd org: history transitions
 * followed over `nextRecordsUrl` pages, the race with a change event in both orders, a soft delete
 * seen by /queryAll, and the stop above the configured share of the daily API quota (resumed next run).
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseStandingEvent, type NewStandingEvent } from '../../connector/model/standing-event.ts';
import { ReconciliationStore } from '../../connector/reconciliation/reconciliation-store.ts';
import { reconcileSalesforce, type SalesforceReconcilerDeps } from '../../salesforce/reconciler.ts';
import { TenantRegistry } from '../../connector/tenants/tenant-registry.ts';
import { connectionFor } from '../../salesforce/history-reader.ts';
import { openTestStore, type TestStore } from '../support/databases.ts';

const SF = 'https://acme.my.salesforce.com';
const Q = '/services/data/v60.0/query';
const QA = '/services/data/v60.0/queryAll';
const ACCOUNT = '0015g00000XyZabAAF';
const NOW = Date.parse('2026-03-05T00:00:00Z');

let store: TestStore;
let tenants: TenantRegistry;
let recon: ReconciliationStore;
let deps: SalesforceReconcilerDeps;
let n = 0;
let tenant = '';

beforeAll(async () => {
  store = await openTestStore('postgres', 'reconcile_sf');
  tenants = new TenantRegistry(store.db, store.master, { cacheTtlMs: 0 });
  recon = new ReconciliationStore(store.db);
  deps = { log: store.log, store: recon, tenants, now: () => NOW };
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
});
afterAll(async () => {
  nock.enableNetConnect();
  await store.dispose();
});
beforeEach(async () => {
  tenant = `sf${++n}`;
  const created = await tenants.create({ id: tenant, name: 'Acme' });
  if (!created.ok) throw new Error(created.message);
});
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

const conn = () => connectionFor({ instanceUrl: SF, accessToken: 'access-token' });
const history = (id: string, oldValue: string, newValue: string, at: string) => ({
  attributes: { type: 'AccountHistory' },
  Id: id,
  AccountId: ACCOUNT,
  OldValue: oldValue,
  NewValue: newValue,
  CreatedDate: at,
  CreatedById: '0055g00000AGENTAAA',
});
const limit = (used: number) => ({ 'Sforce-Limit-Info': `api-usage=${used}/100` });
const isHistory = (q: NodeJS.Dict<string | string[]>) => String(q.q).includes('FROM AccountHistory');
const isState = (q: NodeJS.Dict<string | string[]>) => String(q.q).includes('FROM Account ');
const LIMITS = '/services/data/v60.0/limits';
/** The limits resource: `used` of 100 daily API requests. */
const limits = (used: number) =>
  nock(SF)
    .get(LIMITS)
    .reply(
      200,
      { DailyApiRequests: { Max: 100, Remaining: 100 - used }, DailyBulkApiBatches: { Max: 15000, Remaining: 15000 } },
      limit(used),
    );
const noStates = () => nock(SF).get(QA).query(isState).reply(200, { totalSize: 0, done: true, records: [] }, limit(10));

function changeEvent(at: string, after: 'active' | 'deactivated'): NewStandingEvent {
  const r = parseStandingEvent({
    tenant,
    kind: after === 'active' ? 'reinstatement' : 'deactivation',
    status: { before: null, after },
    initiation: { type: 'manual', temporary: false },
    actor: { type: 'agent', id: '0055g00000AGENTAAA' },
    source: { system: 'salesforce', object: 'Account', id: ACCOUNT, event_id: `cdc:0002a4b7-${at}:1:${ACCOUNT}` },
    detected_via: 'change_event',
    customer: { salesforce_account_id: ACCOUNT },
    occurred_at: at,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
}
const accountHistory = async () => (await store.log.history(tenant, { salesforce_account_id: ACCOUNT })).events;

describe('Salesforce reconciliation', () => {
  it('appends history transitions over every nextRecordsUrl page; a late change event is the same entry', async () => {
    nock(SF)
      .get(Q)
      .query(isHistory)
      .reply(
        200,
        {
          totalSize: 3,
          done: false,
          nextRecordsUrl: `${Q}/01g-2000`,
          records: [history('017A1', 'Yes', 'No', '2026-03-04T10:00:00.000+0000')],
        },
        limit(10),
      );
    nock(SF)
      .get(`${Q}/01g-2000`)
      .reply(
        200,
        {
          totalSize: 3,
          done: false,
          nextRecordsUrl: `${Q}/01g-4000`,
          records: [history('017A2', 'No', 'Yes', '2026-03-04T11:00:00.000+0000')],
        },
        limit(11),
      );
    nock(SF)
      .get(`${Q}/01g-4000`)
      .reply(
        200,
        { totalSize: 3, done: true, records: [history('017A3', 'Yes', 'No', '2026-03-04T12:00:00.000+0000')] },
        limit(12),
      );
    noStates();
    const run = await reconcileSalesforce(deps, tenant, conn());
    expect(run).toMatchObject({ state: 'completed', counters: { events_appended: 3, errors: [] } });
    const events = await accountHistory();
    expect(events.map((e) => [e.kind, e.status.before, e.status.after, e.source.event_id])).toEqual([
      ['deactivation', 'active', 'deactivated', 'history:017A3'],
      ['reinstatement', 'deactivated', 'active', 'history:017A2'],
      ['deactivation', 'active', 'deactivated', 'history:017A1'],
    ]);
    expect(events[0]).toMatchObject({
      actor: { type: 'agent', id: '0055g00000AGENTAAA' },
      initiation: { type: 'manual' },
      detected_via: 'reconciliation',
    });
    // The change event of the 12:00 transition arrives late (commit time a moment after the history row).
    const [late] = await store.log.append([changeEvent('2026-03-04T12:00:00.400Z', 'deactivated')]);
    expect(late).toMatchObject({ status: 'duplicate', same_transition: 'reconciled_first' });
    expect(await accountHistory()).toHaveLength(3);
  });

  it(
    'the reverse order: a change event first, then the history ' + 'row of that transition is not written again',
    async () => {
      await store.log.append([changeEvent('2026-03-04T10:00:00.300Z', 'deactivated')]);
      nock(SF)
        .get(Q)
        .query(isHistory)
        .reply(
          200,
          { totalSize: 1, done: true, records: [history('017B1', 'Yes', 'No', '2026-03-04T10:00:00.000+0000')] },
          limit(10),
        );
      noStates();
      const run = await reconcileSalesforce(deps, tenant, conn());
      expect(run.counters).toMatchObject({ events_appended: 0 });
      expect(await accountHistory()).toHaveLength(1);
    },
  );

  it('records a soft delete that no history row explains as status_observed, by SystemModstamp', async () => {
    nock(SF).get(Q).query(isHistory).reply(200, { totalSize: 0, done: true, records: [] }, limit(10));
    nock(SF)
      .get(QA)
      .query(isState)
      .reply(
        200,
        {
          totalSize: 1,
          done: true,
          records: [
            {
              attributes: { type: 'Account' },
              Id: ACCOUNT,
              IsDeleted: true,
              SystemModstamp: '2026-03-04T15:00:00.000+0000',
              Active__c: 'Yes',
            },
          ],
        },
        limit(10),
      );
    await reconcileSalesforce(deps, tenant, conn());
    expect(await accountHistory()).toMatchObject([
      {
        kind: 'status_observed',
        status: { after: 'deleted' },
        occurred_at: '2026-03-04T15:00:00.000Z',
        reason: { code: 'salesforce_record_deleted' },
      },
    ]);
  });

  it(
    'stops above the configured share of the daily API quota, and the next run resumes from the last durable ' + 'page',
    async () => {
      nock(SF)
        .get(Q)
        .query(isHistory)
        .reply(
          200,
          {
            totalSize: 2,
            done: false,
            nextRecordsUrl: `${Q}/01g-2000`,
            records: [history('017C1', 'Yes', 'No', '2026-03-04T10:00:00.000+0000')],
          },
          limit(81),
        );
      const stopped = await reconcileSalesforce(deps, tenant, conn(), { maxQuotaShare: 0.8 });
      expect(stopped).toMatchObject({ state: 'partial', counters: { pages: 1, events_appended: 1 } });
      expect(stopped.counters.errors[0]!.message).toMatch(
        /81\/100 \(from the last answer's Sforce-Limit-Info\) is above 80 %/,
      );
      expect(await recon.checkpoint(tenant, 'salesforce', 'AccountHistory')).toEqual({
        since: '2026-03-04T10:00:00.000Z',
      });

      // Next run (quota reset): from the checkpoint minus the lookback; the row read again is not doubled.
      nock(SF)
        .get(Q)
        .query((q) => isHistory(q) && String(q.q).includes('CreatedDate >= 2026-03-04T09:55:00Z'))
        .reply(
          200,
          {
            totalSize: 2,
            done: true,
            records: [
              history('017C1', 'Yes', 'No', '2026-03-04T10:00:00.000+0000'),
              history('017C2', 'No', 'Yes', '2026-03-04T11:00:00.000+0000'),
            ],
          },
          limit(5),
        );
      noStates();
      const resumed = await reconcileSalesforce(deps, tenant, conn(), { maxQuotaShare: 0.8 });
      expect(resumed).toMatchObject({ state: 'completed', counters: { events_appended: 1 } });
      expect(await accountHistory()).toHaveLength(2);
    },
  );

  it(
    'asks Salesforce before deciding: on the same long-lived connection, the run after a quota stop resumes ' +
      'once usage dropped',
    async () => {
      const session = conn();
      limits(10);
      nock(SF)
        .get(Q)
        .query(isHistory)
        .reply(
          200,
          {
            totalSize: 2,
            done: false,
            nextRecordsUrl: `${Q}/01g-2000`,
            records: [history('017D1', 'Yes', 'No', '2026-03-04T10:00:00.000+0000')],
          },
          limit(81),
        );
      const stopped = await reconcileSalesforce(deps, tenant, session, { maxQuotaShare: 0.8 });
      expect(stopped).toMatchObject({ state: 'partial', counters: { pages: 1, events_appended: 1 } });
      expect(stopped.counters.errors.map((e) => e.message)).toEqual([
        expect.stringMatching(/81\/100 \(from the last answer's Sforce-Limit-Info\) is above 80 %/),
      ]);

      // Usage dropped (the connection still remembers 81/100): the next run asks, then reads.
      limits(5);
      nock(SF)
        .get(Q)
        .query((q) => isHistory(q) && String(q.q).includes('CreatedDate >= 2026-03-04T09:55:00Z'))
        .reply(
          200,
          {
            totalSize: 2,
            done: true,
            records: [
              history('017D1', 'Yes', 'No', '2026-03-04T10:00:00.000+0000'),
              history('017D2', 'No', 'Yes', '2026-03-04T11:00:00.000+0000'),
            ],
          },
          limit(6),
        );
      noStates();
      const resumed = await reconcileSalesforce(deps, tenant, session, { maxQuotaShare: 0.8 });
      expect(resumed).toMatchObject({ state: 'completed', counters: { pages: 2, events_appended: 1, errors: [] } });
      expect(await accountHistory()).toHaveLength(2);
    },
  );

  it(
    'stops before the first page when the limits resource says ' + 'usage is above the share, quoting that figure',
    async () => {
      limits(90);
      const stopped = await reconcileSalesforce(deps, tenant, conn(), { maxQuotaShare: 0.8 });
      expect(stopped).toMatchObject({ state: 'partial', counters: { pages: 0 } });
      expect(stopped.counters.errors.map((e) => e.message)).toEqual([
        expect.stringMatching(/90\/100 \(from the limits resource before the first page\) is above 80 %/),
      ]);
      expect((await recon.listRuns(tenant))[0]).toMatchObject({ state: 'partial', errors: stopped.counters.errors });
    },
  );

  it('reports no drift for history the log already holds, read again in the next run', async () => {
    const rows = [
      history('017E1', 'Yes', 'No', '2026-03-04T23:56:00.000+0000'),
      history('017E2', 'No', 'Yes', '2026-03-04T23:57:00.000+0000'),
    ];
    nock(SF).get(Q).query(isHistory).reply(200, { totalSize: 2, done: true, records: rows }, limit(10));
    noStates();
    const first = await reconcileSalesforce(deps, tenant, conn());
    expect(first.counters).toMatchObject({ records_read: 2, events_appended: 2, drift_found: 2 });

    // The next run re-reads the lookback before its checkpoint: the same two rows, already in the log.
    nock(SF)
      .get(Q)
      .query((q) => isHistory(q) && String(q.q).includes('CreatedDate >= 2026-03-04T23:54:00Z'))
      .reply(200, { totalSize: 2, done: true, records: rows }, limit(11));
    noStates();
    const second = await reconcileSalesforce(deps, tenant, conn());
    expect(second).toMatchObject({
      state: 'completed',
      counters: { records_read: 2, events_appended: 0, drift_found: 0 },
    });
    expect((await recon.listRuns(tenant))[0]).toMatchObject({ drift_found: 0, events_appended: 0 });
  });
});
