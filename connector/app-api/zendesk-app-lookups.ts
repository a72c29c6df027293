/**
 * What the app endpoints confirm with the Zendesk API: a ticket's requester and organization, and a
 * user's role. Claims in an app token come from the app's JavaScript, so the connector asks Zendesk
 * itself. Answers are cached briefly (per tenant).
 */
import { createRequire } from 'node:module';
import { LRUCache } from 'lru-cache';
import { nodeZendeskErrorStatus } from '../zendesk/node-zendesk-status.ts';
import type { Tenant } from '../tenants/tenant-registry.ts';
import { zendeskCredentialsOf } from '../zendesk/settings.ts';

export type TicketLookup =
  | { found: true; requester_id: string | null; organization_id: string | null }
  | { found: false }
  /** No API credentials, rate limited, or Zendesk unreachable. */
  | { found: 'unavailable' };

export type RoleLookup = { role: string } | { role: null } | { role: 'unavailable' };

/** Who an agent is, as Zendesk says: role, name and group ids (what the four-eyes setting names). */
export type AgentLookup =
  { found: true; role: string; name: string; group_ids: string[] } | { found: false } | { found: 'unavailable' };

export interface ZendeskAppLookups {
  ticket(tenant: Tenant, ticketId: string): Promise<TicketLookup>;
  /** `admin`, `agent`, `end-user` (Zendesk's `role`), or null when the user does not exist. */
  userRole(tenant: Tenant, userId: string): Promise<RoleLookup>;
  /** A user's role, name and groups (`GET /api/v2/users/{id}` and `/users/{id}/group_memberships`), never cached. */
  agent(tenant: Tenant, userId: string): Promise<AgentLookup>;
  /** Forgets cached ticket look-ups (their requesters), after an erasure. */
  forgetAll?(): void;
}

interface ShowResult {
  response?: { status: number };
  result: Record<string, unknown>;
}
interface Client {
  users: { show(id: string): Promise<ShowResult> };
  groupmemberships: { listByUser(id: string): Promise<unknown> };
  tickets: { show(id: string): Promise<ShowResult> };
}
const zendesk = createRequire(import.meta.url)('node-zendesk') as {
  createClient(o: { username: string; token: string; subdomain: string; endpointUri: string }): Client;
};

const str = (v: unknown) => (v === null || v === undefined || v === '' ? null : String(v));

async function show(
  client: Client,
  what: 'users' | 'tickets',
  id: string,
): Promise<{ status: number; result: Record<string, unknown> }> {
  try {
    const res = await client[what].show(id);
    const status = typeof res.result.statusCode === 'number' ? res.result.statusCode : (res.response?.status ?? 200);
    return { status, result: res.result };
  } catch (err) {
    return { status: nodeZendeskErrorStatus(err) ?? 0, result: {} };
  }
}

export interface NodeZendeskLookupsOptions {
  /** @defaultValue 60_000 ms */
  cacheTtlMs?: number;
}

/** The real thing, through node-zendesk and the tenant's API token. */
export function nodeZendeskLookups(options: NodeZendeskLookupsOptions = {}): ZendeskAppLookups {
  const ttl = options.cacheTtlMs ?? 60_000;
  const tickets = new LRUCache<string, { v: TicketLookup }>({ max: 50_000, ttl });
  const roles = new LRUCache<string, { v: RoleLookup }>({ max: 50_000, ttl });
  const clients = new Map<string, Client>();
  const clientFor = (t: Tenant): Client | null => {
    const credentials = zendeskCredentialsOf(t.zendesk);
    if (!credentials.ok) return null;
    const { subdomain, email, token, baseUrl } = credentials;
    const key = `${t.id}\u0000${baseUrl}\u0000${email}\u0000${token}`;
    let c = clients.get(key);
    const endpointUri = `${baseUrl}/api/v2`;
    if (!c) clients.set(key, (c = zendesk.createClient({ username: email, token, subdomain, endpointUri })));
    return c;
  };
  return {
    forgetAll() {
      tickets.clear();
    },
    async ticket(tenant, ticketId) {
      const key = `${tenant.id}\u0000${ticketId}`;
      const hit = tickets.get(key);
      if (hit) return hit.v;
      const client = clientFor(tenant);
      if (!client) return { found: 'unavailable' };
      const { status, result } = await show(client, 'tickets', ticketId);
      let v: TicketLookup;
      if (status === 404) v = { found: false };
      else if (status >= 200 && status < 300)
        v = { found: true, requester_id: str(result.requester_id), organization_id: str(result.organization_id) };
      else return { found: 'unavailable' };
      tickets.set(key, { v });
      return v;
    },
    async userRole(tenant, userId) {
      const key = `${tenant.id}\u0000${userId}`;
      const hit = roles.get(key);
      if (hit) return hit.v;
      const client = clientFor(tenant);
      if (!client) return { role: 'unavailable' };
      const { status, result } = await show(client, 'users', userId);
      let v: RoleLookup;
      if (status === 404) v = { role: null };
      else if (status >= 200 && status < 300) v = { role: str(result.role) ?? 'end-user' };
      else return { role: 'unavailable' };
      roles.set(key, { v });
      return v;
    },
    async agent(tenant, userId) {
      const client = clientFor(tenant);
      if (!client) return { found: 'unavailable' };
      const { status, result } = await show(client, 'users', userId);
      if (status === 404) return { found: false };
      if (status < 200 || status >= 300) return { found: 'unavailable' };
      let memberships: unknown;
      try {
        memberships = await client.groupmemberships.listByUser(userId);
      } catch {
        return { found: 'unavailable' };
      }
      // node-zendesk's getAll answers the list itself (or {result: list} in older versions).
      const list = Array.isArray(memberships) ? memberships : (memberships as { result?: unknown }).result;
      const group_ids = (Array.isArray(list) ? list : []).flatMap((m: { group_id?: unknown }) =>
        m.group_id === undefined ? [] : [String(m.group_id)],
      );
      return {
        found: true,
        role: str(result.role) ?? 'end-user',
        name: str(result.name) ?? `User ${userId}`,
        group_ids,
      };
    },
  };
}

/** Fixed answers, for the demo and tests: tickets and users of one or more tenants. */
export function staticLookups(data: {
  tickets?: Record<string, Record<string, { requester_id: string | null; organization_id: string | null }>>;
  roles?: Record<string, Record<string, string>>;
  /** Names and groups by tenant and user id (the role comes from `roles`). */
  agents?: Record<string, Record<string, { name: string; group_ids?: string[] }>>;
}): ZendeskAppLookups {
  return {
    ticket: async (tenant, id) => {
      const t = data.tickets?.[tenant.id]?.[id];
      return t ? { found: true, ...t } : { found: false };
    },
    userRole: async (tenant, id) => ({ role: data.roles?.[tenant.id]?.[id] ?? null }),
    agent: async (tenant, id) => {
      const role = data.roles?.[tenant.id]?.[id];
      if (!role) return { found: false };
      const a = data.agents?.[tenant.id]?.[id];
      return { found: true, role, name: a?.name ?? `User ${id}`, group_ids: a?.group_ids ?? [] };
    },
  };
}
