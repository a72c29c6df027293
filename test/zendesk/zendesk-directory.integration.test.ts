/** Identity look-ups through the real node-zendesk client against Zendesk's API mocked with nock. */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../connector/tenants/tenant-registry.ts';
import { ZendeskDirectory } from '../../connector/zendesk/zendesk-directory.ts';
import { nodeZendeskErrorStatus } from '../../connector/zendesk/node-zendesk-status.ts';

const tenant = {
  id: 'acme',
  name: 'Acme',
  zendesk: { subdomain: 'acme', api_email: 'api@acme.example', api_token: 'token-token', webhook_secret: null },
} as unknown as Tenant;

beforeAll(() => nock.disableNetConnect());
afterAll(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('ZendeskDirectory', () => {
  it('skips a user Zendesk does not know (404), keeping the event going instead of retrying it forever', async () => {
    nock('https://acme.zendesk.com')
      .get('/api/v2/users/404404.json')
      .reply(404, { error: 'RecordNotFound', description: 'Not found' });
    const r = await new ZendeskDirectory().lookup(tenant, { userIds: ['404404'], organizationIds: [] });
    expect(r).toMatchObject({ ok: true, skipped: [expect.stringContaining('user 404404')] });
  });

  it('asks for a retry on a server error, and reads the status of node-zendesk errors from their message', async () => {
    nock('https://acme.zendesk.com').get('/api/v2/users/500500.json').times(5).reply(503, { error: 'Unavailable' });
    const r = await new ZendeskDirectory().lookup(tenant, { userIds: ['500500'], organizationIds: [] });
    expect(r).toMatchObject({ ok: false, decision: { retry: true } });
    expect(nodeZendeskErrorStatus(new Error('Request processing failed: Zendesk Error (404): Item not found'))).toBe(
      404,
    );
    expect(nodeZendeskErrorStatus(Object.assign(new Error('x'), { statusCode: 401 }))).toBe(401);
    expect(nodeZendeskErrorStatus(new Error('socket hang up'))).toBeNull();
  });
});
