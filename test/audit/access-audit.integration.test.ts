/** The read audit's store on the real PostgreSQL and on PGlite: records, lists, verifies, refuses changes. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessAudit, GLOBAL_AUDIT_TENANT } from '../../connector/audit/access-audit.ts';
import { asSuperuserBypassingTriggers, BACKENDS, openTestStore, type TestStore } from '../support/databases.ts';

const AUDITOR = { type: 'api_key', tenant: 'acme', role: 'auditor', key_id: 'k-aud', name: 'Audit' } as const;
const [S1, S2, S3] = [randomUUID(), randomUUID(), randomUUID()];

describe.each(BACKENDS)('access audit on %s', (backend) => {
  let store: TestStore;
  let audit: AccessAudit;

  beforeAll(async () => {
    store = await openTestStore(backend, 'access_audit');
    audit = new AccessAudit(store.db, { verifyPageSize: 3 });
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('records reads on the tenant chain and lists them by subject and action, page by page', async () => {
    expect(
      await audit.record({
        tenant: 'acme',
        principal: AUDITOR,
        action: 'history.read',
        path: 'GET /api/v1/history',
        subject_ids: [S1, S2],
        detail: { identity_kinds: ['email'] },
      }),
    ).toMatchObject({ seq: 1 });
    await audit.record({
      tenant: 'acme',
      principal: { type: 'operator' },
      action: 'log.export',
      path: 'cli export',
      subject_ids: [],
    });
    for (let i = 0; i < 5; i++)
      await audit.record({
        tenant: 'acme',
        principal: AUDITOR,
        action: 'history.read',
        path: 'GET /api/v1/history',
        subject_ids: [S1.toUpperCase()],
      });
    await audit.record({
      tenant: 'other',
      principal: AUDITOR,
      action: 'history.read',
      path: 'GET /api/v1/history',
      subject_ids: [S1],
    });

    const all = await audit.list('acme');
    expect(all.entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(all.next_after_seq).toBeNull();
    expect(all.entries[0]).toMatchObject({
      tenant: 'acme',
      action: 'history.read',
      outcome: 'allowed',
      path: 'GET /api/v1/history',
      subject_ids: [S1, S2],
      principal: { type: 'api_key', label: 'api-key:k-aud', role: 'auditor', tenant: 'acme' },
      detail: { identity_kinds: ['email'] },
    });
    expect(all.entries[2]!.subject_ids).toEqual([S1]);

    const first = await audit.list('acme', { subject_id: S1, limit: 4 });
    expect(first.entries.map((e) => e.seq)).toEqual([1, 3, 4, 5]);
    const second = await audit.list('acme', { subject_id: S1, limit: 4, after_seq: first.next_after_seq! });
    expect(second.entries.map((e) => e.seq)).toEqual([6, 7]);
    expect(second.next_after_seq).toBeNull();
    expect((await audit.list('acme', { subject_id: S2 })).entries.map((e) => e.seq)).toEqual([1]);
    expect((await audit.list('acme', { subject_id: S3 })).entries).toEqual([]);
    expect((await audit.list('acme', { action: 'log.export' })).entries.map((e) => e.seq)).toEqual([2]);
    expect((await audit.list('other')).entries).toHaveLength(1);
  });

  it('verifies each chain, page by page, and reports a row altered by the table owner', async () => {
    expect(await audit.verify('acme')).toMatchObject({ ok: true, checked: 7, head: { seq: 7 } });
    expect(await audit.verify('other')).toMatchObject({ ok: true, checked: 1 });
    expect(await audit.verify('nobody')).toMatchObject({ ok: true, checked: 0, head: { seq: 0 } });
    await asSuperuserBypassingTriggers(
      store.db,
      `UPDATE access_audit SET subject_ids = ARRAY[$1::uuid] WHERE tenant = 'acme' AND seq = 5`,
      [S3],
    );
    expect(await audit.verify('acme')).toMatchObject({
      ok: false,
      checked: 4,
      broken: { seq: 5, problem: 'hash_mismatch' },
    });
  });

  it('records denials on the tenant chain, or on * when there is no valid or registered tenant', async () => {
    await store.db.query("INSERT INTO tenants (id, name) VALUES ('acme', 'Acme') ON CONFLICT (id) DO NOTHING");
    await audit.recordDenied({
      tenant: 'acme',
      principal: { type: 'app_user', tenant: 'acme', role: 'agent', zendesk_user_id: '7' },
      path: 'GET /api/v1/tenants/acme/audit',
      permission: 'audit.read',
      reason: 'role',
    });
    await audit.recordDenied({
      tenant: null,
      principal: null,
      path: 'GET /api/v1/tenants',
      permission: 'tenants.provision',
      reason: 'no credentials',
    });
    await audit.recordDenied({
      tenant: 'Not A Tenant!',
      principal: AUDITOR,
      path: 'GET /api/v1/history',
      permission: 'history.read',
      reason: 'other tenant',
    });
    await audit.recordDenied({
      tenant: 'nobody-registered',
      principal: AUDITOR,
      path: 'GET /api/v1/history',
      permission: 'history.read',
      reason: 'other tenant',
    });
    const denied = await audit.list('acme', { action: 'denied' });
    expect(denied.entries).toEqual([
      expect.objectContaining({
        outcome: 'denied',
        subject_ids: [],
        principal: { type: 'app_user', label: 'zendesk-app:user:7', role: 'agent', tenant: 'acme' },
        detail: { permission: 'audit.read', reason: 'role' },
      }),
    ]);
    const global = await audit.list(GLOBAL_AUDIT_TENANT);
    expect(global.entries).toEqual([
      expect.objectContaining({
        seq: 1,
        tenant: '*',
        principal: { type: 'anonymous', label: 'anonymous', role: null },
        detail: { permission: 'tenants.provision', reason: 'no credentials' },
      }),
      expect.objectContaining({
        seq: 2,
        detail: { permission: 'history.read', reason: 'other tenant', tenant: 'invalid' },
      }),
      expect.objectContaining({
        seq: 3,
        detail: { permission: 'history.read', reason: 'other tenant', tenant: 'unknown' },
      }),
    ]);
    expect(await audit.known('nobody-registered')).toBe(false);
    expect(await audit.verify(GLOBAL_AUDIT_TENANT)).toMatchObject({ ok: true, checked: 3 });
  });

  it('refuses UPDATE, DELETE and TRUNCATE, and a head moved other than one link forward', async () => {
    const code = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: { code?: string }) => e.code,
      );
    expect(await code(store.db.query(`UPDATE access_audit SET path = 'x' WHERE tenant = 'other'`))).toBe('42501');
    expect(await code(store.db.query(`DELETE FROM access_audit WHERE tenant = 'other'`))).toBe('42501');
    expect(await code(store.db.query('TRUNCATE access_audit'))).toBe('42501');
    expect(await code(store.db.query(`UPDATE access_audit_heads SET seq = 0 WHERE tenant = 'other'`))).toBe('42501');
    expect(await code(store.db.query(`UPDATE access_audit_heads SET hash = 'x' WHERE tenant = 'other'`))).toBe('42501');
    expect(await code(store.db.query(`DELETE FROM access_audit_heads WHERE tenant = 'other'`))).toBe('42501');
  });

  it('serializes concurrent appends of one tenant into one chain', async () => {
    await Promise.all(
      Array.from({ length: 20 }, () =>
        audit.record({
          tenant: 'busy',
          principal: AUDITOR,
          action: 'history.read',
          path: 'GET /api/v1/history',
          subject_ids: [S2],
        }),
      ),
    );
    expect(await audit.verify('busy')).toMatchObject({ ok: true, checked: 20, head: { seq: 20 } });
  });
});
