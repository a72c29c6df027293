import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewStandingEvent, NewStandingEventInput } from '../../connector/model/standing-event.ts';
import { InvalidCursorError, type History } from '../../connector/store/standing-log.ts';
import { BACKENDS, openTestStore, type TestStore } from '../support/databases.ts';
import { event } from '../support/fixtures.ts';

let tenantCounter = 0;
const freshTenant = (label: string) => `${label}-${++tenantCounter}-${randomBytes(2).toString('hex')}`;
const at = (minute: number) => new Date(Date.UTC(2026, 2, 4, 5, minute)).toISOString();

/** The fields of a status-changing or workflow step, on top of the deactivation fixture. */
const STEPS = {
  suspend: { kind: 'deactivation', status: { before: 'active', after: 'suspended' } },
  observeSuspended: {
    kind: 'status_observed',
    status: { before: null, after: 'suspended' },
    initiation: undefined,
    detected_via: 'reconciliation',
  },
  request: {
    kind: 'reinstatement_requested',
    status: { before: 'suspended', after: null },
    initiation: undefined,
    actor: { type: 'customer' },
  },
  reinstate: { kind: 'reinstatement', status: { before: 'suspended', after: 'active' }, initiation: undefined },
  observeActive: {
    kind: 'status_observed',
    status: { before: null, after: 'active' },
    initiation: undefined,
    detected_via: 'reconciliation',
  },
} as const satisfies Record<string, Partial<NewStandingEventInput>>;

describe.each(BACKENDS)('standing log on %s: history', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(backend, 'log_history');
  });
  afterAll(async () => {
    await store?.dispose();
  });

  const ids = (h: History) => h.events.map((e) => e.id);

  it('reads an event back as it was appended', async () => {
    const tenant = freshTenant('roundtrip');
    const e = event({
      tenant,
      conditions: [{ code: 'pay_balance', text: 'Settle invoice 2026-117', met: false }],
      evidence: { invoice: '2026-117', amount_due: 129.5 },
      related_ticket_ids: ['4711'],
    });
    const [outcome] = await store.log.append([e]);
    const history = await store.log.history(tenant, { email: e.customer.email });
    expect(history.events).toEqual([
      {
        ...e,
        about: 'person',
        id: outcome!.id,
        seq: outcome!.seq,
        recorded_at: expect.stringMatching(/Z$/),
        erased: false,
      },
    ]);
  });

  it('finds a customer by any identity, including one learnt alongside another on a later event', async () => {
    const tenant = freshTenant('identities');
    const [a] = await store.log.append([
      event({ tenant, customer: { zendesk_user_id: '111', email: 'Dana.Reyes@example.com' } }),
    ]);
    const [b] = await store.log.append([
      event({ tenant, customer: { email: 'dana.reyes@example.com', salesforce_contact_id: '003Dn00000A1b2cIAB' } }),
    ]);
    const [c] = await store.log.append([event({ tenant, customer: { salesforce_contact_id: '003Dn00000A1b2c' } })]);
    await store.log.append([
      event({ tenant, customer: { zendesk_user_id: '222', email: 'someone.else@example.com' } }),
    ]);
    const expected = [a!.id, b!.id, c!.id].sort();
    for (const identity of [
      { zendesk_user_id: '111' },
      { email: 'DANA.REYES@EXAMPLE.COM' },
      { salesforce_contact_id: '003Dn00000A1b2cIAB' },
      { salesforce_contact_id: '003Dn00000A1b2c' },
      { zendesk_user_id: '111', email: 'dana.reyes@example.com' },
    ]) {
      expect(ids(await store.log.history(tenant, identity)).sort(), JSON.stringify(identity)).toEqual(expected);
    }
  });

  it('links identities that meet within one batch', async () => {
    const tenant = freshTenant('batch-identities');
    const outcomes = await store.log.append([
      event({ tenant, customer: { zendesk_user_id: '333', email: 'kim@example.com' } }),
      event({ tenant, customer: { email: 'kim@example.com', salesforce_contact_id: '003Dn00000Z9y8x' } }),
      event({ tenant, customer: { salesforce_contact_id: '003Dn00000Z9y8x' } }),
    ]);
    expect(ids(await store.log.history(tenant, { zendesk_user_id: '333' })).sort()).toEqual(
      outcomes.map((o) => o.id).sort(),
    );
  });

  it('lists newest first by occurred_at, whatever the order of appending, ties by seq', async () => {
    const tenant = freshTenant('order');
    const customer = { email: 'order@example.com' };
    const minutes = [3, 1, 5, 2, 4, 4];
    const outcomes = await store.log.append(minutes.map((m) => event({ tenant, customer, occurred_at: at(m) })));
    const history = await store.log.history(tenant, customer);
    expect(history.events.map((e) => e.occurred_at)).toEqual([5, 4, 4, 3, 2, 1].map(at));
    // The two events at minute 4: the later-appended (higher seq) first.
    expect(history.events.slice(1, 3).map((e) => e.seq)).toEqual([outcomes[5]!.seq, outcomes[4]!.seq]);
  });

  it('pages with a cursor, returning every event exactly once', async () => {
    const tenant = freshTenant('pages');
    const customer = { zendesk_user_id: '444' };
    const minutes = [7, 2, 2, 2, 9, 1, 5];
    await store.log.append(minutes.map((m) => event({ tenant, customer, occurred_at: at(m) })));
    const all = await store.log.history(tenant, customer, { limit: 500 });
    expect(all.next_cursor).toBeNull();

    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await store.log.history(tenant, customer, { limit: 3, ...(cursor ? { cursor } : {}) });
      pages.push(ids(page));
      cursor = page.next_cursor ?? undefined;
    } while (cursor && pages.length < 10);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual(ids(all));
    expect(new Set(pages.flat()).size).toBe(minutes.length);
  });

  it('gives no cursor when the last page is exactly full', async () => {
    const tenant = freshTenant('exact');
    const customer = { zendesk_user_id: '445' };
    await store.log.append([1, 2, 3, 4].map((m) => event({ tenant, customer, occurred_at: at(m) })));
    const first = await store.log.history(tenant, customer, { limit: 2 });
    const second = await store.log.history(tenant, customer, { limit: 2, cursor: first.next_cursor! });
    expect(second.events).toHaveLength(2);
    expect(second.next_cursor).toBeNull();
  });

  it.each([
    ['garbage', 'not a cursor!'],
    ['JSON that is not a cursor', Buffer.from('{"t":"yesterday","s":1}').toString('base64url')],
    ['a cursor with a non-integer seq', Buffer.from('{"t":"2026-03-04T05:00:00.000Z","s":"1"}').toString('base64url')],
    ['base64 of something else', Buffer.from('hello').toString('base64url')],
  ])('refuses %s as cursor with InvalidCursorError', async (_what, cursor) => {
    const tenant = freshTenant('cursor');
    await store.log.append([event({ tenant, customer: { zendesk_user_id: '446' } })]);
    await expect(store.log.history(tenant, { zendesk_user_id: '446' }, { cursor })).rejects.toThrow(InvalidCursorError);
  });

  it('derives the current status and since when it holds, ignoring repeats and workflow steps', async () => {
    const tenant = freshTenant('current');
    const customer = { zendesk_user_id: '555', email: 'current@example.com' };
    const step = (fields: Partial<NewStandingEventInput>, minute: number): NewStandingEvent =>
      event({ tenant, customer, ...fields, occurred_at: at(minute) });

    // Appended out of order on purpose: the derivation follows occurred_at.
    await store.log.append([step(STEPS.observeSuspended, 20), step(STEPS.suspend, 10), step(STEPS.request, 30)]);
    const suspended = await store.log.history(tenant, customer);
    expect(suspended.current).toMatchObject({ status: 'suspended', since: at(10) });

    await store.log.append([step(STEPS.observeActive, 50), step(STEPS.reinstate, 40)]);
    const before = Date.now();
    const active = await store.log.history(tenant, customer);
    const after = Date.now();
    expect(active.current).toMatchObject({ status: 'active', since: at(40) });
    const since = Date.parse(at(40));
    expect(active.current!.seconds_since_change).toBeGreaterThanOrEqual(Math.floor((before - since) / 1000));
    expect(active.current!.seconds_since_change).toBeLessThanOrEqual(Math.ceil((after - since) / 1000));

    await store.log.append([step(STEPS.suspend, 60)]);
    expect((await store.log.history(tenant, customer)).current).toMatchObject({ status: 'suspended', since: at(60) });
  });

  it('has no current status for a customer with workflow steps only', async () => {
    const tenant = freshTenant('no-status');
    const customer = { zendesk_user_id: '556' };
    await store.log.append([event({ tenant, customer, ...STEPS.request })]);
    const history = await store.log.history(tenant, customer);
    expect(history.events).toHaveLength(1);
    expect(history.current).toBeNull();
  });

  it('returns an empty history for an unknown customer', async () => {
    const tenant = freshTenant('unknown');
    await store.log.append([event({ tenant, customer: { email: 'known@example.com' } })]);
    const none = {
      subject: { kind: 'person' },
      person: { current: null },
      accounts: [],
      events: [],
      next_cursor: null,
      current: null,
    };
    expect(await store.log.history(tenant, { email: 'unknown@example.com' })).toEqual(none);
    expect(await store.log.history(tenant, {})).toEqual({ ...none, subject: { kind: 'account' }, person: null });
  });

  it('is scoped by tenant: the same email in another tenant is another customer', async () => {
    const [t1, t2] = [freshTenant('scope-a'), freshTenant('scope-b')];
    const customer = { email: 'shared@example.com' };
    const [inT1] = await store.log.append([event({ tenant: t1, customer })]);
    const [inT2] = await store.log.append([event({ tenant: t2, customer, ...STEPS.observeActive })]);
    expect(ids(await store.log.history(t1, customer))).toEqual([inT1!.id]);
    const other = await store.log.history(t2, customer);
    expect(ids(other)).toEqual([inT2!.id]);
    expect(other.current?.status).toBe('active');
  });
});
