/**
 * Several processes starting at once on a fresh schema (replicas after a deploy) all come up:
 * schema creation, migrations and the `default` tenant are safe to race.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { deriveMasterKeys } from '../../connector/model/sealing.ts';
import type { ServiceHandle } from '../../connector/app/service.ts';
import { TenantRegistry } from '../../connector/tenants/tenant-registry.ts';
import { openTestStore } from '../support/databases.ts';
import { intakeEnv, postWebhook, startIntakeService, waitFor, stopIntakeService } from '../support/intake-harness.ts';

const env = intakeEnv('zd_first_start');
const services: ServiceHandle[] = [];

afterAll(async () => {
  await stopIntakeService(env, ...services);
});

it('two processes starting together on a fresh schema both come up', async () => {
  const starts = await Promise.allSettled([
    startIntakeService({ ...env, env: { ...env.env, STANDING_ROLE: 'api' } }),
    startIntakeService({ ...env, env: { ...env.env, STANDING_ROLE: 'worker' } }),
    startIntakeService({ ...env, env: { ...env.env, STANDING_ROLE: 'api' } }),
  ]);
  for (const s of starts) if (s.status === 'fulfilled') services.push(s.value);
  expect(starts.filter((s) => s.status === 'rejected').map((s) => String((s as PromiseRejectedResult).reason))).toEqual(
    [],
  );

  const [api] = services;
  const id = `first-start-${Date.now()}`;
  const res = await postWebhook(api!.url, 'default', {
    type: 'zen:event-type:user.active_changed',
    account_id: 1,
    id,
    time: '2026-03-04T05:33:18Z',
    zendesk_event_version: '2022-06-20',
    subject: 'zen:user:695001',
    detail: { id: '695001', email: 'first@example.com', role: 'end-user', external_id: '', organization_id: '0' },
    event: { current: false, previous: true },
  });
  expect(res.status).toBe(202);
  await waitFor(
    'stored',
    async () =>
      (await api!.resources.db.query<{ state: string }>('SELECT state FROM intake_inbox WHERE event_id = $1', [id]))[0]
        ?.state === 'stored',
  );
  expect(await api!.resources.db.query('SELECT id FROM tenants')).toEqual([{ id: 'default' }]);
});

it(
  "processes racing to create the default tenant on a fresh schema all succeed, and the environment's settings " +
    'apply',
  async () => {
    const store = await openTestStore('postgres', 'first_tenant');
    try {
      const master = deriveMasterKeys(randomBytes(32));
      const settings = { subdomain: 'acme', webhookSecret: randomBytes(32).toString('base64') };
      // Connections open beforehand, so that the registries' reads really run at the same time.
      await Promise.all(Array.from({ length: 8 }, () => store.db.query('SELECT pg_sleep(0.05)')));
      // Each process has its own registry; all look, find no tenant, and create it at once.
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, () => new TenantRegistry(store.db, master).syncDefaultTenant(settings)),
      );
      expect(
        results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)),
      ).toEqual([]);
      const tenant = await new TenantRegistry(store.db, master).get('default');
      expect(tenant?.zendesk).toMatchObject({ subdomain: 'acme', webhook_secret: settings.webhookSecret });
    } finally {
      await store.dispose();
    }
  },
);
