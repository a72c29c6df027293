/**
 * The Zendesk app endpoints refuse what they must: another tenant's secret, an expired token, a
 * ticket of another tenant, a non-admin on an admin endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordTicketsSeen } from '../../connector/zendesk/tickets-seen.ts';
import { staticLookups } from '../../connector/app-api/zendesk-app-lookups.ts';
import { Insights, SidebarPage } from '../../connector/contracts/index.ts';
import { stopIntakeService } from '../support/intake-harness.ts';
import { appToken, createTenant, startAppService, type AppService } from '../support/app-harness.ts';

const ACME_SECRET = 'acme-app-shared-secret-0123456789abcdef';
const GLOBEX_SECRET = 'globex-app-shared-secret-0123456789abcdef';
let s: AppService;

const sidebar = (tenant: string, token: string | null, query = 'ticket_id=100') =>
  fetch(`${s.url}/app/v1/${tenant}/sidebar?${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
const admin = (tenant: string, token: string, path = '/mapping') =>
  fetch(`${s.url}/app/v1/${tenant}/admin${path}`, { headers: { authorization: `Bearer ${token}` } });
const code = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

beforeAll(async () => {
  s = await startAppService(
    'app_security',
    staticLookups({ roles: { acme: { '7001': 'admin', '7002': 'agent' }, globex: { '7001': 'admin' } } }),
  );
  await createTenant(s, { id: 'acme', name: 'Acme', zendesk: { subdomain: 'acme', app_shared_secret: ACME_SECRET } });
  await createTenant(s, {
    id: 'globex',
    name: 'Globex',
    zendesk: { subdomain: 'globex', app_shared_secret: GLOBEX_SECRET },
  });
  await createTenant(s, { id: 'initech', name: 'Initech (no app)', zendesk: { subdomain: 'initech' } });
  const at = new Date().toISOString();
  await recordTicketsSeen(s.handle.resources.db, [
    { tenant: 'acme', ticket_id: '100', requester_id: '501', organization_id: '601', at },
    { tenant: 'globex', ticket_id: '200', requester_id: '502', organization_id: null, at },
  ]);
});
afterAll(async () => {
  if (s) await stopIntakeService(s.env, s.handle);
});

describe('app token', () => {
  it('serves the sidebar for a token signed with the tenant secret', async () => {
    const res = await sidebar('acme', await appToken(ACME_SECRET, { tenant: 'acme', user_id: '7002' }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ticket: unknown; events: unknown[]; warnings: unknown[] };
    expect(body.ticket).toMatchObject({
      id: '100',
      requester_id: '501',
      organization_id: '601',
      confirmed_by: 'ticket_events',
    });
    expect(body.events).toEqual([]);
  });

  it('answers exactly as the SidebarPage contract says', async () => {
    const body = (await (
      await sidebar('acme', await appToken(ACME_SECRET, { tenant: 'acme', user_id: '7002' }))
    ).json()) as unknown;
    // Parsing drops what the contract does not describe, so an undocumented field makes them differ.
    expect(SidebarPage.parse(body)).toEqual(body);
  });

  it('refuses a request without a token', async () => {
    const res = await sidebar('acme', null);
    expect(res.status).toBe(401);
  });

  it("refuses a token signed with another tenant's secret", async () => {
    const res = await sidebar('acme', await appToken(GLOBEX_SECRET, { tenant: 'acme' }));
    expect(res.status).toBe(401);
    expect((await code(res)).message).toMatch(/signature/);
  });

  it(
    'refuses a token whose tenant claim names another tenant, ' + "even when signed with this tenant's secret",
    async () => {
      const res = await sidebar('acme', await appToken(ACME_SECRET, { tenant: 'globex' }));
      expect(res.status).toBe(401);
      expect((await code(res)).message).toMatch(/tenant/);
    },
  );

  it('refuses an expired token', async () => {
    const res = await sidebar('acme', await appToken(ACME_SECRET, { tenant: 'acme' }, -120));
    expect(res.status).toBe(401);
    expect((await code(res)).message).toMatch(/expired/);
  });

  it('refuses a token without an expiry, an unsigned token and one living longer than an hour', async () => {
    const { SignJWT, UnsecuredJWT } = await import('jose');
    const noExp = await new SignJWT({ tenant: 'acme' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(ACME_SECRET));
    expect((await sidebar('acme', noExp)).status).toBe(401);
    const unsigned = new UnsecuredJWT({ tenant: 'acme' }).setExpirationTime('5m').encode();
    expect((await sidebar('acme', unsigned)).status).toBe(401);
    expect((await sidebar('acme', await appToken(ACME_SECRET, { tenant: 'acme' }, 86_400))).status).toBe(401);
  });

  it('answers a tenant without the app set up, and an unknown tenant, like a bad signature', async () => {
    expect((await sidebar('initech', await appToken(ACME_SECRET, { tenant: 'initech' }))).status).toBe(401);
    expect((await sidebar('nope', await appToken(ACME_SECRET, { tenant: 'nope' }))).status).toBe(401);
  });
});

describe('what the sidebar serves', () => {
  it('refuses a ticket id of another tenant (404, nothing of it shown)', async () => {
    const res = await sidebar('acme', await appToken(ACME_SECRET, { tenant: 'acme' }), 'ticket_id=200');
    expect(res.status).toBe(404);
    const err = await code(res);
    expect(err.code).toBe('unknown_ticket');
    expect(err.message).not.toMatch(/502/);
  });

  it('names the field of a bad query', async () => {
    const res = await sidebar('acme', await appToken(ACME_SECRET, { tenant: 'acme' }), 'ticket_id=abc');
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/ticket_id/);
  });
});

describe('admin endpoints', () => {
  it('serve a user Zendesk confirms is an admin', async () => {
    const res = await admin('acme', await appToken(ACME_SECRET, { tenant: 'acme', user_id: '7001' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ version: 0, is_default: true });
  });

  it('refuse an agent, a user unknown to Zendesk and a token naming no user', async () => {
    for (const claims of [
      { tenant: 'acme', user_id: '7002' },
      { tenant: 'acme', user_id: '9999' },
      { tenant: 'acme' },
    ]) {
      const res = await admin('acme', await appToken(ACME_SECRET, claims));
      expect(res.status, JSON.stringify(claims)).toBe(403);
    }
  });

  it('serve the insights (counts only) to an admin, naming a bad field, and refuse an agent', async () => {
    const path = '/insights?from=2026-03-01&to=2026-03-31&bucket=month';
    const ok = await admin('acme', await appToken(ACME_SECRET, { tenant: 'acme', user_id: '7001' }), path);
    expect(ok.status).toBe(200);
    const figures = Insights.parse(await ok.json());
    expect(figures.buckets.map((b) => b.start)).toEqual(['2026-03-01']);
    const bad = await admin('acme', await appToken(ACME_SECRET, { tenant: 'acme', user_id: '7001' }), '/insights');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('"path":"from"');
    const agent = await admin('acme', await appToken(ACME_SECRET, { tenant: 'acme', user_id: '7002' }), path);
    expect(agent.status).toBe(403);
  });

  it("refuse an admin of another tenant's token", async () => {
    const res = await admin('acme', await appToken(GLOBEX_SECRET, { tenant: 'globex', user_id: '7001' }));
    expect(res.status).toBe(401);
  });

  it('show an invalid mapping draft at its path, and save a valid one', async () => {
    const token = await appToken(ACME_SECRET, { tenant: 'acme', user_id: '7001' });
    const put = (doc: unknown) =>
      fetch(`${s.url}/app/v1/acme/admin/mapping`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(doc),
      });
    const bad = await put({ version: 1, user: { active_changed: { deactivated_status: 'gone' } } });
    expect(bad.status).toBe(400);
    const details = ((await bad.json()) as { error: { details: { path: string }[] } }).error.details;
    expect(details.map((d) => d.path)).toContain('user.active_changed.deactivated_status');
    const good = await put({ version: 1 });
    expect(good.status).toBe(200);
    expect(await good.json()).toMatchObject({ version: 1, changed_by: 'zendesk-app:user:7001' });
  });

  it('read and set the warning thresholds, naming a bad field; the admin token reaches the same settings', async () => {
    const token = await appToken(ACME_SECRET, { tenant: 'acme', user_id: '7001' });
    const put = (body: unknown) =>
      fetch(`${s.url}/app/v1/acme/admin/warning-settings`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const bad = await put({ repeated_cycles: { min_cycles: 1 } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('repeated_cycles.min_cycles');
    expect((await put({ repeated_cycles: { min_cycles: 5 } })).status).toBe(200);
    const viaAdmin = await fetch(`${s.url}/api/v1/tenants/acme/app-settings/warnings`, {
      headers: { authorization: `Bearer ${s.adminToken}` },
    });
    expect(await viaAdmin.json()).toMatchObject({ repeated_cycles: { min_cycles: 5, window_days: 90 } });
    expect((await fetch(`${s.url}/api/v1/tenants/acme/app-settings/warnings`)).status).toBe(401);
    expect(
      (
        await fetch(`${s.url}/api/v1/tenants/nosuch/app-settings/warnings`, {
          headers: { authorization: `Bearer ${s.adminToken}` },
        })
      ).status,
    ).toBe(404);
  });
});
