/**
 * A retention cut removes the attribution records of the events it removes (with the sealed names of
 * the staff who made those changes), leaves a boundary from which the rest of the attribution chain
 * still verifies, and the attribution job writes nothing for an event removed under it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Attribution } from '../../connector/model/attribution.ts';
import { parseCheckpointKey } from '../../connector/model/checkpoint.ts';
import { verifyTenant } from '../../connector/store/checkpoints.ts';
import { Retention, applyRetention } from '../../connector/store/retention.ts';
import { StandingLog } from '../../connector/store/standing-log.ts';
import { exportLog } from '../../connector/store/log-export.ts';
import { run, runCli } from '../support/cli.ts';
import {
  BACKENDS,
  TEST_DATABASE_URL,
  asSuperuserBypassingTriggers,
  openTestStore,
  type TestStore,
} from '../support/databases.ts';
import { event } from '../support/fixtures.ts';

const seed = randomBytes(32).toString('base64');
const key = parseCheckpointKey(seed);
const DAY = 86_400_000;
let counter = 0;

const byAgent = (name: string): Attribution => ({
  initiation: 'manual',
  actor: { type: 'agent', id: `9001${++counter}`, name, role: 'agent' },
  source: 'zendesk_audit_log',
  record_id: `audit-${counter}`,
  said: `${name} suspended the user`,
  read_at: new Date().toISOString(),
});

describe.each(BACKENDS)('attribution records under retention on %s', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(backend, 'attr_retention');
  });
  afterAll(async () => {
    await store?.dispose();
  });

  /** Three events recorded two days ago, then three now, under a 1-day policy. */
  async function agedChain() {
    const tenant = `attr-${++counter}-${randomBytes(2).toString('hex')}`;
    const earlier = new StandingLog(store.db, store.master, { clock: () => new Date(Date.now() - 2 * DAY) });
    await earlier.append([event({ tenant }), event({ tenant }), event({ tenant })]);
    await store.log.append([event({ tenant }), event({ tenant }), event({ tenant })]);
    await new Retention(store.db).setPolicy(tenant, { category: 'custom', keep_days: 1 }, 'dpo@example.com');
    const pending = await store.log.attributions.pending(tenant, 0, 10);
    const items = pending.events.map((e) => ({
      event: { id: e.id, seq: e.seq, subject_id: pending.subjectOf.get(e.id)! },
      attribution: byAgent(`Agent ${e.seq}`),
    }));
    return { tenant, items };
  }
  const records = async (tenant: string) =>
    (
      await store.db.query<{ seq: string; event_seq: string }>(
        'SELECT seq, event_seq FROM event_attributions WHERE tenant = $1 ORDER BY seq',
        [tenant],
      )
    ).map((r) => [Number(r.seq), Number(r.event_seq)]);

  it('removes the records of removed events, and both chains verify from their boundaries', async () => {
    const { tenant, items } = await agedChain();
    expect(await store.log.attributions.record(tenant, items, 6)).toBe(6);
    const kept = items.slice(3).map((i) => i.event.id);
    expect(await applyRetention(store.log, key, { tenants: [tenant] })).toMatchObject([
      { tenant, status: 'removed', through: 3, removed: 3 },
    ]);
    expect(await records(tenant)).toEqual([
      [4, 4],
      [5, 5],
      [6, 6],
    ]);
    // The staff names of the removed events are nowhere: their records are gone, not merely hidden.
    expect(
      (
        await store.log.attributions.ofEvents(
          tenant,
          items.map((i) => i.event.id),
        )
      ).size,
    ).toBe(3);
    const [boundary] = await store.db.query<{ seq: string; log_seq: string }>(
      'SELECT seq, log_seq FROM attribution_boundaries WHERE tenant = $1',
      [tenant],
    );
    expect([Number(boundary?.seq), Number(boundary?.log_seq)]).toEqual([3, 3]);
    const report = await verifyTenant(store.log, tenant, { publicKey: key.publicKey });
    expect(report).toMatchObject({ ok: true, starts_at: 4, attributions: { ok: true, checked: 3 } });
    expect([...(await store.log.attributions.ofEvents(tenant, kept)).values()].map((a) => a.actor.name)).toEqual([
      'Agent 4',
      'Agent 5',
      'Agent 6',
    ]);
  });

  it('writes no record for an event a cut removed while the job held it, and links on from the boundary', async () => {
    const { tenant, items } = await agedChain();
    // The job read all six, then the cut ran before it recorded: nothing for 1-3, the rest from seq 1.
    await applyRetention(store.log, key, { tenants: [tenant] });
    expect(await store.log.attributions.record(tenant, items, 6)).toBe(3);
    expect(await records(tenant)).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(await store.log.attributions.verify(tenant)).toMatchObject({ ok: true, checked: 3 });
  });

  it('continues the chain after a cut that removed every record, and refuses a chain cut without one', async () => {
    const { tenant, items } = await agedChain();
    expect(await store.log.attributions.record(tenant, items.slice(0, 3), 3)).toBe(3);
    await applyRetention(store.log, key, { tenants: [tenant] });
    expect(await records(tenant)).toEqual([]);
    expect(await store.log.attributions.verify(tenant)).toMatchObject({ ok: true, checked: 0 });
    expect(await store.log.attributions.record(tenant, items.slice(3), 6)).toBe(3);
    expect(await records(tenant)).toEqual([
      [4, 4],
      [5, 5],
      [6, 6],
    ]);
    expect(await verifyTenant(store.log, tenant, { publicKey: key.publicKey })).toMatchObject({
      ok: true,
      attributions: { ok: true, checked: 3 },
    });
    // Only the cut may remove records: the table's owner outside it is refused too.
    await expect(store.db.query('DELETE FROM event_attributions WHERE tenant = $1', [tenant])).rejects.toMatchObject({
      code: '42501',
    });
    await expect(
      store.db.query('DELETE FROM attribution_boundaries WHERE tenant = $1', [tenant]),
    ).rejects.toMatchObject({ code: '42501' });
  });

  it('flags records missing from the start of the chain with no boundary before them', async () => {
    const { tenant, items } = await agedChain();
    await store.log.attributions.record(tenant, items, 6);
    await asSuperuserBypassingTriggers(store.db, 'DELETE FROM event_attributions WHERE tenant = $1 AND seq <= 2', [
      tenant,
    ]);
    expect(await verifyTenant(store.log, tenant)).toMatchObject({
      ok: false,
      broken: { seq: 3, problem: 'attribution_chain', found: expect.stringContaining('no_boundary') },
    });
  });

  it.runIf(backend === 'postgres')('names the attribution chain on the verify line', async () => {
    const { tenant, items } = await agedChain();
    await store.log.attributions.record(tenant, items, 6);
    await applyRetention(store.log, key, { tenants: [tenant] });
    const r = await runCli(['verify', '--tenant', tenant], {
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_SCHEMA: store.schema,
      STANDING_CHECKPOINT_KEY: seed,
    });
    expect(r).toMatchObject({ stderr: '', code: 0 });
    expect(r.stdout).toMatch(
      new RegExp(`^${tenant}: ok, 3 events checked \\(seq 4-6\\), .*; attribution chain: ok, 3 records checked\\n$`),
    );
  });

  it('exports the attribution chain on request, and the offline verifier checks it from its boundary', async () => {
    const { tenant, items } = await agedChain();
    await store.log.attributions.record(tenant, items, 6);
    await applyRetention(store.log, key, { tenants: [tenant] });
    const dir = await mkdtemp(join(tmpdir(), 'standing-attr-export-'));
    const offline = async (lines: string[]) => {
      const file = join(dir, `${randomBytes(4).toString('hex')}.ndjson`);
      await writeFile(file, `${lines.join('\n')}\n`);
      return run(process.execPath, ['tools/verify-export.mjs', file]);
    };
    try {
      await exportLog(store.log, tenant, join(dir, 'v1.ndjson'), { publicKey: key });
      const v1 = (await readFile(join(dir, 'v1.ndjson'), 'utf8')).trimEnd().split('\n');
      expect(v1.some((l) => l.includes('"attribution'))).toBe(false);
      expect(JSON.parse(v1[0]!)).toMatchObject({ version: 1 });
      expect(
        await exportLog(store.log, tenant, join(dir, 'v2.ndjson'), { publicKey: key, attributions: true }),
      ).toMatchObject({ rows: 3, boundaries: 1, attributions: 3 });
      const v2 = (await readFile(join(dir, 'v2.ndjson'), 'utf8')).trimEnd().split('\n');
      expect(await offline(v2)).toMatchObject({
        code: 0,
        stdout: expect.stringContaining(`${tenant}: ok, 3 rows (seq 4-6), 0 checkpoints, 1 boundaries, 3 attribution `),
      });
      const at = v2.findIndex((l) => l.startsWith('{"type":"attribution",'));
      const altered = JSON.parse(v2[at]!) as { record: { public: { initiation: string } } };
      altered.record.public.initiation = 'automatic';
      expect(await offline(v2.with(at, JSON.stringify(altered)))).toMatchObject({
        code: 1,
        stdout: expect.stringContaining('attribution record 4: altered'),
      });
      expect(await offline(v2.filter((l) => !l.startsWith('{"type":"attribution_boundary"')))).toMatchObject({
        code: 1,
        stdout: expect.stringContaining('no boundary is recorded at 3'),
      });
      const dropped = v2.filter((_, i) => i !== at);
      expect(await offline(dropped)).toMatchObject({ code: 1 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
