import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH, hashRecord, type ChainRecord, type PublicPart } from '../../connector/model/chain.ts';
import { NewStandingEvent } from '../../connector/model/standing-event.ts';
import { StandingLog } from '../../connector/store/standing-log.ts';
import { BACKENDS, asSuperuserBypassingTriggers, openTestStore, type TestStore } from '../support/databases.ts';
import { event, eventInput } from '../support/fixtures.ts';

let tenantCounter = 0;
const freshTenant = (label: string) => `${label}-${++tenantCounter}-${randomBytes(2).toString('hex')}`;

/**
 * The rows of a chain as an export would carry them, turned into ChainRecords with SQL alone:
 * proves a third party can re-check the chain without our code.
 */
const EXPORT_SQL = `
  SELECT tenant, seq::int AS seq, id::text AS id, kind, status_before, status_after,
         to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at,
         to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at,
         subject_id::text AS subject_id, public,
         translate(encode(sealed, 'base64'), E'\\n', '') AS sealed, prev_hash, hash
  FROM standing_events WHERE tenant = $1 ORDER BY seq`;

interface ExportedRow extends ChainRecord {
  [k: string]: unknown;
  public: PublicPart;
  hash: string;
}

describe.each(BACKENDS)('chain verification on %s', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(backend, 'log_verify');
  });
  afterAll(async () => {
    await store?.dispose();
  });

  /** A fresh tenant with `n` events appended one batch at a time. */
  async function chainOf(n: number, label: string): Promise<string> {
    const tenant = freshTenant(label);
    await store.log.append(Array.from({ length: n }, () => event({ tenant })));
    return tenant;
  }
  const exported = (tenant: string) => store.db.query<ExportedRow>(EXPORT_SQL, [tenant]);
  const hashAt = async (tenant: string, seq: number) => (await exported(tenant)).find((r) => r.seq === seq)!.hash;

  it('passes a good chain and reports its head', async () => {
    const tenant = await chainOf(6, 'good');
    const [head] = await store.db.query<{ seq: number; hash: string }>(
      'SELECT seq, hash FROM chain_heads WHERE tenant = $1',
      [tenant],
    );
    expect(await store.log.verify(tenant)).toEqual({
      tenant,
      ok: true,
      checked: 6,
      head: { seq: 6, hash: head!.hash },
      starts_at: 1,
    });
  });

  it('passes a tenant that never wrote anything', async () => {
    const tenant = freshTenant('empty');
    expect(await store.log.verify(tenant)).toEqual({
      tenant,
      ok: true,
      checked: 0,
      head: { seq: 0, hash: GENESIS_HASH },
      starts_at: 1,
    });
  });

  it('can be re-checked from an export with hashRecord alone', async () => {
    const tenant = await chainOf(4, 'export');
    const rows = await exported(tenant);
    let prev = GENESIS_HASH;
    for (const { hash, ...record } of rows) {
      expect(record.prev_hash).toBe(prev);
      expect(hashRecord(record)).toBe(hash);
      prev = hash;
    }
    expect(rows).toHaveLength(4);
  });

  it('passes across verification pages', async () => {
    const tenant = await chainOf(7, 'paged');
    const paged = new StandingLog(store.db, store.master, { verifyPageSize: 2 });
    expect(await paged.verify(tenant)).toMatchObject({ ok: true, checked: 7, head: { seq: 7 } });
  });

  it('passes events given with a non-UTC offset and sub-millisecond digits', async () => {
    const tenant = freshTenant('offsets');
    // Built with the schema alone (no normalization step): the log must still chain what it stores.
    const raw = NewStandingEvent.parse(eventInput({ tenant, occurred_at: '2026-03-04T06:00:00.123456+01:00' }));
    await store.log.append([raw, event({ tenant })]);
    expect(await store.log.verify(tenant)).toMatchObject({ ok: true, checked: 2 });
  });

  it('reports a row whose kind was changed as hash_mismatch at exactly that seq', async () => {
    const tenant = await chainOf(6, 'tamper-kind');
    await asSuperuserBypassingTriggers(
      store.db,
      "UPDATE standing_events SET kind = 'reinstatement' WHERE tenant = $1 AND seq = 3",
      [tenant],
    );
    expect(await store.log.verify(tenant)).toMatchObject({
      tenant,
      ok: false,
      checked: 2,
      broken: { seq: 3, problem: 'hash_mismatch', found: await hashAt(tenant, 3) },
    });
  });

  it('reports a row whose public document was changed as hash_mismatch at exactly that seq', async () => {
    const tenant = await chainOf(6, 'tamper-public');
    await asSuperuserBypassingTriggers(
      store.db,
      `UPDATE standing_events SET public = jsonb_set(public, '{reason_code}', '"fraud_suspected"') WHERE tenant = $1
        AND seq = 5`,
      [tenant],
    );
    expect(await store.log.verify(tenant)).toMatchObject({
      ok: false,
      checked: 4,
      broken: { seq: 5, problem: 'hash_mismatch' },
    });
  });

  it('reports a row whose sealed part was swapped as hash_mismatch', async () => {
    const tenant = await chainOf(3, 'tamper-sealed');
    await asSuperuserBypassingTriggers(
      store.db,
      `UPDATE standing_events SET sealed = (SELECT sealed FROM standing_events WHERE tenant = $1 AND seq = 1)
        WHERE tenant = $1 AND seq = 2`,
      [tenant],
    );
    expect(await store.log.verify(tenant)).toMatchObject({ ok: false, broken: { seq: 2, problem: 'hash_mismatch' } });
  });

  it('reports a tampered row on a later verification page at exactly that seq', async () => {
    const tenant = await chainOf(7, 'tamper-paged');
    await asSuperuserBypassingTriggers(
      store.db,
      "UPDATE standing_events SET status_after = 'active' WHERE tenant = $1 AND seq = 6",
      [tenant],
    );
    const paged = new StandingLog(store.db, store.master, { verifyPageSize: 2 });
    expect(await paged.verify(tenant)).toMatchObject({
      ok: false,
      checked: 5,
      broken: { seq: 6, problem: 'hash_mismatch' },
    });
  });

  it('reports a rewritten row whose hash was recomputed at the next link', async () => {
    const tenant = await chainOf(5, 'rewrite');
    const row = (await exported(tenant)).find((r) => r.seq === 2)!;
    const { hash: _old, ...record } = { ...row, kind: 'reinstatement', status_after: 'active' };
    await asSuperuserBypassingTriggers(
      store.db,
      `UPDATE standing_events SET kind = 'reinstatement', status_after = 'active', hash = $2 WHERE tenant = $1
        AND seq = 2`,
      [tenant, hashRecord(record)],
    );
    expect(await store.log.verify(tenant)).toMatchObject({
      ok: false,
      checked: 2,
      broken: { seq: 3, problem: 'prev_hash_mismatch', expected: hashRecord(record) },
    });
  });

  it('reports a deleted middle row as seq_gap at the next seq', async () => {
    const tenant = await chainOf(6, 'gap');
    await asSuperuserBypassingTriggers(store.db, 'DELETE FROM standing_events WHERE tenant = $1 AND seq = 3', [tenant]);
    expect(await store.log.verify(tenant)).toMatchObject({
      ok: false,
      checked: 2,
      broken: { seq: 4, problem: 'seq_gap', expected: 3 },
    });
  });

  it('detects that the newest rows were deleted (head_mismatch)', async () => {
    const tenant = await chainOf(6, 'truncated');
    await asSuperuserBypassingTriggers(store.db, 'DELETE FROM standing_events WHERE tenant = $1 AND seq >= 5', [
      tenant,
    ]);
    expect(await store.log.verify(tenant)).toMatchObject({
      ok: false,
      checked: 4,
      broken: { seq: 5, problem: 'head_mismatch' },
    });
  });

  it('detects a head moved back by someone bypassing the triggers', async () => {
    const tenant = await chainOf(4, 'head-back');
    await asSuperuserBypassingTriggers(store.db, 'UPDATE chain_heads SET seq = 2 WHERE tenant = $1', [tenant]);
    expect(await store.log.verify(tenant)).toMatchObject({ ok: false, broken: { problem: 'head_mismatch' } });
  });

  describe('retention', () => {
    async function retainAfter(tenant: string, k: number, boundaryHash: string | null): Promise<void> {
      await asSuperuserBypassingTriggers(store.db, 'DELETE FROM standing_events WHERE tenant = $1 AND seq <= $2', [
        tenant,
        k,
      ]);
      if (boundaryHash !== null) {
        await store.db.query(
          `INSERT INTO chain_boundaries (tenant, seq, hash, reason)
            VALUES ($1, $2, $3, 'retention: older than 7 years')`,
          [tenant, k, boundaryHash],
        );
      }
    }

    it('passes a chain whose oldest rows were removed with a boundary recorded, starting after it', async () => {
      const tenant = await chainOf(6, 'retained');
      await retainAfter(tenant, 3, await hashAt(tenant, 3));
      expect(await store.log.verify(tenant)).toMatchObject({ ok: true, checked: 3, head: { seq: 6 }, starts_at: 4 });
    });

    it('keeps appending after a retention cut', async () => {
      const tenant = await chainOf(4, 'retained-append');
      await retainAfter(tenant, 2, await hashAt(tenant, 2));
      expect((await store.log.append([event({ tenant })]))[0]).toMatchObject({ status: 'appended', seq: 5 });
      expect(await store.log.verify(tenant)).toMatchObject({ ok: true, checked: 3, head: { seq: 5 }, starts_at: 3 });
    });

    it('reports no_boundary when the oldest rows are gone without a boundary', async () => {
      const tenant = await chainOf(6, 'unbounded');
      await retainAfter(tenant, 3, null);
      expect(await store.log.verify(tenant)).toMatchObject({
        ok: false,
        checked: 0,
        broken: { seq: 4, problem: 'no_boundary' },
      });
    });

    it('reports a boundary with the wrong hash as prev_hash_mismatch at the first retained row', async () => {
      const tenant = await chainOf(5, 'bad-boundary');
      await retainAfter(tenant, 2, 'b'.repeat(64));
      expect(await store.log.verify(tenant)).toMatchObject({
        ok: false,
        broken: { seq: 3, problem: 'prev_hash_mismatch', expected: 'b'.repeat(64) },
      });
    });

    it('passes a chain whose every row was removed with a boundary at its head', async () => {
      const tenant = await chainOf(3, 'retained-all');
      const [head] = await store.db.query<{ hash: string }>('SELECT hash FROM chain_heads WHERE tenant = $1', [tenant]);
      await retainAfter(tenant, 3, head!.hash);
      expect(await store.log.verify(tenant)).toMatchObject({
        ok: true,
        checked: 0,
        head: { seq: 3, hash: head!.hash },
        starts_at: 4,
      });
    });

    it('reports a chain whose every row was removed without a boundary', async () => {
      const tenant = await chainOf(3, 'gone-all');
      await retainAfter(tenant, 3, null);
      expect(await store.log.verify(tenant)).toMatchObject({
        ok: false,
        checked: 0,
        broken: { seq: 4, problem: 'no_boundary' },
      });
    });
  });
});
