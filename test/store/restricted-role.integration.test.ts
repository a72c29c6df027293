/**
 * The service's database role cannot rewrite the past: migrations run as the owner, the service as
 * a role granted by `standing_grant_service_role`, on the machine's PostgreSQL. (PGlite has a single
 * user: there is nothing to test there.)
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessAudit } from '../../connector/audit/access-audit.ts';
import { IntakeInbox } from '../../connector/intake/intake-inbox.ts';
import { deriveMasterKeys } from '../../connector/model/sealing.ts';
import { openMigratedDatabase } from '../../connector/store/open-migrated.ts';
import { StandingLog } from '../../connector/store/standing-log.ts';
import { parseCheckpointKey } from '../../connector/model/checkpoint.ts';
import { verifyTenant, writeCheckpoints } from '../../connector/store/checkpoints.ts';
import { Retention, applyRetention } from '../../connector/store/retention.ts';
import { CheckpointKeyNotRegisteredError, registerCheckpointKey } from '../../connector/store/checkpoint-keys.ts';
import { bodyHash, boundaryBody, signBody, type CheckpointBody } from '../../connector/model/checkpoint.ts';
import { holdActor } from '../support/access.ts';
import { TenantRegistry } from '../../connector/tenants/tenant-registry.ts';
import { event } from '../support/fixtures.ts';
import { openRoleSplit, type RoleSplit } from '../support/roles.ts';
import { tenantKey } from '../support/access.ts';

const tenant = `roles-${randomBytes(2).toString('hex')}`;
const DAY = 86_400_000;
let split: RoleSplit;
let log: StandingLog;

beforeAll(async () => {
  split = await openRoleSplit('roles');
  log = new StandingLog(split.service, deriveMasterKeys(randomBytes(32)));
  await log.append([event({ tenant }), event({ tenant }), event({ tenant })]);
});
afterAll(async () => {
  await split?.dispose();
});

const tenantKeyOf = (t: string, role: 'admin' | 'auditor') => tenantKey(split.service, t, role);
const refused = async (sql: string, params: unknown[] = []) => {
  const err = await split.service.query(sql, params).then(
    () => null,
    (e: unknown) => e as { code?: string; message: string },
  );
  return err?.code;
};

describe('the service role', () => {
  it('cannot UPDATE, DELETE or TRUNCATE log rows', async () => {
    expect(await refused('UPDATE standing_events SET kind = $2 WHERE tenant = $1', [tenant, 'reinstatement'])).toBe(
      '42501',
    );
    expect(await refused('DELETE FROM standing_events WHERE tenant = $1', [tenant])).toBe('42501');
    expect(await refused('TRUNCATE standing_events')).toBe('42501');
    expect(await refused('UPDATE chain_boundaries SET hash = hash')).toBe('42501');
    expect(await refused('DELETE FROM checkpoints')).toBe('42501');
    expect(await refused('DELETE FROM legal_hold_events')).toBe('42501');
  });

  it('cannot disable or drop triggers, alter the tables, or pretend to be retention', async () => {
    expect(await refused('ALTER TABLE standing_events DISABLE TRIGGER standing_events_append_only')).toBe('42501');
    expect(await refused('ALTER TABLE standing_events DISABLE TRIGGER ALL')).toBe('42501');
    expect(await refused('DROP TRIGGER standing_events_append_only ON standing_events')).toBe('42501');
    expect(await refused('SET session_replication_role = replica')).toBe('42501');
    const cut = await split.service
      .transaction(async (tx) => {
        await tx.query(`SELECT set_config('standing.retention_cut', $1, true)`, [`${tenant}:3`]);
        await tx.query('DELETE FROM standing_events WHERE tenant = $1', [tenant]);
      })
      .then(
        () => null,
        (e: unknown) => (e as { code?: string }).code,
      );
    expect(cut).toBe('42501');
    expect(await refused('SELECT standing_grant_service_role($1)', [split.serviceRole])).toBe('42501');
  });

  it('records reads in the access audit but cannot UPDATE, DELETE or TRUNCATE it, nor move its head back', async () => {
    const audit = new AccessAudit(split.service);
    await audit.record({
      tenant,
      principal: { type: 'operator' },
      action: 'history.read',
      path: 'GET /api/v1/history',
      subject_ids: [],
    });
    await audit.recordDenied({
      tenant: null,
      principal: null,
      path: 'GET /api/v1/tenants',
      permission: 'tenants.provision',
      reason: 'no credentials',
    });
    expect((await audit.list(tenant)).entries).toHaveLength(1);
    expect(await audit.verify(tenant)).toMatchObject({ ok: true, checked: 1 });
    expect(await refused('UPDATE access_audit SET path = $2 WHERE tenant = $1', [tenant, 'elsewhere'])).toBe('42501');
    expect(await refused('DELETE FROM access_audit WHERE tenant = $1', [tenant])).toBe('42501');
    expect(await refused('TRUNCATE access_audit')).toBe('42501');
    expect(await refused('ALTER TABLE access_audit DISABLE TRIGGER access_audit_append_only')).toBe('42501');
    expect(await refused('UPDATE access_audit_heads SET seq = 0 WHERE tenant = $1', [tenant])).toBe('42501');
    expect(await refused('DELETE FROM access_audit_heads WHERE tenant = $1', [tenant])).toBe('42501');
    expect(await refused('TRUNCATE access_audit_heads')).toBe('42501');
  });

  it('cannot insert a chain boundary directly', async () => {
    expect(
      await refused(`INSERT INTO chain_boundaries (tenant, seq, hash, reason) VALUES ($1, 2, 'x', 'forged')`, [tenant]),
    ).toBe('42501');
  });

  it('still appends, reads history, verifies, and runs the intake inbox and the tenant registry', async () => {
    const more = await log.append([event({ tenant, customer: { email: 'role.check@example.com' } })]);
    expect(more[0]).toMatchObject({ status: 'appended', seq: 4 });
    const history = await log.history(tenant, { email: 'role.check@example.com' });
    expect(history.events).toHaveLength(1);
    expect(await log.verify(tenant)).toMatchObject({ ok: true, checked: 4 });
    const inbox = new IntakeInbox(split.service);
    const key = { tenant, source: 'zendesk' as const, event_id: `role-${randomBytes(3).toString('hex')}` };
    expect(await inbox.accept({ ...key, body: { a: 1 }, meta: {} })).toEqual({ duplicate: false });
    expect(await inbox.load([key])).toHaveLength(1);
    await inbox.settle([{ ...key, state: 'ignored', outcome: { reason: 'test' }, mapping_version: 1 }]);
    expect(await inbox.purgeSettled(0)).toBeGreaterThanOrEqual(0);
    const tenants = new TenantRegistry(split.service, deriveMasterKeys(randomBytes(32)));
    expect((await tenants.create({ id: tenant, name: 'Roles' })).ok).toBe(true);
    expect((await tenants.update(tenant, { name: 'Roles 2' })).ok).toBe(true);
  });

  it(
    'applies retention through the sanctioned function once the owner registered the key, and verify passes ' +
      'from the signed boundary',
    async () => {
      const key = parseCheckpointKey(randomBytes(32).toString('base64'));
      const t = `${tenant}-ret`;
      await new StandingLog(split.service, deriveMasterKeys(randomBytes(32)), {
        clock: () => new Date(Date.now() - 2 * DAY),
      }).append([event({ tenant: t }), event({ tenant: t }), event({ tenant: t })]);
      await log.append([event({ tenant: t })]);
      await new Retention(split.service).setPolicy(t, { category: 'custom', keep_days: 1 }, 'dpo');
      // The service cannot register its own key: it names the command the owner runs.
      await expect(applyRetention(log, key, { tenants: [t] })).rejects.toThrow(CheckpointKeyNotRegisteredError);
      await expect(applyRetention(log, key, { tenants: [t] })).rejects.toThrow(/standing checkpoint register-key/);
      await registerCheckpointKey(split.owner, key, 'test');
      expect(await applyRetention(log, key, { tenants: [t], maxRows: 2 })).toMatchObject([
        { status: 'removed', through: 2, removed: 2 },
      ]);
      expect(await verifyTenant(log, t, { publicKey: key.publicKey })).toMatchObject({
        ok: true,
        starts_at: 3,
        legal_holds: { ok: true, checked: 0 },
        attributions: { ok: true, checked: 0 },
      });
    },
  );

  it('opens an already migrated schema as the service with the owner URL migrating', async () => {
    const { db, migrations } = await openMigratedDatabase({
      url: split.serviceUrl,
      ownerUrl: split.ownerUrl,
      schema: split.schema,
    });
    expect(migrations.applied).toEqual([]);
    await db.close();
  });
});

describe('the service role against legal holds and the retention cut', () => {
  const key = parseCheckpointKey(randomBytes(32).toString('base64'));
  const t = `${tenant}-hold`;
  const seqs = async () =>
    (
      await split.service.query<{ seq: number }>('SELECT seq FROM standing_events WHERE tenant = $1 ORDER BY seq', [t])
    ).map((r) => Number(r.seq));
  const rowHash = async (seq: number) =>
    (
      await split.service.query<{ hash: string }>('SELECT hash FROM standing_events WHERE tenant = $1 AND seq = $2', [
        t,
        seq,
      ])
    )[0]!.hash;
  const cut = async (through: number, keyId: string, signature: string, reason = 'retention') =>
    split.service
      .query('SELECT standing_retention_cut($1, $2, $3, $4, $5, $6)', [
        t,
        through,
        await rowHash(through),
        reason,
        keyId,
        signature,
      ])
      .then(
        () => null,
        (e: unknown) => e as { code?: string; message: string },
      );
  const signed = async (through: number, k = key, reason = 'retention') =>
    signBody(k, boundaryBody(t, through, await rowHash(through), reason, k.keyId));
  let hold: { hold_id: string };

  beforeAll(async () => {
    const earlier = new StandingLog(split.service, deriveMasterKeys(randomBytes(32)), {
      clock: () => new Date(Date.now() - 3 * DAY),
    });
    await earlier.append([event({ tenant: t }), event({ tenant: t }), event({ tenant: t })]);
    await log.append([event({ tenant: t }), event({ tenant: t })]);
    await registerCheckpointKey(split.owner, key, 'test');
    hold = await new Retention(split.service).placeHold(
      t,
      null,
      'litigation 2026-17',
      await holdActor(split.service, t),
    );
  });

  it(
    'cannot forge a lift nor cut the log with a made-up key and signature (the reported attack): refused, rows ' +
      'intact, no lift recorded',
    async () => {
      const forged = await split.service
        .query(
          `INSERT INTO legal_hold_events (hold_id, action, tenant, subject_id, reason, actor)
          VALUES ($1, 'lift', $2, NULL, 'forged', 'operator')`,
          [hold.hold_id, t],
        )
        .then(
          () => null,
          (e: unknown) => (e as { code?: string }).code,
        );
      expect(forged).toBe('42501');
      expect(
        await split.service
          .query('SELECT standing_hold_lift($1, $2, $3, $4)', [t, hold.hold_id, 'forged', 'operator'])
          .then(
            () => null,
            (e: unknown) => (e as { code?: string }).code,
          ),
      ).toBe('42501');
      expect((await cut(3, 'fake-key', 'AAAA'))?.code).toBeDefined();
      expect(await seqs()).toEqual([1, 2, 3, 4, 5]);
      const holds = new Retention(split.service);
      expect((await holds.holdLog(t)).map((h) => h.action)).toEqual(['place']);
      expect(await holds.activeHolds(t)).toHaveLength(1);
      expect(await verifyTenant(log, t, { publicKey: key.publicKey })).toMatchObject({
        ok: true,
        starts_at: 1,
        legal_holds: { ok: true, checked: 1 },
        attributions: { ok: true, checked: 0 },
      });
    },
  );

  it('cannot write the heads, boundaries, checkpoints or keys directly', async () => {
    expect(await refused('UPDATE chain_heads SET seq = seq + 1 WHERE tenant = $1', [t])).toBe('42501');
    expect(await refused("INSERT INTO chain_heads (tenant) VALUES ('elsewhere')")).toBe('42501');
    expect(
      await refused(
        "INSERT INTO checkpoints (tenant, number, seq, body, hash, signature) VALUES ($1, 99, 1, '{}', 'x', 'y')",
        [t],
      ),
    ).toBe('42501');
    expect(
      await refused('INSERT INTO checkpoint_keys (key_id, public_key, registered_by) VALUES ($1, $2, $3)', [
        '0'.repeat(64),
        Buffer.alloc(32),
        'me',
      ]),
    ).toBe('42501');
    expect(await refused('SELECT standing_checkpoint_key_register($1, $2)', [Buffer.alloc(32, 1), 'me'])).toBe('42501');
    // A checkpoint only through the owner's function, signed by a registered key.
    const stranger = parseCheckpointKey(randomBytes(32).toString('base64'));
    await expect(writeCheckpoints(log, stranger, { tenants: [t] })).rejects.toThrow(CheckpointKeyNotRegisteredError);
    expect(await writeCheckpoints(log, key, { tenants: [t] })).toMatchObject([{ status: 'written', number: 1 }]);
    const [c] = await split.service.query<{ body: CheckpointBody; hash: string; signature: string }>(
      'SELECT body, hash, signature FROM checkpoints WHERE tenant = $1 AND number = 1',
      [t],
    );
    const next = {
      ...c!.body,
      number: 2,
      previous: c!.hash,
      key_id: stranger.keyId,
      public_key: stranger.publicKeyPem,
    };
    const insert = (body: CheckpointBody, signature: string, hash = bodyHash(body)) =>
      split.service
        .query('SELECT standing_checkpoint_insert($1, 2, $2, $3::jsonb, $4, $5)', [
          t,
          body.seq,
          JSON.stringify(body),
          hash,
          signature,
        ])
        .then(
          () => null,
          (e: unknown) => (e as { code?: string }).code,
        );
    expect(await insert(next, signBody(stranger, next))).toBe('42501');
    const mine = { ...next, key_id: key.keyId, public_key: key.publicKeyPem };
    expect(await insert(mine, signBody(key, { ...mine, seq: mine.seq + 1 }))).toBe('42501');
    expect(await insert(mine, signBody(key, mine), 'f'.repeat(64))).toBe('23514');
    expect(await insert({ ...mine, previous: null }, signBody(key, { ...mine, previous: null }))).toBe('23514');
    expect((await verifyTenant(log, t, { publicKey: key.publicKey })).checkpoints.count).toBe(1);
    // The head moves only to a row of the chain.
    expect(
      await refused('SELECT standing_chain_advance($1::json)', [
        JSON.stringify([{ tenant: t, seq: 9, hash: 'f'.repeat(64) }]),
      ]),
    ).toBe('42501');
  });

  it("refuses a lift by the operator, an admin key, a revoked auditor key or another tenant's auditor", async () => {
    const admin = `api-key:${(await tenantKeyOf(t, 'admin')).split('_')[1]}`;
    const other = await holdActor(split.service, `${t}-other`);
    const revoked = await holdActor(split.service, t);
    await split.service.query('UPDATE api_keys SET revoked_at = now(), revoked_by = $2 WHERE key_id = $1', [
      revoked.slice(8),
      'test',
    ]);
    for (const actor of ['operator', 'zendesk-app:user:1', admin, other, revoked, 'api-key:0000000000000000']) {
      await expect(new Retention(split.service).liftHold(t, hold.hold_id, 'x', actor)).rejects.toThrow(
        /may not manage legal holds/,
      );
    }
    expect(await new Retention(split.service).activeHolds(t)).toHaveLength(1);
  });

  it(
    'refuses a cut while a valid signature alone would not do: no policy, rows too young, key not registered, ' +
      'signature of another body',
    async () => {
      const counsel = await holdActor(split.service, t);
      await new Retention(split.service).liftHold(t, hold.hold_id, 'case closed', counsel);
      const unregistered = parseCheckpointKey(randomBytes(32).toString('base64'));
      expect(await cut(3, key.keyId, await signed(3))).toMatchObject({
        message: expect.stringMatching(/no retention policy/),
      });
      await new Retention(split.service).setPolicy(t, { category: 'custom', keep_days: 1 }, 'dpo');
      expect(await cut(4, key.keyId, await signed(4))).toMatchObject({
        message: expect.stringMatching(/recorded after the policy's cutoff/),
      });
      expect(await cut(3, unregistered.keyId, await signed(3, unregistered))).toMatchObject({
        code: '42501',
        message: expect.stringMatching(/not registered: run `standing checkpoint register-key`/),
      });
      expect(await cut(3, key.keyId, await signed(3, key, 'another reason'))).toMatchObject({
        code: '42501',
        message: expect.stringMatching(/not signed by checkpoint key/),
      });
      expect(await cut(3, key.keyId, 'AAAA')).toMatchObject({ code: '42501' });
      expect(await seqs()).toEqual([1, 2, 3, 4, 5]);
      // The legitimate path: a policy, expired rows, a registered key's signature.
      expect(await cut(3, key.keyId, await signed(3))).toBeNull();
      expect(await seqs()).toEqual([4, 5]);
      expect(await verifyTenant(log, t, { publicKey: key.publicKey })).toMatchObject({
        ok: true,
        starts_at: 4,
        legal_holds: { ok: true, checked: 2 },
        attributions: { ok: true, checked: 0 },
      });
    },
  );
});
