/**
 * Alerts as private notes on the related ticket: `PUT /api/v2/tickets/{id}.json` with
 * `{"ticket": {"comment": {"body": ..., "public": false}}}`, through node-zendesk with the tenant's API
 * credentials. Comments are added through the Tickets API, not the Ticket Comments API
 * (https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_comments/); `public: false`
 * makes it an internal note the requester never sees.
 */
import { createRequire } from 'node:module';
import type { DeliveryAnswer, NoteSender } from '../alerts/alert-delivery.ts';
import type { Tenant } from '../tenants/tenant-registry.ts';
import { nodeZendeskErrorStatus } from './node-zendesk-status.ts';
import { zendeskCredentialsOf } from './settings.ts';

interface UpdateResult {
  response?: { status: number; headers: { get(name: string): string | null } };
  result: Record<string, unknown>;
}
interface Client {
  tickets: { update(id: string, body: unknown): Promise<UpdateResult> };
}
// node-zendesk is CommonJS only: a named ESM import fails (docs/development.md).
const zendesk = createRequire(import.meta.url)('node-zendesk') as {
  createClient(o: { username: string; token: string; subdomain: string }): Client;
};

export interface NoteTenants {
  get(id: string): Promise<Tenant | null>;
}

export function zendeskNoteSender(tenants: NoteTenants): NoteSender {
  const clients = new Map<string, Client>();
  return async (tenantId, ticketId, body): Promise<DeliveryAnswer> => {
    const tenant = await tenants.get(tenantId);
    const credentials = tenant ? zendeskCredentialsOf(tenant.zendesk) : { ok: false as const, missing: 'tenant' };
    if (!credentials.ok)
      return { status: 422, retryAfter: null, text: `no Zendesk API credentials (${credentials.missing} is not set)` };
    if (!/^\d{1,20}$/.test(ticketId)) return { status: 422, retryAfter: null, text: 'the ticket id is not a number' };
    const { subdomain, email, token } = credentials;
    const key = `${tenantId}\u0000${subdomain}\u0000${email}\u0000${token}`;
    let client = clients.get(key);
    if (!client) clients.set(key, (client = zendesk.createClient({ username: email, token, subdomain })));
    try {
      const res = await client.tickets.update(ticketId, { ticket: { comment: { body, public: false } } });
      // node-zendesk resolves a 429 as a value ({statusCode: 429}) instead of throwing (docs/development.md).
      const limited = res.result.statusCode === 429;
      const status = limited ? 429 : (res.response?.status ?? 200);
      return { status, retryAfter: null, text: limited ? 'rate limited' : 'note added' };
    } catch (err) {
      const status = nodeZendeskErrorStatus(err);
      const text =
        status === null ? `no answer: ${(err as Error).message}`.slice(0, 120) : `Zendesk answered ${status}`;
      return { status, retryAfter: null, text };
    }
  };
}
