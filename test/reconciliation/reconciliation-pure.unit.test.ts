/**
 * The pure parts of reconciliation: what a Zendesk record's state is under the mapping, when a state
 * is a finding and with what window, the export budget header, and the read-ahead pipeline.
 */
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { compareStates } from '../../connector/reconciliation/findings.ts';
import { pipelined } from '../../connector/reconciliation/reconcile-run.ts';
import { organizationState, userState } from '../../connector/zendesk/reconciler-states.ts';
import { parseBudgetHeader, ZendeskIncrementalExport } from '../../connector/zendesk/incremental-export.ts';
import { DEFAULT_ZENDESK_MAPPING } from '../../connector/zendesk/mapping-document.ts';

const user = (more: Record<string, unknown> = {}) =>
  ({
    id: '7',
    active: true,
    suspended: false,
    updated_at: '2026-03-04T09:00:00Z',
    user_fields: {},
    ...more,
  }) as Parameters<typeof userState>[3];

describe('Zendesk record states', () => {
  it('reads active, suspended and the account_status field; the most severe wins', () => {
    const state = (u: Record<string, unknown>) => userState('t', DEFAULT_ZENDESK_MAPPING, 'acme', user(u));
    expect(state({})).toMatchObject({ status: 'active' });
    expect(state({ suspended: true })).toMatchObject({
      status: 'suspended',
      reasonCode: 'zendesk_user_suspended',
      temporary: true,
    });
    expect(state({ active: false, suspended: true })).toMatchObject({ status: 'deleted' });
    expect(state({ suspended: true, user_fields: { account_status: 'closed' } })).toMatchObject({ status: 'closed' });
    expect(state({ user_fields: { account_status: 'Suspended_Billing' } })).toMatchObject({
      status: 'suspended',
      reasonCode: 'non_payment',
    });
    // A value the mapping does not know is no signal (the webhook path quarantines it).
    expect(state({ user_fields: { account_status: 'frozen' } })).toMatchObject({ status: 'active' });
    expect(
      organizationState('t', DEFAULT_ZENDESK_MAPPING, null, {
        id: '9',
        updated_at: '2026-03-04T09:00:00Z',
        deleted_at: '2026-03-04T10:00:00Z',
      } as Parameters<typeof organizationState>[3]),
    ).toMatchObject({ status: 'deleted', observedAt: '2026-03-04T10:00:00Z' });
  });
});

describe('compareStates', () => {
  const suspended = userState('t', DEFAULT_ZENDESK_MAPPING, 'acme', user({ suspended: true }));
  it('finds nothing for an unseen active record or an agreeing one', () => {
    expect(compareStates('t', [userState('t', DEFAULT_ZENDESK_MAPPING, 'acme', user())], new Map()).findings).toEqual(
      [],
    );
    expect(
      compareStates(
        't',
        [suspended],
        new Map([['7', { subject_id: 's', status: 'suspended', occurred_at: '2026-03-01T00:00:00.000Z' }]]),
      ).findings,
    ).toEqual([]);
  });
  it("a disagreeing state is status_observed with a window after the log's latest entry", () => {
    const { findings } = compareStates(
      't',
      [suspended],
      new Map([['7', { subject_id: 's', status: 'active', occurred_at: '2026-03-04T08:00:00.000Z' }]]),
    );
    expect(findings[0]!.event).toMatchObject({
      kind: 'status_observed',
      status: { before: null, after: 'suspended' },
      source: { event_id: 'reconciliation:user:7:suspended:2026-03-04T09:00:00.000Z' },
    });
    expect(findings[0]!.window).toEqual({ from: '2026-03-04T08:00:00.001Z', to: '2026-03-04T09:00:05.000Z' });
  });
  it("a state older than the log's latest entry finds nothing", () => {
    expect(
      compareStates(
        't',
        [suspended],
        new Map([['7', { subject_id: 's', status: 'active', occurred_at: '2026-03-04T10:00:00.000Z' }]]),
      ).findings,
    ).toEqual([]);
  });
});

describe('Zendesk export limits', () => {
  afterEach(() => nock.cleanAll());
  it('parses the budget header', () => {
    expect(parseBudgetHeader('total=20; remaining=0; resets=41')).toEqual({
      total: 20,
      remaining: 0,
      resetsSeconds: 41,
    });
    expect(parseBudgetHeader('nonsense')).toBeNull();
    expect(parseBudgetHeader(null)).toBeNull();
  });
  it('waits for an exhausted budget to reset before the next request of that budget', async () => {
    const sleeps: number[] = [];
    let now = 1_000_000;
    const client = new ZendeskIncrementalExport(
      { subdomain: 'acme', email: 'a@example.com', token: 'token-123' },
      { sleep: async (ms) => void (sleeps.push(ms), (now += ms)), now: () => now },
    );
    const page = { users: [], after_cursor: 'c', end_of_stream: false };
    nock('https://acme.zendesk.com')
      .get('/api/v2/incremental/users/cursor.json')
      .query(true)
      .reply(200, page, { 'Zendesk-RateLimit-incremental-exports-cursor': 'total=20; remaining=0; resets=41' });
    nock('https://acme.zendesk.com')
      .get('/api/v2/incremental/users/cursor.json')
      .query(true)
      .matchHeader('authorization', `Basic ${Buffer.from('a@example.com/token:token-123').toString('base64')}`)
      .reply(200, page);
    expect((await client.usersPage({ start_time: 0 })).ok).toBe(true);
    expect(sleeps).toEqual([]);
    expect((await client.usersPage({ cursor: 'c' })).ok).toBe(true);
    expect(sleeps).toEqual([41_000]);
  });
  it('gives up after the attempts, without asking again', async () => {
    const client = new ZendeskIncrementalExport(
      { subdomain: 'acme', email: 'a@example.com', token: 'token-123' },
      { sleep: async () => undefined, maxAttempts: 2 },
    );
    nock('https://acme.zendesk.com').get('/api/v2/incremental/users/cursor.json').query(true).times(2).reply(401, {});
    const r = await client.usersPage({ start_time: 0 });
    expect(r).toMatchObject({ ok: false, status: 401, decision: { reason: 'unauthorized' } });
    expect(client.requests).toBe(1);
  });
});

describe('read-ahead pipeline', () => {
  it('fetches the next page while the current one is compared, in order, and nothing after a failure', async () => {
    const fetched: number[] = [];
    const fetch = async (p: number) => {
      fetched.push(p);
      return p === 3 ? { ok: false as const } : { ok: true as const, next: p + 1, endOfStream: p === 5 };
    };
    const pages = pipelined<number, Awaited<ReturnType<typeof fetch>>>(
      fetch,
      async (r) =>
        r.ok
          ? { ok: true, page: { events: [], records: 1, next: r.next, endOfStream: r.endOfStream } }
          : { ok: false, message: 'boom' },
      2,
    );
    const first = await pages.read(1);
    expect(first.ok).toBe(true);
    expect(await pages.read(2)).toMatchObject({ ok: true });
    expect(await pages.read(3)).toMatchObject({ ok: false });
    await new Promise((r) => setTimeout(r, 10));
    expect(fetched).toEqual([1, 2, 3]);
  });
});
