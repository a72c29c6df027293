/**
 * Authenticated Salesforce sessions per tenant for REST calls outside the subscription: re-reading
 * records a GAP change event named, describing a status field, naming the user who made a change.
 * Sessions are opened on demand from the tenant's stored settings and kept while the settings stay
 * the same.
 */
import { createHash } from 'node:crypto';
import type { Tenant } from '../connector/tenants/tenant-registry.ts';
import { decideRetry } from '../connector/lib/retry-decision.ts';
import { SalesforceConnectionFactory, type SalesforceSession } from './connection.ts';
import { LRUCache } from 'lru-cache';
import type { SalesforceDescriber, SalesforceRecordReader, SalesforceUserNames } from './source.ts';
import { connectionSettingsOf, type SalesforceSettingsStore } from './tenant-settings.ts';
import { StandingError } from '../connector/lib/errors.ts';

export type SessionResult = { ok: true; session: SalesforceSession } | { ok: false; unavailable: string };

/**
 * One place that makes the tenants' sessions: the settings store and a connection factory that keeps
 * rotated refresh tokens (sealed) in the settings.
 */
export function salesforceSessions(
  settings: SalesforceSettingsStore,
  logger?: import('pino').Logger,
): { sessions: SalesforceTenantSessions; connections: SalesforceConnectionFactory } {
  const connections = new SalesforceConnectionFactory({
    // Salesforce may rotate the refresh token at each refresh: keep the one in force.
    onTokens: async (tenant, tokens) => {
      if (tokens.refreshToken) await settings.rotateRefreshToken(tenant, tokens.refreshToken);
    },
    ...(logger ? { logger } : {}),
  });
  return { sessions: new SalesforceTenantSessions(settings, connections), connections };
}

export class SalesforceTenantSessions {
  private readonly sessions = new Map<string, { fingerprint: string; session: Promise<SessionResult> }>();

  constructor(
    private readonly settings: SalesforceSettingsStore,
    private readonly connections: SalesforceConnectionFactory,
  ) {}

  /** The tenant's jsforce connection, or null when it has no working Salesforce connection. */
  async connection(tenant: string): Promise<SalesforceSession['connection'] | null> {
    const s = await this.session(tenant);
    return s.ok ? s.session.connection : null;
  }

  /** The tenant's session, or why there is none (no complete settings, or sign-in refused). */
  async session(tenant: string): Promise<SessionResult> {
    const stored = await this.settings.get(tenant);
    if (!stored) return { ok: false, unavailable: 'no Salesforce connection configured' };
    const wanted = connectionSettingsOf(stored);
    if (!wanted.ok) return { ok: false, unavailable: `Salesforce connection incomplete: ${wanted.missing} missing` };
    const fingerprint = createHash('sha256').update(JSON.stringify(wanted.settings)).digest('hex');
    const known = this.sessions.get(tenant);
    if (known?.fingerprint === fingerprint) return known.session;
    const session = this.connections
      .connect(tenant, wanted.settings)
      .then((r): SessionResult =>
        r.ok ? { ok: true, session: r.value } : { ok: false, unavailable: r.error.message },
      );
    this.sessions.set(tenant, { fingerprint, session });
    const result = await session;
    if (!result.ok) this.sessions.delete(tenant);
    return result;
  }
}

/** How long one REST call may take before it counts as unavailable: a stalled provider must not stall a batch. */
export const SALESFORCE_REST_TIMEOUT_MS = 20_000;

export class SalesforceTimeoutError extends StandingError {
  override name = 'SalesforceTimeoutError';
}

function withTimeout<T>(call: Promise<T>, what: string, ms = SALESFORCE_REST_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new SalesforceTimeoutError(`Salesforce did not answer ${what} within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
}

interface JsforceError {
  errorCode?: string;
  name?: string;
  statusCode?: number;
}

/** Re-reads records through the REST sObject Collections API (one call per object and batch). */
export function jsforceRecordReader(sessions: SalesforceTenantSessions): SalesforceRecordReader {
  return {
    async read(tenant: Tenant, object, ids, fields) {
      const s = await sessions.session(tenant.id);
      if (!s.ok) return { ok: false, unavailable: s.unavailable };
      try {
        const records = (await withTimeout(
          s.session.connection.retrieve(object, [...ids], { fields: [...new Set(['Id', ...fields])] }),
          `the re-read of ${object}`,
        )) as (Record<string, unknown> | null)[];
        return { ok: true, records: new Map(ids.map((id, i) => [id, records[i] ?? null])) };
      } catch (err) {
        if (err instanceof SalesforceTimeoutError) return { ok: false, decision: decideRetry({ status: null }) };
        const e = err as JsforceError;
        const status =
          typeof e.statusCode === 'number'
            ? e.statusCode
            : e.errorCode === 'REQUEST_LIMIT_EXCEEDED'
              ? 403
              : e.errorCode
                ? 400
                : null;
        return { ok: false, decision: decideRetry({ status, errorCode: e.errorCode ?? null }) };
      }
    },
  };
}

/** Describes an object through the tenant's session; null when there is no session or the call fails. */
export function jsforceDescriber(sessions: SalesforceTenantSessions): SalesforceDescriber {
  return async (tenant, object) => {
    const s = await sessions.session(tenant);
    if (!s.ok) return null;
    try {
      const described = await withTimeout(s.session.connection.describe(object), `the describe of ${object}`);
      return described.fields.map((f) => ({ name: f.name, calculated: f.calculated }));
    } catch {
      return null;
    }
  };
}

const SALESFORCE_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/**
 * Users' names through the tenant's session (one SOQL query per batch for the ids not cached),
 * cached for `ttlMs`: the name completes the actor's identity, it decides nothing.
 */
export function jsforceUserNames(sessions: SalesforceTenantSessions, ttlMs = 3_600_000): SalesforceUserNames {
  const cache = new LRUCache<string, { name: string | null }>({ max: 50_000, ttl: ttlMs });
  return async (tenant, ids) => {
    const out = new Map<string, string>();
    const missing: string[] = [];
    for (const id of ids) {
      const hit = cache.get(`${tenant}\u0000${id}`);
      if (hit) {
        if (hit.name) out.set(id, hit.name);
      } else if (SALESFORCE_ID.test(id)) missing.push(id);
    }
    if (missing.length === 0) return out;
    const s = await sessions.session(tenant);
    if (!s.ok) return out;
    // Ids are checked against the id pattern above, so they are safe inside the SOQL literal list.
    const soql = `SELECT Id, Name FROM User WHERE Id IN (${missing.map((id) => `'${id}'`).join(',')})`;
    const result = await withTimeout(
      Promise.resolve(s.session.connection.query<{ Id: string; Name: string }>(soql)),
      'the user name look-up',
    );
    const found = new Map(result.records.map((r) => [r.Id.slice(0, 15), r.Name]));
    for (const id of missing) {
      const name = found.get(id.slice(0, 15)) ?? null;
      cache.set(`${tenant}\u0000${id}`, { name });
      if (name) out.set(id, name);
    }
    return out;
  };
}
