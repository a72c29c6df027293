/**
 * Signed checkpoints: written, exported to a directory, and what they catch that the hash chain
 * alone cannot: a tail rewritten and re-hashed consistently (head moved along or back), and a
 * boundary inserted by a superuser to cut history off.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashRecord, type ChainRecord, type PublicPart } from '../../connector/model/chain.ts';
import { parseCheckpointKey } from '../../connector/model/checkpoint.ts';
import { checkpointExporter, readCheckpointCopies } from '../../connector/store/checkpoint-export.ts';
import { verifyTenant, writeCheckpoints } from '../../connector/store/checkpoints.ts';
import { BACKENDS, asSuperuserBypassingTriggers, openTestStore, type TestStore } from '../support/databases.ts';
import { event } from '../support/fixtures.ts';

const key = parseCheckpointKey(randomBytes(32).toString('base64'));
let counter = 0;
const freshTenant = (label: string) => `${label}-${++counter}-${randomBytes(2).toString('hex')}`;

const ROWS_SQL = `
  SELECT tenant, seq::int AS seq, id::text AS id, kind, status_before, status_after,
         to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at,
         to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at,
         subject_id::text AS subject_id, public, translate(encode(sealed, 'base64'), E'\\n', '') AS sealed,
           prev_hash, hash
  FROM standing_events WHERE tenant = $1 ORDER BY seq`;

describe.each(BACKENDS)('checkpoints on %s', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(backend, 'checkpoints');
  });
  afterAll(async () => {
    await store?.dispose();
  });

  async function checkpointed(n: number, label: string): Promise<string> {
    const tenant = freshTenant(label);
    await store.log.append(Array.from({ length: n }, () => event({ tenant })));
    expect(await writeCheckpoints(store.log, key, { tenants: [tenant] })).toMatchObject([
      { tenant, status: 'written', number: 1, seq: n },
    ]);
    return tenant;
  }

  it('writes a checkpoint per change of head, links them, exports them, and verifies with the pinned key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'standing-cp-'));
    try {
      const tenant = await checkpointed(3, 'write');
      const exporter = checkpointExporter(`file://${dir}`, { region: 'us-east-1' });
      expect(await writeCheckpoints(store.log, key, { tenants: [tenant] })).toEqual([
        { tenant, status: 'unchanged', number: 1 },
      ]);
      // Unchanged, the latest is copied again: a copy that failed earlier is made up for.
      expect(await writeCheckpoints(store.log, key, { tenants: [tenant], exporter })).toEqual([
        { tenant, status: 'unchanged', number: 1, exported: true },
      ]);
      await store.log.append([event({ tenant })]);
      expect(await writeCheckpoints(store.log, key, { tenants: [tenant], exporter })).toEqual([
        { tenant, status: 'written', number: 2, seq: 4, exported: true },
      ]);
      const files = await readdir(join(dir, tenant));
      expect(files).toEqual(['000000000001.json', '000000000002.json']);
      const copy = JSON.parse(await readFile(join(dir, tenant, files[1]!), 'utf8')) as {
        body: { seq: number; previous: string };
      };
      expect(copy.body).toMatchObject({ seq: 4, tenant, key_id: key.keyId });
      const report = await verifyTenant(store.log, tenant, { publicKey: key.publicKey });
      expect(report).toMatchObject({
        ok: true,
        checked: 4,
        checkpoints: { count: 2, latest: { number: 2, seq: 4 }, key_ids: [key.keyId], pinned: true },
      });
      const other = generateKeyPairSync('ed25519').publicKey;
      expect(await verifyTenant(store.log, tenant, { publicKey: other })).toMatchObject({
        ok: false,
        broken: { problem: 'checkpoint_invalid' },
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('detects a tail rewritten and re-hashed consistently, which the chain alone accepts', async () => {
    const tenant = await checkpointed(5, 'rewrite');
    const rows = await store.db.query<ChainRecord & { hash: string; public: PublicPart }>(ROWS_SQL, [tenant]);
    let prev = rows[2]!.hash;
    for (const row of rows.slice(3)) {
      const { hash: _old, ...record } = row;
      const forged = { ...record, kind: 'reinstatement', prev_hash: prev };
      prev = hashRecord(forged);
      await asSuperuserBypassingTriggers(
        store.db,
        'UPDATE standing_events SET kind = $3, prev_hash = $4, hash = $5 WHERE tenant = $1 AND seq = $2',
        [tenant, row.seq, 'reinstatement', forged.prev_hash, prev],
      );
    }
    await asSuperuserBypassingTriggers(store.db, 'UPDATE chain_heads SET hash = $2 WHERE tenant = $1', [tenant, prev]);
    expect(await store.log.verify(tenant)).toMatchObject({ ok: true, checked: 5 });
    expect(await verifyTenant(store.log, tenant, { publicKey: key.publicKey })).toMatchObject({
      ok: false,
      broken: { seq: 5, problem: 'checkpoint_mismatch' },
    });
    expect(await writeCheckpoints(store.log, key, { tenants: [tenant] })).toMatchObject([{ status: 'refused' }]);
  });

  it(
    'detects checkpoints deleted from the database with the tail they vouched for, ' + 'against the copies outside it',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'standing-cp-'));
      try {
        const exporter = checkpointExporter(dir, { region: 'us-east-1' });
        const tenant = freshTenant('copies');
        await store.log.append([event({ tenant }), event({ tenant }), event({ tenant })]);
        await writeCheckpoints(store.log, key, { tenants: [tenant], exporter });
        await store.log.append([event({ tenant }), event({ tenant })]);
        await writeCheckpoints(store.log, key, { tenants: [tenant], exporter });
        const [row3] = await store.db.query<{ hash: string }>(
          'SELECT hash FROM standing_events WHERE tenant = $1 AND seq = 3',
          [tenant],
        );
        await asSuperuserBypassingTriggers(store.db, 'DELETE FROM checkpoints WHERE tenant = $1 AND number = 2', [
          tenant,
        ]);
        await asSuperuserBypassingTriggers(store.db, 'DELETE FROM standing_events WHERE tenant = $1 AND seq > 3', [
          tenant,
        ]);
        await asSuperuserBypassingTriggers(store.db, 'UPDATE chain_heads SET seq = 3, hash = $2 WHERE tenant = $1', [
          tenant,
          row3!.hash,
        ]);
        expect(await verifyTenant(store.log, tenant, { publicKey: key.publicKey })).toMatchObject({ ok: true });
        const copies = await readCheckpointCopies(dir, tenant);
        expect(copies.map((c) => c.number)).toEqual([1, 2]);
        expect(await verifyTenant(store.log, tenant, { publicKey: key.publicKey, copies })).toMatchObject({
          ok: false,
          broken: {
            seq: 5,
            problem: 'checkpoint_mismatch',
            found: 'checkpoint 2 (seq 5) copied outside the database is missing in the database',
          },
        });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  it('detects a tail cut off with the head moved back', async () => {
    const tenant = await checkpointed(5, 'moveback');
    const [row3] = await store.db.query<{ hash: string }>(
      'SELECT hash FROM standing_events WHERE tenant = $1 AND seq = 3',
      [tenant],
    );
    await asSuperuserBypassingTriggers(store.db, 'DELETE FROM standing_events WHERE tenant = $1 AND seq > 3', [tenant]);
    await asSuperuserBypassingTriggers(store.db, 'UPDATE chain_heads SET seq = 3, hash = $2 WHERE tenant = $1', [
      tenant,
      row3!.hash,
    ]);
    expect(await store.log.verify(tenant)).toMatchObject({ ok: true, checked: 3 });
    expect(await verifyTenant(store.log, tenant, { publicKey: key.publicKey })).toMatchObject({
      ok: false,
      broken: { seq: 5, problem: 'checkpoint_mismatch' },
    });
  });

  it('detects a boundary a superuser inserted to cut history off', async () => {
    const tenant = await checkpointed(5, 'forged-boundary');
    const [row2] = await store.db.query<{ hash: string }>(
      'SELECT hash FROM standing_events WHERE tenant = $1 AND seq = 2',
      [tenant],
    );
    await asSuperuserBypassingTriggers(
      store.db,
      `INSERT INTO chain_boundaries (tenant, seq, hash, reason, key_id, signature)
        VALUES ($1, 2, $2, 'retention', $3, $4)`,
      [tenant, row2!.hash, key.keyId, Buffer.alloc(64).toString('base64')],
    );
    await asSuperuserBypassingTriggers(store.db, 'DELETE FROM standing_events WHERE tenant = $1 AND seq <= 2', [
      tenant,
    ]);
    expect(await store.log.verify(tenant)).toMatchObject({ ok: true, checked: 3, starts_at: 3 });
    expect(await verifyTenant(store.log, tenant, { publicKey: key.publicKey })).toMatchObject({
      ok: false,
      broken: { seq: 3, problem: 'boundary_unsigned' },
    });
  });
});
