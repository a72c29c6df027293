/**
 * What the app endpoints ask Zendesk (through node-zendesk, Zendesk's REST API mocked with nock),
 * and how the sidebar uses the tickets seen in ticket events: newest wins, unknown or stale tickets
 * are confirmed with Zendesk, a ticket Zendesk does not know is refused.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findTicketSeen, recordTicketsSeen } from '../../connector/zendesk/tickets-seen.ts';
import { nodeZendeskLookups, type ZendeskAppLookups } from '../../connector/app-api/zendesk-app-lookups.ts';
import type { Tenant } from '../../connector/tenants/tenant-registry.ts';
import { stopIntakeService } from '../support/intake-harness.ts';
import { appToken, createTenant, startAppService, type AppService } from '../support/app-harness.ts';

const JSON_TYPE = { 'Content-Type': 'application/json' };
const SECRET = 'lookups-app-shared-secret-0123456789abcd';
const tenant: Tenant = {
  id: 'acme',
  name: 'Acme',
  zendesk: {
    subdomain: 'acme',
    api_url: null,
    api_email: 'api@acme.example',
    api_token: 'token-123456',
    webhook_secret: null,
    app_shared_secret: SECRET,
  },
};

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
});
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('nodeZendeskLookups', () => {
  it("reads a ticket's requester and organization, caches it, and tells a 404 from an outage", async () => {
    const lookups = nodeZendeskLookups();
    const zd = nock('https://acme.zendesk.com')
      .get('/api/v2/tickets/55.json')
      .reply(200, { ticket: { id: 55, requester_id: 7101, organization_id: 8101 } }, JSON_TYPE)
      .get('/api/v2/tickets/56.json')
      .reply(404, { error: 'RecordNotFound' }, JSON_TYPE)
      .get('/api/v2/tickets/57.json')
      .reply(503, 'down');
    expect(await lookups.ticket(tenant, '55')).toEqual({ found: true, requester_id: '7101', organization_id: '8101' });
    expect(await lookups.ticket(tenant, '55')).toEqual({ found: true, requester_id: '7101', organization_id: '8101' });
    expect(await lookups.ticket(tenant, '56')).toEqual({ found: false });
    expect(await lookups.ticket(tenant, '57')).toEqual({ found: 'unavailable' });
    expect(zd.isDone()).toBe(true);
  });

  it("reads a user's role, and says unavailable without API credentials", async () => {
    const lookups = nodeZendeskLookups();
    nock('https://acme.zendesk.com')
      .get('/api/v2/users/9100.json')
      .reply(200, { user: { id: 9100, role: 'admin' } }, JSON_TYPE)
      .get('/api/v2/users/9001.json')
      .reply(200, { user: { id: 9001, role: 'agent' } }, JSON_TYPE);
    expect(await lookups.userRole(tenant, '9100')).toEqual({ role: 'admin' });
    expect(await lookups.userRole(tenant, '9001')).toEqual({ role: 'agent' });
    expect(await lookups.userRole({ ...tenant, zendesk: { ...tenant.zendesk, api_token: null } }, '9200')).toEqual({
      role: 'unavailable',
    });
  });
});

describe('nodeZendeskLookups.agent (who the acting agent is)', () => {
  it("reads the user's role, name and group memberships, and tells a 404 from an outage", async () => {
    const lookups = nodeZendeskLookups();
    nock('https://acme.zendesk.com')
      .get('/api/v2/users/9002.json')
      .reply(200, { user: { id: 9002, role: 'agent', name: 'Tara Lead' } }, JSON_TYPE)
      .get('/api/v2/users/9002/group_memberships.json')
      .query(true)
      .reply(
        200,
        {
          group_memberships: [
            { id: 1, user_id: 9002, group_id: 360000000001 },
            { id: 2, user_id: 9002, group_id: 360000000002 },
          ],
          meta: { has_more: false },
          links: { next: null },
        },
        JSON_TYPE,
      )
      .get('/api/v2/users/9404.json')
      .reply(404, { error: 'RecordNotFound' }, JSON_TYPE)
      .get('/api/v2/users/9503.json')
      .reply(503, 'down');
    expect(await lookups.agent(tenant, '9002')).toEqual({
      found: true,
      role: 'agent',
      name: 'Tara Lead',
      group_ids: ['360000000001', '360000000002'],
    });
    expect(await lookups.agent(tenant, '9404')).toEqual({ found: false });
    expect(await lookups.agent(tenant, '9503')).toEqual({ found: 'unavailable' });
  });
});

describe('the sidebar and the tickets seen', () => {
  let s: AppService;
  const lookups: ZendeskAppLookups = nodeZendeskLookups();
  beforeAll(async () => {
    s = await startAppService('app_lookups', lookups);
    await createTenant(s, {
      id: 'acme',
      name: 'Acme',
      zendesk: {
        subdomain: 'acme',
        api_email: 'api@acme.example',
        api_token: 'token-123456',
        app_shared_secret: SECRET,
      },
    });
  });
  afterAll(async () => {
    if (s) await stopIntakeService(s.env, s.handle);
  });
  const sidebar = async (ticket: string) =>
    fetch(`${s.url}/app/v1/acme/sidebar?ticket_id=${ticket}`, {
      headers: { authorization: `Bearer ${await appToken(SECRET, { tenant: 'acme' })}` },
    });

  it('keeps the newest requester of a ticket and skips malformed rows', async () => {
    const db = s.handle.resources.db;
    const r = await recordTicketsSeen(db, [
      { tenant: 'acme', ticket_id: '10', requester_id: '1', organization_id: null, at: '2026-03-01T10:00:00Z' },
      { tenant: 'acme', ticket_id: '10', requester_id: '2', organization_id: '5', at: '2026-03-01T11:00:00Z' },
      { tenant: 'acme', ticket_id: 'x', requester_id: '3', organization_id: null, at: '2026-03-01T11:00:00Z' },
    ]);
    expect(r).toEqual({ recorded: 1 });
    await recordTicketsSeen(db, [
      { tenant: 'acme', ticket_id: '10', requester_id: '1', organization_id: null, at: '2026-03-01T09:00:00Z' },
    ]);
    expect(await findTicketSeen(db, 'acme', '10')).toMatchObject({ requester_id: '2', organization_id: '5' });
    expect(await findTicketSeen(db, 'globex', '10')).toBeNull();
  });

  it('confirms a stale ticket with Zendesk and serves the requester Zendesk names now', async () => {
    nock('https://acme.zendesk.com')
      .get('/api/v2/tickets/10.json')
      .reply(200, { ticket: { id: 10, requester_id: 3, organization_id: null } }, JSON_TYPE);
    const res = await sidebar('10');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { ticket: unknown }).ticket).toMatchObject({
      requester_id: '3',
      organization_id: null,
      confirmed_by: 'zendesk_api',
    });
  });

  it('confirms an unknown ticket with Zendesk, and refuses one Zendesk does not know', async () => {
    nock('https://acme.zendesk.com')
      .get('/api/v2/tickets/11.json')
      .reply(200, { ticket: { id: 11, requester_id: 4, organization_id: 6 } }, JSON_TYPE)
      .get('/api/v2/tickets/12.json')
      .reply(404, { error: 'RecordNotFound' }, JSON_TYPE);
    expect(((await (await sidebar('11')).json()) as { ticket: unknown }).ticket).toMatchObject({
      requester_id: '4',
      organization_id: '6',
      confirmed_by: 'zendesk_api',
    });
    expect(await findTicketSeen(s.handle.resources.db, 'acme', '11')).toMatchObject({ requester_id: '4' });
    const refused = await sidebar('12');
    expect(refused.status).toBe(404);
  });
});
