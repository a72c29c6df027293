/**
 * Retention removes whole expired ranges from the start of a chain through the sanctioned function,
 * leaving a signed boundary from which the rest verifies (in the database and offline); a legal hold
 * on a subject or on the tenant stops it, and placing and lifting holds stays on record.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundaryBody, jcs, parseCheckpointKey } from '../../connector/model/checkpoint.ts';
import { holdText } from '../../connector/model/legal-hold.ts';
import { verifyTenant, writeCheckpoints } from '../../connector/store/checkpoints.ts';
import { exportLog } from '../../connector/store/log-export.ts';
import { HoldActorRefusedError, Retention, applyRetention, retentionCutoff } from '../../connector/store/retention.ts';
import { StandingLog } from '../../connector/store/standing-log.ts';
import { holdActor } from '../support/access.ts';
import { BACKENDS, asSuperuserBypassingTriggers, openTestStore, type TestStore } from '../support/databases.ts';
import { run } from '../support/cli.ts';
import { event } from '../support/fixtures.ts';

const key = parseCheckpointKey(randomBytes(32).toString('base64'));
let counter = 0;
const freshTenant = (label: string) => `${label}-${++counter}-${randomBytes(2).toString('hex')}`;
const DAY = 86_400_000;

it('derives the cutoff from the category or from keep_days', () => {
  const now = new Date('2026-12-01T00:00:00.000Z');
  expect(retentionCutoff({ category: 'financial', keep_days: null }, now).toISOString()).toBe(
    '2019-12-01T00:00:00.000Z',
  );
  expect(retentionCutoff({ category: 'telecom', keep_days: null }, now).toISOString()).toBe('2024-12-01T00:00:00.000Z');
  expect(retentionCutoff({ category: 'custom', keep_days: 30 }, now).toISOString()).toBe('2026-11-01T00:00:00.000Z');
});

describe.each(BACKENDS)('retention on %s', (backend) => {
  let store: TestStore;
  let retention: Retention;
  beforeAll(async () => {
    store = await openTestStore(backend, 'retention');
    retention = new Retention(store.db);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  /**
   * Three events recorded two days ago (one of `customer`), then three now: under a 1-day policy the
   * old ones have expired, by the database's clock too (the cut checks every row's age itself).
   */
  async function agedChain(label: string, customer = { email: `old-${randomBytes(3).toString('hex')}@example.com` }) {
    const tenant = freshTenant(label);
    const earlier = new StandingLog(store.db, store.master, { clock: () => new Date(Date.now() - 2 * DAY) });
    await earlier.append([event({ tenant, customer }), event({ tenant }), event({ tenant })]);
    await store.log.append([event({ tenant }), event({ tenant }), event({ tenant })]);
    await retention.setPolicy(tenant, { category: 'custom', keep_days: 1 }, 'dpo@example.com');
    const [{ subject_id }] = (await store.db.query<{ subject_id: string }>(
      'SELECT subject_id FROM standing_events WHERE tenant = $1 AND seq = 1',
      [tenant],
    )) as [{ subject_id: string }];
    return { tenant, now: () => new Date(), subject: subject_id, counsel: await holdActor(store.db, tenant) };
  }
  const seqs = async (tenant: string) =>
    (
      await store.db.query<{ seq: number }>('SELECT seq FROM standing_events WHERE tenant = $1 ORDER BY seq', [tenant])
    ).map((r) => Number(r.seq));

  it('removes the expired range, records a signed boundary, and the rest verifies, also offline', async () => {
    const { tenant, now } = await agedChain('expire');
    await writeCheckpoints(store.log, key, { tenants: [tenant] });
    expect(await applyRetention(store.log, key, { tenants: [tenant], now })).toMatchObject([
      { tenant, status: 'removed', through: 3, removed: 3 },
    ]);
    expect(await seqs(tenant)).toEqual([4, 5, 6]);
    expect(await applyRetention(store.log, key, { tenants: [tenant], now })).toMatchObject([
      { status: 'nothing_expired' },
    ]);
    expect(await writeCheckpoints(store.log, key, { tenants: [tenant] })).toMatchObject([
      { status: 'written', number: 2, seq: 6 },
    ]);
    expect(await verifyTenant(store.log, tenant, { publicKey: key.publicKey })).toMatchObject({
      ok: true,
      checked: 3,
      starts_at: 4,
      checkpoints: { count: 2 },
    });
    const dir = await mkdtemp(join(tmpdir(), 'standing-retention-'));
    try {
      await exportLog(store.log, tenant, join(dir, 'x.ndjson'), { publicKey: key });
      const r = await run(process.execPath, ['tools/verify-export.mjs', join(dir, 'x.ndjson')]);
      expect(r.stdout).toMatch(new RegExp(`^${tenant}: ok, 3 rows \\(seq 4-6\\), 2 checkpoints, 1 boundaries`));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps a held subject and everything after its first row, until the hold is lifted', async () => {
    const { tenant, now, subject, counsel } = await agedChain('held-subject');
    // The held subject's first row is seq 1: nothing may go.
    const hold = await retention.placeHold(tenant, subject, 'litigation 2026-17', counsel);
    expect(await applyRetention(store.log, key, { tenants: [tenant], now })).toMatchObject([
      { status: 'held', held_from: 1, removed: 0 },
    ]);
    expect(await seqs(tenant)).toEqual([1, 2, 3, 4, 5, 6]);
    await retention.liftHold(tenant, hold.hold_id, 'case closed', counsel);
    expect(await retention.activeHolds(tenant)).toEqual([]);
    expect((await retention.holdLog(tenant)).map((h) => [h.seq, h.action, h.actor])).toEqual([
      [1, 'place', counsel],
      [2, 'lift', counsel],
    ]);
    expect(await retention.verifyHolds(tenant)).toMatchObject({ ok: true, checked: 2 });
    expect(await applyRetention(store.log, key, { tenants: [tenant], now })).toMatchObject([
      { status: 'removed', removed: 3 },
    ]);
  });

  it('removes nothing while the tenant is on hold, and the function itself refuses too', async () => {
    const { tenant, now, counsel } = await agedChain('held-tenant');
    await retention.placeHold(tenant, null, 'regulator inquiry', counsel);
    expect(await applyRetention(store.log, key, { tenants: [tenant], now })).toMatchObject([
      { status: 'held', removed: 0 },
    ]);
    const [row] = await store.db.query<{ hash: string }>(
      'SELECT hash FROM standing_events WHERE tenant = $1 AND seq = 2',
      [tenant],
    );
    const direct = await store.db
      .query("SELECT standing_retention_cut($1, 2, $2, 'x', 'k', 's')", [tenant, row!.hash])
      .then(
        () => null,
        (e: unknown) => (e as { code?: string }).code,
      );
    expect(direct).toBe('55006');
    expect(await seqs(tenant)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  // Strings a hand-written canonical text gets wrong: escapes, controls, non-ASCII, astral, separators.
  const AWKWARD = [
    'plain',
    'quote " and back\\slash',
    '\u0001\u001f\b\f\n\r\t',
    '\u007f é ß 中 😀',
    'line\u2028para\u2029',
    '</script> / ',
    '',
  ];

  it('builds in SQL exactly the JCS text that the service signs and hashes, for awkward strings', async () => {
    for (const text of AWKWARD) {
      const [b] = await store.db.query<{ t: string }>('SELECT standing_boundary_text($1, 7, $2, $3, $4) AS t', [
        `t${text}`,
        `h${text}`,
        text,
        `k${text}`,
      ]);
      expect(b!.t).toBe(jcs(boundaryBody(`t${text}`, 7, `h${text}`, text, `k${text}`)));
      const hold = {
        tenant: `t${text}`,
        seq: 3,
        hold_id: '0b8e6a53-3c1e-4c57-9d0e-2f7f3f3c9a10',
        action: 'place' as const,
        subject_id: null,
        reason: text,
        actor: `a${text}`,
        at: '2026-12-07T20:01:02.345Z',
        prev_hash: 'p'.repeat(64),
      };
      const [h] = await store.db.query<{ t: string }>(
        'SELECT standing_hold_text($1, $2, $3, $4, $5, $6, $7, $8, $9) AS t',
        [
          hold.tenant,
          hold.seq,
          hold.hold_id,
          hold.action,
          hold.subject_id,
          hold.reason,
          hold.actor,
          hold.at,
          hold.prev_hash,
        ],
      );
      expect(h!.t).toBe(holdText(hold));
      const body = {
        type: 'standing.checkpoint',
        version: 1,
        tenant: `t${text}`,
        number: 2,
        seq: 40,
        head_hash: text,
        start: { seq: 0, hash: `s${text}` },
        at: text,
        previous: null,
        key_id: text,
        public_key: `-----BEGIN PUBLIC KEY-----\n${text}\n`,
      };
      const [c] = await store.db.query<{ t: string }>('SELECT standing_checkpoint_text($1::jsonb) AS t', [
        JSON.stringify(body),
      ]);
      expect(c!.t).toBe(jcs(body));
    }
    const [bad] = await store.db.query<{ t: string | null }>('SELECT standing_checkpoint_text($1::jsonb) AS t', [
      JSON.stringify({ type: 'standing.checkpoint', extra: 1 }),
    ]);
    expect(bad!.t).toBeNull();
  });

  it(
    'accepts a hold only from an unrevoked auditor key of the ' + 'tenant, and chains every placing and lifting',
    async () => {
      const tenant = freshTenant('hold-actor');
      const counsel = await holdActor(store.db, tenant);
      const other = await holdActor(store.db, freshTenant('other'));
      for (const actor of ['operator', 'counsel@example.com', 'zendesk-app:user:42', other]) {
        await expect(retention.placeHold(tenant, null, 'x', actor)).rejects.toBeInstanceOf(HoldActorRefusedError);
      }
      const a = await retention.placeHold(tenant, null, 'matter 1', counsel);
      await retention.placeHold(tenant, null, 'matter 2\u2028', counsel);
      await retention.liftHold(tenant, a.hold_id, 'closed', counsel);
      const chain = await retention.holdLog(tenant);
      expect(chain.map((h) => [h.seq, h.action])).toEqual([
        [1, 'place'],
        [2, 'place'],
        [3, 'lift'],
      ]);
      expect(chain[1]!.prev_hash).toBe(chain[0]!.hash);
      expect(await retention.verifyHolds(tenant)).toMatchObject({ ok: true, checked: 3 });
      // Rewritten behind the triggers' back (as a superuser could): verify names the hold event.
      await asSuperuserBypassingTriggers(
        store.db,
        "UPDATE legal_hold_events SET actor = 'operator' WHERE tenant = $1 AND seq = 3",
        [tenant],
      );
      expect(await retention.verifyHolds(tenant)).toMatchObject({
        ok: false,
        broken: { seq: 3, problem: 'hash_mismatch' },
      });
      await store.log.append([event({ tenant })]);
      expect(await verifyTenant(store.log, tenant)).toMatchObject({
        ok: false,
        broken: { seq: 3, problem: 'legal_hold_chain' },
        legal_holds: { ok: false, checked: 2 },
        attributions: { ok: true, checked: 0 },
      });
    },
  );

  it('refuses an invalid policy, and keeps every version', async () => {
    const tenant = freshTenant('policy');
    await expect(retention.setPolicy(tenant, { category: 'custom' }, 'a')).rejects.toThrow(
      'keep_days: a custom policy needs keep_days',
    );
    await retention.setPolicy(tenant, { category: 'telecom' }, 'a');
    await retention.setPolicy(tenant, { category: 'financial' }, 'b');
    expect(await retention.policy(tenant)).toMatchObject({
      version: 2,
      category: 'financial',
      keep_days: null,
      changed_by: 'b',
    });
  });
});
