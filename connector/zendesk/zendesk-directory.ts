/**
 * Looks up Zendesk users and organizations (through node-zendesk) to complete a webhook's customer
 * identities: email, external id, organization and the organization's external id (where
 * Zendesk's Salesforce integration keeps the Account id). Results are cached per tenant. Only
 * identities are taken: what an event means is never read from the API (a replay must give the
 * same answer as the first run).
 */
import { createRequire } from 'node:module';
import { LRUCache } from 'lru-cache';
import { decideRetry, type RetryDecision } from '../lib/retry-decision.ts';
import { nodeZendeskErrorStatus } from './node-zendesk-status.ts';
import type { Tenant } from '../tenants/tenant-registry.ts';
import { zendeskCredentialsOf } from './settings.ts';
import type { ZendeskDirectoryOrganization, ZendeskDirectoryUser } from './map-common.ts';

// node-zendesk is CommonJS only: a named ESM import fails (docs/development.md).
const zendesk = createRequire(import.meta.url)('node-zendesk') as {
  createClient(o: { username: string; token: string; subdomain: string; endpointUri: string }): ZendeskClient;
};

interface ShowResult {
  response: { status: number; headers: { get(name: string): string | null } };
  result: Record<string, unknown>;
}
interface ZendeskClient {
  users: { show(id: string): Promise<ShowResult> };
  organizations: { show(id: string): Promise<ShowResult> };
}

export interface Directory {
  users: Record<string, ZendeskDirectoryUser>;
  organizations: Record<string, ZendeskDirectoryOrganization>;
}

export interface LookupRequest {
  userIds: readonly string[];
  organizationIds: readonly string[];
}

export type DirectoryResult =
  { ok: true; directory: Directory; skipped: string[] } | { ok: false; decision: RetryDecision };

export interface ZendeskDirectoryOptions {
  /**
   * How long a looked-up user or organization is reused.
   * @defaultValue 600_000 ms
   */
  cacheTtlMs?: number;
  /**
   * Entries kept in the look-up cache.
   * @defaultValue 100_000
   */
  cacheSize?: number;
}

type EntityKind = 'user' | 'organization';
type Entity =
  { kind: 'user'; value: ZendeskDirectoryUser } | { kind: 'organization'; value: ZendeskDirectoryOrganization };

const str = (v: unknown) => (v === null || v === undefined || v === '' ? undefined : String(v));

export class ZendeskDirectory {
  private readonly cache: LRUCache<string, { entity: Entity }>;
  private readonly clients = new Map<string, ZendeskClient>();

  /** Forgets every looked-up user and organization (after an erasure: which entries were the person's is not known). */
  forgetAll(): void {
    this.cache.clear();
  }

  constructor(options: ZendeskDirectoryOptions = {}) {
    this.cache = new LRUCache({ max: options.cacheSize ?? 100_000, ttl: options.cacheTtlMs ?? 600_000 });
  }

  /**
   * Looks up what is not cached. Without API credentials nothing is looked up (`skipped`); a 404 or
   * 401/403 is skipped too (the event keeps the identities its payload has). A rate limit or a
   * transient failure is returned as a retry decision for the caller to wait on.
   */
  async lookup(
    tenant: Tenant,
    wanted: LookupRequest,
    into: Directory = { users: {}, organizations: {} },
  ): Promise<DirectoryResult> {
    const directory = into;
    const skipped: string[] = [];
    const client = this.clientFor(tenant);
    const todo: { kind: EntityKind; id: string }[] = [
      ...[...new Set(wanted.userIds)].map((id) => ({ kind: 'user' as const, id })),
      ...[...new Set(wanted.organizationIds)].map((id) => ({ kind: 'organization' as const, id })),
    ];
    for (const { kind, id } of todo) {
      const key = `${tenant.id}\u0000${kind}\u0000${id}`;
      let entity = this.cache.get(key)?.entity;
      if (!entity) {
        if (!client) {
          skipped.push(`${kind} ${id}: no Zendesk API credentials configured`);
          continue;
        }
        const fetched = await fetchEntity(client, kind, id);
        if ('decision' in fetched) {
          if (fetched.decision.retry) return { ok: false, decision: fetched.decision };
          skipped.push(`${kind} ${id}: ${fetched.decision.reason}`);
          continue;
        }
        entity = fetched.entity;
        this.cache.set(key, { entity });
      }
      if (entity.kind === 'user') directory.users[id] = entity.value;
      else directory.organizations[id] = entity.value;
    }
    return { ok: true, directory, skipped };
  }

  private clientFor(t: Tenant): ZendeskClient | null {
    const credentials = zendeskCredentialsOf(t.zendesk);
    if (!credentials.ok) return null;
    const { subdomain, email, token, baseUrl } = credentials;
    const key = `${t.id}\u0000${baseUrl}\u0000${email}\u0000${token}`;
    let c = this.clients.get(key);
    if (!c) {
      // The tenant's API base (`zendesk.api_url`, ZENDESK_API_URL), not node-zendesk's own from the subdomain.
      c = zendesk.createClient({ username: email, token, subdomain, endpointUri: `${baseUrl}/api/v2` });
      this.clients.set(key, c);
    }
    return c;
  }
}

async function fetchEntity(
  client: ZendeskClient,
  kind: EntityKind,
  id: string,
): Promise<{ entity: Entity } | { decision: RetryDecision }> {
  let res: ShowResult;
  try {
    res = kind === 'user' ? await client.users.show(id) : await client.organizations.show(id);
  } catch (err) {
    return { decision: decideRetry({ status: nodeZendeskErrorStatus(err) }) };
  }
  // A 429 resolves as a value whose result is {statusCode: 429, ...}, and is not retried.
  const status = typeof res.result.statusCode === 'number' ? res.result.statusCode : res.response.status;
  const decision = decideRetry({ status, retryAfter: res.response.headers.get('retry-after') });
  if (decision.reason !== 'ok') return { decision };
  const r = res.result;
  if (kind === 'user')
    return {
      entity: {
        kind,
        value: { email: str(r.email), external_id: str(r.external_id), organization_id: str(r.organization_id) },
      },
    };
  return { entity: { kind, value: { external_id: str(r.external_id) } } };
}
