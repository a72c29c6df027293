/**
 * Turns a batch of accepted inbox events into log entries: loads them, applies each tenant's
 * current mapping (enriching identities from the provider's API where the payload lacks them),
 * appends every resulting standing event in one log batch, and records the outcome of each inbox
 * row (stored, ignored, quarantined). Safe to run twice on the same keys: the log dedupes on the
 * source event id and settled rows are not loaded again.
 */
import type { NewStandingEvent } from '../model/standing-event.ts';
import type { StandingLog } from '../store/standing-log.ts';
import type { MappingVersion, TenantRegistry, Tenant } from '../tenants/tenant-registry.ts';
import type { ZendeskDirectory, Directory, LookupRequest } from '../zendesk/zendesk-directory.ts';
import { DEFAULT_ZENDESK_MAPPING, parseMappingDocument, type ZendeskMapping } from '../zendesk/mapping-document.ts';
import { identityLookupsFor, mapZendeskWebhook } from '../zendesk/map-event.ts';
import { fieldChangeOf, fieldScopeOf } from '../zendesk/field-changes.ts';
import type { FieldFact } from '../zendesk/map-common.ts';
import { inboxKeyString, type InboxKey, type IntakeInbox, type PendingInboxRow, type Settlement } from './intake-inbox.ts';

export interface IntakeDeps {
  log: StandingLog;
  inbox: IntakeInbox;
  tenants: TenantRegistry;
  directory: ZendeskDirectory;
  /**
   * How long after its arrival a status change that needs a companion of the same update (its
   * reason or approval field, sent by Zendesk as a separate event with the same time, in either
   * order) waits for it before it is mapped without it.
   * @defaultValue DEFAULT_COMPANION_WAIT_MS (10 s)
   */
  companionWaitMs?: number;
  /** The clock (tests). @defaultValue Date.now */
  now?: () => number;
}

export const DEFAULT_COMPANION_WAIT_MS = 10_000;

/** The provider asked us to slow down: nothing of the batch was written; retry after `waitMs`. */
export class ProviderRateLimitedError extends Error {
  override name = 'ProviderRateLimitedError';
  constructor(
    readonly waitMs: number,
    message: string,
    /** The tenant whose provider account is limited (limits are per account), when known. */
    readonly tenant?: string,
  ) {
    super(message);
  }
}

/** A transient provider failure (5xx, network): the batch is retried with backoff. */
export class ProviderUnavailableError extends Error {
  override name = 'ProviderUnavailableError';
}

export interface BatchSummary {
  stored: number;
  duplicates: number;
  ignored: number;
  quarantined: number;
  /** Rows left pending to wait for a companion event: key string -> when to try again (epoch ms). */
  deferred: Map<string, number>;
  skippedLookups: string[];
}

export const emptySummary = (): BatchSummary => ({ stored: 0, duplicates: 0, ignored: 0, quarantined: 0, deferred: new Map(), skippedLookups: [] });

interface TenantContext {
  tenant: Tenant | null;
  mapping: { ok: true; mapping: ZendeskMapping; version: number } | { ok: false; version: number | null; message: string };
}

export async function processIntakeBatch(deps: IntakeDeps, keys: readonly InboxKey[]): Promise<BatchSummary> {
  const rows = await deps.inbox.load(keys);
  const summary = emptySummary();
  if (rows.length === 0) return summary;
  const now = (deps.now ?? Date.now)();
  const waitMs = deps.companionWaitMs ?? DEFAULT_COMPANION_WAIT_MS;

  // Every reported field value goes into the field-value history first, whatever its row becomes:
  // a status change of this batch or a later one reads its reason or approval from there.
  const fieldsByTenant = new Map<string, NonNullable<ReturnType<typeof fieldChangeOf>>[]>();
  for (const row of rows) {
    const change = row.source === 'zendesk' ? fieldChangeOf(row.body) : null;
    if (change) fieldsByTenant.set(row.tenant, [...(fieldsByTenant.get(row.tenant) ?? []), change]);
  }
  for (const [tenant, changes] of fieldsByTenant) await deps.log.fieldValues.record(tenant, 'zendesk', changes);
  const scopes = rows.map((row) => (row.source === 'zendesk' ? fieldScopeOf(row.body) : null));
  const wanted = scopes.flatMap((s, i) => (s ? [{ i, scope: { tenant: rows[i]!.tenant, source: 'zendesk', ...s } }] : []));
  const facts = await deps.log.fieldValues.asOf(wanted.map((w) => w.scope));
  const factsOf = new Map<number, FieldFact[]>(wanted.map((w, j) => [w.i, facts[j]!]));

  const contexts = new Map<string, TenantContext>();
  for (const tenant of new Set(rows.map((r) => r.tenant))) contexts.set(tenant, await tenantContext(deps, tenant));

  const directories = new Map<string, Directory>();
  for (const [tenantId, ctx] of contexts) {
    if (!ctx.tenant || !ctx.mapping.ok) continue;
    const directory = await lookUpIdentities(deps, ctx.tenant, ctx.mapping.mapping, rows.filter((r) => r.tenant === tenantId), summary);
    directories.set(tenantId, directory);
  }

  const settlements: Settlement[] = [];
  const events: NewStandingEvent[] = [];
  const storedRows: { row: PendingInboxRow; version: number; from: number; to: number }[] = [];
  rows.forEach((row, index) => {
    const key = { tenant: row.tenant, source: row.source, event_id: row.event_id };
    const ctx = contexts.get(row.tenant)!;
    if (!ctx.tenant) {
      settlements.push({ ...key, state: 'quarantined', outcome: { reason: 'tenant_not_found', problems: [] }, mapping_version: null });
      return;
    }
    if (!ctx.mapping.ok) {
      settlements.push({ ...key, state: 'quarantined', outcome: { reason: 'invalid_mapping', problems: [{ path: '(mapping)', message: ctx.mapping.message }] }, mapping_version: ctx.mapping.version });
      return;
    }
    const retryAt = Date.parse(row.received_at) + waitMs;
    const result = mapZendeskWebhook({
      tenant: row.tenant,
      body: row.body,
      mapping: ctx.mapping.mapping,
      subdomain: ctx.tenant.zendesk.subdomain ?? undefined,
      invocationId: row.meta.invocation_id,
      receivedAt: row.received_at,
      directory: directories.get(row.tenant),
      fieldsAsOf: factsOf.get(index) ?? [],
      // Measured from the delivery's arrival, so a replay (long after) never waits.
      mayWait: now < retryAt,
    });
    const version = ctx.mapping.version;
    if (result.outcome === 'wait') {
      summary.deferred.set(inboxKeyString(key), retryAt);
    } else if (result.outcome === 'events' && result.events.length > 0) {
      storedRows.push({ row, version, from: events.length, to: events.length + result.events.length });
      events.push(...result.events);
    } else if (result.outcome === 'events' || result.outcome === 'ignored') {
      settlements.push({ ...key, state: 'ignored', outcome: { reason: result.outcome === 'ignored' ? result.reason : 'no_events' }, mapping_version: version });
    } else {
      const reason = result.outcome === 'invalid' ? 'invalid_payload' : result.reason;
      settlements.push({ ...key, state: 'quarantined', outcome: { reason, problems: result.problems }, mapping_version: version });
    }
  });

  const outcomes = await deps.log.append(events);
  for (const s of storedRows) {
    const mine = outcomes.slice(s.from, s.to);
    const duplicates = mine.filter((o) => o.status === 'duplicate').length;
    summary.stored += mine.length - duplicates;
    summary.duplicates += duplicates;
    settlements.push({
      tenant: s.row.tenant,
      source: s.row.source,
      event_id: s.row.event_id,
      state: 'stored',
      outcome: { seqs: mine.map((o) => o.seq), duplicates },
      mapping_version: s.version,
    });
  }
  for (const st of settlements) {
    if (st.state === 'ignored') summary.ignored++;
    if (st.state === 'quarantined') summary.quarantined++;
  }
  await deps.inbox.settle(settlements);
  return summary;
}

/** A user's organization is known only once the user is: look-ups go in rounds until nothing new is asked. */
const MAX_LOOKUP_ROUNDS = 3;

async function lookUpIdentities(deps: IntakeDeps, tenant: Tenant, mapping: ZendeskMapping, rows: readonly PendingInboxRow[], summary: BatchSummary): Promise<Directory> {
  const directory: Directory = { users: {}, organizations: {} };
  const asked = new Set<string>();
  for (let round = 0; round < MAX_LOOKUP_ROUNDS; round++) {
    const wanted: LookupRequest = { userIds: [], organizationIds: [] };
    for (const r of rows) {
      const w = identityLookupsFor(tenant.id, r.body, mapping, directory);
      for (const [list, kind, ids] of [[wanted.userIds, 'user', w.userIds], [wanted.organizationIds, 'organization', w.organizationIds]] as const) {
        for (const id of ids) {
          if (asked.has(`${kind}:${id}`)) continue;
          asked.add(`${kind}:${id}`);
          (list as string[]).push(id);
        }
      }
    }
    if (wanted.userIds.length + wanted.organizationIds.length === 0) break;
    const looked = await deps.directory.lookup(tenant, wanted, directory);
    if (!looked.ok) {
      const d = looked.decision;
      if (d.reason === 'rate_limited') throw new ProviderRateLimitedError(d.wait ?? 60_000, `Zendesk rate limit for tenant ${tenant.id}`, tenant.id);
      throw new ProviderUnavailableError(`Zendesk look-up failed for tenant ${tenant.id}: ${d.reason}`);
    }
    summary.skippedLookups.push(...looked.skipped);
  }
  return directory;
}

// Parsed once per stored version: the registry hands out the same MappingVersion object while it
// caches it, so batches do not re-validate the document each time.
const parsedMappings = new WeakMap<MappingVersion, ReturnType<typeof parseMappingDocument>>();

async function tenantContext(deps: IntakeDeps, tenantId: string): Promise<TenantContext> {
  const tenant = await deps.tenants.get(tenantId);
  const current = await deps.tenants.currentMapping(tenantId, 'zendesk');
  if (!current) return { tenant, mapping: { ok: true, mapping: DEFAULT_ZENDESK_MAPPING, version: 0 } };
  let parsed = parsedMappings.get(current);
  if (!parsed) {
    parsed = parseMappingDocument(current.document);
    parsedMappings.set(current, parsed);
  }
  if (!parsed.ok) return { tenant, mapping: { ok: false, version: current.version, message: parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ') } };
  return { tenant, mapping: { ok: true, mapping: parsed.mapping, version: current.version } };
}

// Kept importable from here; processIntakeBatchIsolating is in process-isolating.ts.
export { isRefusedData } from '../store/database-errors.ts';
