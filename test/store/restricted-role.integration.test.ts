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
import { verifyTenant } from '../../connector/store/checkpoints.ts';
import { Retention, applyRetention } from '../../connector/store/retention.ts';
import { TenantRegistry } from '../../connector/tenants/tenant-registry.ts';
import { event } from '../support/fixtures.ts';
import { openRoleSplit, type RoleSplit } from '../support/roles.ts';

const tenant = `roles-${randomBytes(2).toString('hex')}`;
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

const refused = async (sql: string, params: unknown[] = []) => {
  const err = await split.service.query(sql, params).then(() => null, (e: unknown) => e as { code?: string; message: string });
  return err?.code;
};

describe('the service role', () => {
  it('cannot UPDATE, DELETE or TRUNCATE log rows', async () => {
    expect(await refused('UPDATE standing_events SET kind = $2 WHERE tenant = $1', [tenant, 'reinstatement'])).toBe('42501');
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
      .then(() => null, (e: unknown) => (e as { code?: string }).code);
    expect(cut).toBe('42501');
    expect(await refused('SELECT standing_grant_service_role($1)', [split.serviceRole])).toBe('42501');
  });

  it('records reads in the access audit but cannot UPDATE, DELETE or TRUNCATE it, nor move its head back', async () => {
    const audit = new AccessAudit(split.service);
    await audit.record({ tenant, principal: { type: 'operator' }, action: 'history.read', path: 'GET /api/v1/history', subject_ids: [] });
    await audit.recordDenied({ tenant: null, principal: null, path: 'GET /api/v1/tenants', permission: 'tenants.provision', reason: 'no credentials' });
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
    expect(await refused(`INSERT INTO chain_boundaries (tenant, seq, hash, reason) VALUES ($1, 2, 'x', 'forged')`, [tenant])).toBe('42501');
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

  it('applies retention through the sanctioned function, and verify passes from the signed boundary', async () => {
    const key = parseCheckpointKey(randomBytes(32).toString('base64'));
    await new Retention(split.service).setPolicy(tenant, { category: 'custom', keep_days: 1 }, 'dpo');
    const now = () => new Date(Date.now() + 2 * 86_400_000);
    expect(await applyRetention(log, key, { tenants: [tenant], now, maxRows: 2 })).toMatchObject([{ status: 'removed', through: 2, removed: 2 }]);
    expect(await verifyTenant(log, tenant, { publicKey: key.publicKey })).toMatchObject({ ok: true, starts_at: 3 });
  });

  it('opens an already migrated schema as the service with the owner URL migrating', async () => {
    const { db, migrations } = await openMigratedDatabase({ url: split.serviceUrl, ownerUrl: split.ownerUrl, schema: split.schema });
    expect(migrations.applied).toEqual([]);
    await db.close();
  });
});
