import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewStandingEvent } from '../../connector/model/standing-event.ts';
import { BACKENDS, openTestStore, type TestStore } from '../support/databases.ts';
import { event } from '../support/fixtures.ts';

let tenantCounter = 0;
/** A tenant of its own for each test, so tests sharing the file's store cannot see each other's rows. */
const freshTenant = (label: string) => `${label}-${++tenantCounter}-${randomBytes(2).toString('hex')}`;

describe.each(BACKENDS)('standing log on %s: append', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(backend, 'log_append');
  });
  afterAll(async () => {
    await store?.dispose();
  });

  const rowCount = async (tenant: string) =>
    (
      await store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM standing_events WHERE tenant = $1', [tenant])
    )[0]!.n;

  it('appends a batch with seq 1..n in input order', async () => {
    const tenant = freshTenant('order');
    const events = [1, 2, 3, 4].map(() => event({ tenant }));
    const outcomes = await store.log.append(events);
    expect(outcomes).toEqual(
      events.map((e, i) => ({
        status: 'appended',
        tenant,
        seq: i + 1,
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        source_event_id: e.source.event_id,
      })),
    );
    expect(new Set(outcomes.map((o) => o.id)).size).toBe(4);
    const rows = await store.db.query<{ seq: number; id: string }>(
      'SELECT seq, id FROM standing_events WHERE tenant = $1 ORDER BY seq',
      [tenant],
    );
    expect(rows.map((r) => ({ seq: Number(r.seq), id: r.id }))).toEqual(
      outcomes.map((o) => ({ seq: o.seq, id: o.id })),
    );
  });

  it('continues the chain across batches', async () => {
    const tenant = freshTenant('batches');
    await store.log.append([event({ tenant }), event({ tenant })]);
    const second = await store.log.append([event({ tenant })]);
    expect(second.map((o) => o.seq)).toEqual([3]);
    const [head] = await store.db.query<{ seq: number }>('SELECT seq FROM chain_heads WHERE tenant = $1', [tenant]);
    expect(Number(head?.seq)).toBe(3);
  });

  it('returns nothing and writes nothing for an empty batch', async () => {
    expect(await store.log.append([])).toEqual([]);
  });

  it('reports a source event repeated within a batch as duplicate of its first occurrence', async () => {
    const tenant = freshTenant('dup-batch');
    const [a, b] = [event({ tenant }), event({ tenant })];
    const outcomes = await store.log.append([a!, b!, a!]);
    expect(outcomes.map((o) => o.status)).toEqual(['appended', 'appended', 'duplicate']);
    expect(outcomes[2]).toEqual({ ...outcomes[0], status: 'duplicate' });
    expect(await rowCount(tenant)).toBe(2);
  });

  it('reports a source event seen in an earlier batch as duplicate with the original seq and id', async () => {
    const tenant = freshTenant('dup-later');
    const original = event({ tenant });
    const [first] = await store.log.append([original, event({ tenant })]);
    const fresh = event({ tenant });
    const again = await store.log.append([fresh, original]);
    expect(again[0]).toMatchObject({ status: 'appended', seq: 3 });
    expect(again[1]).toEqual({ ...first, status: 'duplicate' });
    expect(await rowCount(tenant)).toBe(3);
    expect((await store.log.verify(tenant)).ok).toBe(true);
  });

  it('treats a redelivery with different content as the same source event', async () => {
    const tenant = freshTenant('dup-content');
    const original = event({ tenant });
    const [first] = await store.log.append([original]);
    const redelivered: NewStandingEvent = {
      ...original,
      occurred_at: '2026-03-09T00:00:00.000Z',
      reason: { code: 'fraud_suspected' },
    };
    expect(await store.log.append([redelivered])).toEqual([{ ...first, status: 'duplicate' }]);
    expect(await rowCount(tenant)).toBe(1);
  });

  it('keys idempotency by source system: the same event id from Salesforce is another event', async () => {
    const tenant = freshTenant('dup-system');
    const zendesk = event({ tenant, source: { system: 'zendesk', object: 'user', id: '1', event_id: 'shared-id' } });
    const salesforce = event({
      tenant,
      source: { system: 'salesforce', object: 'Account', id: '001Dn00000A1b2c', event_id: 'shared-id' },
    });
    expect((await store.log.append([zendesk, salesforce])).map((o) => o.status)).toEqual(['appended', 'appended']);
  });

  it('reports a batch of only duplicates without moving the head', async () => {
    const tenant = freshTenant('dup-only');
    const events = [event({ tenant }), event({ tenant })];
    await store.log.append(events);
    const [before] = await store.db.query<{ seq: number; hash: string }>(
      'SELECT seq, hash FROM chain_heads WHERE tenant = $1',
      [tenant],
    );
    expect((await store.log.append(events)).map((o) => o.status)).toEqual(['duplicate', 'duplicate']);
    const [after] = await store.db.query<{ seq: number; hash: string }>(
      'SELECT seq, hash FROM chain_heads WHERE tenant = $1',
      [tenant],
    );
    expect(after).toEqual(before);
  });

  it('keeps one chain per tenant, each starting at seq 1 and verifying on its own', async () => {
    const [t1, t2] = [freshTenant('tenant-a'), freshTenant('tenant-b')];
    const outcomes = await store.log.append([
      event({ tenant: t1 }),
      event({ tenant: t2 }),
      event({ tenant: t1 }),
      event({ tenant: t2 }),
      event({ tenant: t2 }),
    ]);
    expect(outcomes.map((o) => [o.tenant, o.seq])).toEqual([
      [t1, 1],
      [t2, 1],
      [t1, 2],
      [t2, 2],
      [t2, 3],
    ]);
    expect(await store.log.verify(t1)).toMatchObject({ ok: true, checked: 2, head: { seq: 2 } });
    expect(await store.log.verify(t2)).toMatchObject({ ok: true, checked: 3, head: { seq: 3 } });
    expect(await store.log.tenants()).toEqual(expect.arrayContaining([t1, t2]));
  });

  it('keeps source event ids per tenant: the same id in two tenants is two events', async () => {
    const [t1, t2] = [freshTenant('iso-a'), freshTenant('iso-b')];
    const source = { system: 'zendesk', object: 'user', id: '1', event_id: `same-${t1}` } as const;
    const outcomes = await store.log.append([event({ tenant: t1, source }), event({ tenant: t2, source })]);
    expect(outcomes.map((o) => o.status)).toEqual(['appended', 'appended']);
  });

  it('does not store personal data in clear', async () => {
    const tenant = freshTenant('clear');
    const email = `Pat.Private-${randomBytes(4).toString('hex')}@Example.com`;
    const reasonText = `Chargeback dispute ${randomBytes(4).toString('hex')} on card ending 4242`;
    const agentName = `Agent ${randomBytes(4).toString('hex')}`;
    const evidenceNote = `passport ${randomBytes(4).toString('hex')}`;
    await store.log.append([
      event({
        tenant,
        customer: { email, zendesk_user_id: '5550001' },
        reason: { code: 'fraud_suspected', text: reasonText },
        actor: { type: 'agent', id: '42', name: agentName },
        evidence: { kyc: evidenceNote },
      }),
    ]);
    const dump = async (sql: string) =>
      (await store.db.query<{ row: string }>(sql, [tenant])).map((r) => r.row.toLowerCase()).join('\n');
    const events = await dump('SELECT row_to_json(e)::text AS row FROM standing_events e WHERE tenant = $1');
    const subjects = await dump(
      `SELECT row_to_json(s)::text AS row FROM subjects s WHERE tenant = $1 UNION ALL SELECT row_to_json(i)::text
        FROM subject_identities i WHERE tenant = $1`,
    );
    expect(events).toContain('fraud_suspected');
    for (const secret of [email, email.toLowerCase(), reasonText, agentName, evidenceNote]) {
      expect(events).not.toContain(secret.toLowerCase());
      expect(subjects).not.toContain(secret.toLowerCase());
    }
    expect(subjects).not.toContain('5550001');
  });
});

describe.each(BACKENDS)('standing log on %s: append-only, enforced by the database', (backend) => {
  let store: TestStore;
  let tenant: string;
  beforeAll(async () => {
    store = await openTestStore(backend, 'log_append_only');
    tenant = freshTenant('guarded');
    await store.log.append([event({ tenant }), event({ tenant }), event({ tenant })]);
    await store.db.query("INSERT INTO chain_boundaries (tenant, seq, hash, reason) VALUES ($1, 1, 'x', 'test')", [
      tenant,
    ]);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it.each([
    ['UPDATE of a log row', "UPDATE standing_events SET kind = 'reinstatement' WHERE tenant = $1 AND seq = 2"],
    ['DELETE of a log row', 'DELETE FROM standing_events WHERE tenant = $1 AND seq = 3'],
    ['UPDATE of a chain boundary', "UPDATE chain_boundaries SET hash = 'y' WHERE tenant = $1"],
    ['DELETE of a chain boundary', 'DELETE FROM chain_boundaries WHERE tenant = $1'],
    ['DELETE of a chain head', 'DELETE FROM chain_heads WHERE tenant = $1'],
  ])('refuses %s', async (_what, sql) => {
    await expect(store.db.query(sql, [tenant])).rejects.toThrow(/append-only/);
  });

  it.each(['standing_events', 'chain_boundaries'])('refuses TRUNCATE of %s', async (table) => {
    await expect(store.db.exec(`TRUNCATE ${table}`)).rejects.toThrow(/append-only/);
  });

  it('refuses to move a chain head backwards', async () => {
    await expect(store.db.query('UPDATE chain_heads SET seq = seq - 1 WHERE tenant = $1', [tenant])).rejects.toThrow(
      /cannot move back/,
    );
  });

  it('left the log intact after all those attempts', async () => {
    const [n] = await store.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM standing_events WHERE tenant = $1',
      [tenant],
    );
    expect(n?.n).toBe(3);
    expect(await store.log.verify(tenant)).toMatchObject({ ok: true, checked: 3, head: { seq: 3 } });
  });
});
