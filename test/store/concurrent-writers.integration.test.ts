import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityDigest, newSubjectKey, wrapSubjectKey } from '../../connector/model/sealing.ts';
import type { Database } from '../../connector/store/database.ts';
import { StandingLog, type AppendOutcome } from '../../connector/store/standing-log.ts';
import { BACKENDS, openTestStore, type TestStore } from '../support/databases.ts';
import { event } from '../support/fixtures.ts';

let tenantCounter = 0;
const freshTenant = (label: string) => `${label}-${++tenantCounter}-${randomBytes(2).toString('hex')}`;

/** Waits until some other session is waiting for a lock held by the session `pid`. */
async function untilBlockedBy(db: Database, pid: number): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const [row] = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))',
      [pid],
    );
    if (row && row.n > 0) return;
    await sleep(20);
  }
  throw new Error(`no session ever waited for session ${pid}`);
}

describe.each(BACKENDS)('standing log on %s: concurrent writers', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(backend, 'log_concurrent');
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('keep one linear chain, with overlapping duplicates and shared new customers', async () => {
    const tenant = freshTenant('concurrent');
    const WRITERS = 8;
    const NEW_PER_BATCH = 45;
    const OVERLAP = 5;
    // Customers shared by every batch, each batch meeting them in another order, so writers also
    // race to register the same new customers.
    const customers = Array.from({ length: 20 }, (_, i) => ({
      zendesk_user_id: `70${i}`,
      email: `customer${i}@example.com`,
    }));
    const own = Array.from({ length: WRITERS }, (_, b) =>
      Array.from({ length: NEW_PER_BATCH }, (_, i) =>
        event({ tenant, customer: customers[(i * (b + 1) + b) % customers.length]! }),
      ),
    );
    // Each batch also carries the first events of the next batch: the same source events, twice.
    const batches = own.map((events, b) => [...events, ...own[(b + 1) % WRITERS]!.slice(0, OVERLAP)]);
    // One log per writer: separate caches, as separate worker processes would have.
    const writers = batches.map(() => new StandingLog(store.db, store.master));

    const results = await Promise.all(batches.map((batch, b) => writers[b]!.append(batch)));

    const unique = WRITERS * NEW_PER_BATCH;
    const all = results.flat();
    expect(all).toHaveLength(WRITERS * (NEW_PER_BATCH + OVERLAP));
    const appended = all.filter((o) => o.status === 'appended');
    expect(appended.map((o) => o.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: unique }, (_, i) => i + 1));

    const bySource = new Map<string, AppendOutcome[]>();
    for (const o of all) bySource.set(o.source_event_id, [...(bySource.get(o.source_event_id) ?? []), o]);
    expect(bySource.size).toBe(unique);
    for (const outcomes of bySource.values()) {
      const stored = outcomes.filter((o) => o.status === 'appended');
      expect(stored).toHaveLength(1);
      for (const o of outcomes) expect({ seq: o.seq, id: o.id }).toEqual({ seq: stored[0]!.seq, id: stored[0]!.id });
    }
    // A batch is appended as one run: its seqs grow in input order.
    for (const outcomes of results) {
      const seqs = outcomes.filter((o) => o.status === 'appended').map((o) => o.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    }

    const [stats] = await store.db.query<{ rows: number; subjects: number }>(
      `SELECT count(*)::int AS rows, count(DISTINCT subject_id)::int AS subjects FROM standing_events
        WHERE tenant = $1`,
      [tenant],
    );
    // Racing writers agreed on one subject per customer.
    expect(stats).toEqual({ rows: unique, subjects: customers.length });
    expect(await store.log.verify(tenant)).toMatchObject({ ok: true, checked: unique, head: { seq: unique } });
    const expectedForFirst = own.flat().filter((e) => e.customer.email === customers[0]!.email).length;
    expect((await store.log.history(tenant, { email: customers[0]!.email }, { limit: 500 })).events).toHaveLength(
      expectedForFirst,
    );
  });

  // Regression: identities used to be registered in batch order, so two writers meeting the same
  // new customers in opposite orders could deadlock. This stages that interleaving exactly.
  it.runIf(backend === 'postgres')(
    'do not deadlock when they register the same new customers in opposite orders',
    async () => {
      const tenant = freshTenant('lock-order');
      const digest = (email: string) => identityDigest(store.master, tenant, 'email', email);
      const [first, second] = ['x@example.com', 'y@example.com'].sort((a, b) => (digest(a) < digest(b) ? -1 : 1)) as [
        string,
        string,
      ];
      const otherSubject = randomUUID();
      const writer = new StandingLog(store.db, store.master);
      let appending: Promise<AppendOutcome[]> | undefined;

      // Another writer registers both customers in lock order and holds the first when ours starts,
      // with our batch naming them the other way round.
      await store.db.transaction(async (tx) => {
        const wrapped = wrapSubjectKey(store.master, tenant, otherSubject, newSubjectKey());
        await tx.query("INSERT INTO subjects (tenant, subject_id, kind, wrapped_key) VALUES ($1, $2, 'person', $3)", [
          tenant,
          otherSubject,
          wrapped,
        ]);
        await tx.query('INSERT INTO subject_identities (tenant, digest, subject_id) VALUES ($1, $2, $3)', [
          tenant,
          digest(first),
          otherSubject,
        ]);
        const [session] = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        appending = writer.append([
          event({ tenant, customer: { email: second } }),
          event({ tenant, customer: { email: first } }),
        ]);
        appending.catch(() => undefined);
        await untilBlockedBy(store.db, session!.pid);
        await tx.query(
          'INSERT INTO subject_identities (tenant, digest, subject_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
          [tenant, digest(second), otherSubject],
        );
      });

      const outcomes = await appending!;
      expect(outcomes.map((o) => o.status)).toEqual(['appended', 'appended']);
      // The writer that registered first owns both identities; ours used its subject.
      const subjects = await store.db.query<{ subject_id: string }>(
        'SELECT DISTINCT subject_id FROM standing_events WHERE tenant = $1',
        [tenant],
      );
      expect(subjects.map((s) => s.subject_id)).toEqual([otherSubject]);
      expect(await store.log.verify(tenant)).toMatchObject({ ok: true, checked: 2 });
    },
  );
});
