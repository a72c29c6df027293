import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { History } from '../../connector/store/standing-log.ts';
import { BACKENDS, openTestStore, type TestStore } from '../support/databases.ts';
import { event } from '../support/fixtures.ts';

const at = (minute: number) => new Date(Date.UTC(2026, 2, 4, 5, minute)).toISOString();
const observed = {
  kind: 'status_observed',
  status: { before: null, after: 'active' },
  initiation: undefined,
  detected_via: 'reconciliation',
} as const;

/**
 * Identities that were never seen together resolve to two subjects; the history page reads each
 * subject's rows up to the page size and merges them, so every page must still be the global
 * newest-first order, across the cursor, with nothing lost or repeated.
 */
describe.each(BACKENDS)('standing log on %s: history of identities spanning several subjects', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(backend, 'log_history_subjects');
  });
  afterAll(async () => {
    await store?.dispose();
  });

  const minutes = (h: History) => h.events.map((e) => new Date(e.occurred_at).getUTCMinutes());

  async function twoSubjects(): Promise<{ tenant: string; both: { zendesk_user_id: string; email: string } }> {
    const tenant = `subjects-${randomBytes(3).toString('hex')}`;
    const busy = { zendesk_user_id: '901' };
    const quiet = { email: 'quiet.customer@example.com' };
    await store.log.append(
      [10, 11, 12, 13, 14, 16, 17, 18, 19].map((m) =>
        event({ ...observed, tenant, customer: busy, occurred_at: at(m) }),
      ),
    );
    await store.log.append([15, 9].map((m) => event({ ...observed, tenant, customer: quiet, occurred_at: at(m) })));
    expect(await store.log.subjects.find(tenant, { ...busy, ...quiet })).toHaveLength(2);
    return { tenant, both: { ...busy, ...quiet } };
  }

  it('merges both subjects newest first on a page smaller than either history', async () => {
    const { tenant, both } = await twoSubjects();
    const all = await store.log.history(tenant, both, { limit: 500 });
    expect(minutes(all)).toEqual([19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9]);
  });

  it('pages across both subjects with a cursor, each event exactly once and in order', async () => {
    const { tenant, both } = await twoSubjects();
    const pages: number[][] = [];
    let cursor: string | undefined;
    do {
      const page = await store.log.history(tenant, both, { limit: 3, ...(cursor ? { cursor } : {}) });
      pages.push(minutes(page));
      cursor = page.next_cursor ?? undefined;
    } while (cursor && pages.length < 10);
    expect(pages).toEqual([
      [19, 18, 17],
      [16, 15, 14],
      [13, 12, 11],
      [10, 9],
    ]);
  });

  it('breaks ties on occurred_at by seq across subjects, newest seq first', async () => {
    const tenant = `ties-${randomBytes(3).toString('hex')}`;
    const [a] = await store.log.append([
      event({ ...observed, tenant, customer: { zendesk_user_id: '902' }, occurred_at: at(30) }),
    ]);
    const [b] = await store.log.append([
      event({ ...observed, tenant, customer: { email: 'tie@example.com' }, occurred_at: at(30) }),
    ]);
    const [c] = await store.log.append([
      event({ ...observed, tenant, customer: { zendesk_user_id: '902' }, occurred_at: at(30) }),
    ]);
    const who = { zendesk_user_id: '902', email: 'tie@example.com' };
    const first = await store.log.history(tenant, who, { limit: 2 });
    const second = await store.log.history(tenant, who, { limit: 2, cursor: first.next_cursor! });
    expect([...first.events, ...second.events].map((e) => e.id)).toEqual([c!.id, b!.id, a!.id]);
    expect(second.next_cursor).toBeNull();
  });
});
