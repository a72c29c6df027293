import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eraseSubject, type ErasureReport } from '../../connector/gdpr/erasure.ts';
import type { PersonIdentities } from '../../connector/gdpr/person-data.ts';
import { StandingLog } from '../../connector/store/standing-log.ts';
import { BACKENDS, openTestStore, type TestStore } from '../support/databases.ts';
import { event } from '../support/fixtures.ts';

/** The history of a person nobody knows (any more). */
const NOBODY = {
  subject: { kind: 'person' },
  person: { current: null },
  accounts: [],
  events: [],
  next_cursor: null,
  current: null,
};

/** Erasure as the API and the CLI do it (hold check, erasure entry, inbox redaction). */
const erase = (log: StandingLog, tenant: string, identities: PersonIdentities): Promise<ErasureReport> =>
  eraseSubject(log, { tenant, identities, reason: 'R-1', actor: 'test' });

let tenantCounter = 0;
const freshTenant = (label: string) => `${label}-${++tenantCounter}-${randomBytes(2).toString('hex')}`;

/**
 * What erasing a person does to the log: unfindable, rows and chain kept, key destroyed, in this
 * process and others. The log itself offers no way to erase: the only one is eraseSubject, which
 * checks legal holds, records the erasure in the chain and redacts the inbox.
 */
it('the log offers no erasure of its own', () => {
  expect(StandingLog.prototype).not.toHaveProperty('erase');
});

describe.each(BACKENDS)('standing log on %s: erasure', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(backend, 'log_erasure');
  });
  afterAll(async () => {
    await store?.dispose();
  });

  const dana = { zendesk_user_id: '8001', email: 'Dana.Reyes@example.com' };
  const lee = { zendesk_user_id: '8002', email: 'lee@example.com' };

  async function subjectRows(tenant: string) {
    return store.db.query<{
      subject_id: string;
      wrapped_key: Buffer | null;
      erased_at: Date | string | null;
      identities: number;
    }>(
      `SELECT s.subject_id, s.wrapped_key, s.erased_at,
              (SELECT count(*)::int FROM subject_identities i WHERE i.tenant = s.tenant
                AND i.subject_id = s.subject_id) AS identities
       FROM subjects s WHERE s.tenant = $1`,
      [tenant],
    );
  }

  it('makes the customer unfindable, keeps the rows, keeps the chain and destroys the key', async () => {
    const tenant = freshTenant('erase');
    const danas = await store.log.append([
      event({ tenant, customer: dana }),
      event({ tenant, customer: { email: dana.email, salesforce_contact_id: '003Dn00000A1b2cIAB' } }),
    ]);
    await store.log.append([
      event({ tenant, customer: lee }),
      event({ tenant, customer: { zendesk_user_id: dana.zendesk_user_id } }),
    ]);
    const [{ subject_id: danaSubject } = { subject_id: '' }] = await store.db.query<{ subject_id: string }>(
      'SELECT subject_id FROM standing_events WHERE tenant = $1 AND id = $2',
      [tenant, danas[0]!.id],
    );

    const report = await erase(store.log, tenant, { email: 'DANA.REYES@example.com' });
    expect(report.subjects).toEqual([{ subject_id: danaSubject, erasure_seq: 5 }]);

    // Not findable by any of the customer's identities, neither here nor in a process with empty caches.
    const fresh = new StandingLog(store.db, store.master);
    for (const log of [store.log, fresh]) {
      for (const identity of [
        { email: dana.email },
        { zendesk_user_id: dana.zendesk_user_id },
        { salesforce_contact_id: '003Dn00000A1b2c' },
      ]) {
        expect(await log.history(tenant, identity), JSON.stringify(identity)).toEqual(NOBODY);
      }
    }
    const [count] = await store.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM standing_events WHERE tenant = $1',
      [tenant],
    );
    // The four events, and the erasure entry.
    expect(count?.n).toBe(5);
    expect(await store.log.verify(tenant)).toMatchObject({ ok: true, checked: 5 });

    const subjects = await subjectRows(tenant);
    const erased = subjects.find((s) => s.subject_id === danaSubject);
    expect(erased).toMatchObject({ wrapped_key: null, identities: 0 });
    expect(erased?.erased_at).not.toBeNull();
    // The other customer is untouched and still readable.
    expect(
      subjects.filter((s) => s.subject_id !== danaSubject).every((s) => s.wrapped_key !== null && s.erased_at === null),
    ).toBe(true);
    const leeHistory = await fresh.history(tenant, { email: lee.email });
    expect(leeHistory.events).toHaveLength(1);
    expect(leeHistory.events[0]).toMatchObject({ erased: false, customer: { email: lee.email } });
  });

  it('erases every customer the given identities resolve to', async () => {
    const tenant = freshTenant('erase-two');
    await store.log.append([event({ tenant, customer: dana }), event({ tenant, customer: lee })]);
    expect(
      (await erase(store.log, tenant, { email: dana.email, zendesk_user_id: lee.zendesk_user_id })).subjects,
    ).toHaveLength(2);
    expect((await subjectRows(tenant)).map((s) => s.wrapped_key)).toEqual([null, null]);
  });

  it('does nothing for an unknown customer', async () => {
    const tenant = freshTenant('erase-unknown');
    await store.log.append([event({ tenant, customer: lee })]);
    expect(await erase(store.log, tenant, { email: 'nobody@example.com' })).toMatchObject({
      subjects: [],
      already_erased: [],
    });
    expect((await store.log.history(tenant, { email: lee.email })).events).toHaveLength(1);
  });

  it('only erases within the tenant asked', async () => {
    const [t1, t2] = [freshTenant('erase-a'), freshTenant('erase-b')];
    await store.log.append([event({ tenant: t1, customer: dana }), event({ tenant: t2, customer: dana })]);
    await erase(store.log, t1, { email: dana.email });
    expect((await store.log.history(t1, { email: dana.email })).events).toHaveLength(0);
    expect((await store.log.history(t2, { email: dana.email })).events).toHaveLength(1);
  });

  it('treats a customer who comes back after erasure as a new customer', async () => {
    const tenant = freshTenant('erase-return');
    await store.log.append([event({ tenant, customer: dana })]);
    await erase(store.log, tenant, { email: dana.email });
    const [back] = await store.log.append([event({ tenant, customer: dana })]);
    // After the erasure entry (seq 2).
    expect(back).toMatchObject({ status: 'appended', seq: 3 });
    const history = await store.log.history(tenant, { email: dana.email });
    expect(history.events.map((e) => e.id)).toEqual([back!.id]);
    expect(await store.log.verify(tenant)).toMatchObject({ ok: true, checked: 3 });
  });

  it('shows in the history another process reads at once, whatever that process has cached', async () => {
    const tenant = freshTenant('erase-read-elsewhere');
    // An API process that read the customer a moment ago (identities and key cached for a minute).
    const api = new StandingLog(store.db, store.master);
    await api.append([event({ tenant, customer: dana })]);
    expect((await api.history(tenant, { email: dana.email })).events).toHaveLength(1);

    await erase(store.log, tenant, { email: dana.email });

    expect(await api.history(tenant, { email: dana.email })).toEqual(NOBODY);
    expect(await api.history(tenant, { zendesk_user_id: dana.zendesk_user_id })).toEqual(NOBODY);
  });

  it('reaches other processes once their caches expire', async () => {
    const tenant = freshTenant('erase-elsewhere');
    const cacheTtlMs = 50;
    // A long-running worker that saw the customer before an API process erased it.
    const worker = new StandingLog(store.db, store.master, { keyCacheTtlMs: cacheTtlMs });
    await worker.append([event({ tenant, customer: dana })]);
    expect((await worker.history(tenant, { email: dana.email })).events).toHaveLength(1);

    await erase(store.log, tenant, { email: dana.email });
    await sleep(cacheTtlMs * 4);

    expect(await worker.history(tenant, { email: dana.email })).toEqual(NOBODY);
    const [back] = await worker.append([event({ tenant, customer: dana })]);
    expect(back).toMatchObject({ status: 'appended', seq: 3 });
    expect((await worker.history(tenant, { zendesk_user_id: dana.zendesk_user_id })).events.map((e) => e.id)).toEqual([
      back!.id,
    ]);
  });
});
