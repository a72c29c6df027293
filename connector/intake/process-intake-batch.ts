/**
 * Turns a batch of accepted inbox events into log entries: loads them, hands each tenant's rows of
 * each source to that source (intake-source.ts) with the tenant's current mapping, appends every
 * resulting standing event in one log batch, and records the outcome of each inbox row (stored,
 * ignored, quarantined; or left pending to wait for a companion event). Safe to run twice on the
 * same keys: the log dedupes on the source event id and settled rows are not loaded again.
 */
import type { NewStandingEvent } from '../model/standing-event.ts';
import type { StandingLog } from '../store/standing-log.ts';
import type { MappingVersion, TenantRegistry, Tenant } from '../tenants/tenant-registry.ts';
import type { SourceName } from '../model/standing-event.ts';
import {
  inboxKeyString,
  type InboxKey,
  type IntakeInbox,
  type PendingInboxRow,
  type Settlement,
} from './intake-inbox.ts';
import type { AnySource, MappingCheck, RowOutcome, Sources } from './intake-source.ts';
import { problemsText } from '../lib/problems.ts';

export { ProviderRateLimitedError, ProviderUnavailableError } from './provider-errors.ts';

export interface IntakeDeps {
  log: StandingLog;
  inbox: IntakeInbox;
  tenants: TenantRegistry;
  /** The sources this deployment serves (Zendesk, Salesforce), by name. */
  sources: Sources;
  /** The clock (tests). @defaultValue Date.now */
  now?: () => number;
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

export const emptySummary = (): BatchSummary => ({
  stored: 0,
  duplicates: 0,
  ignored: 0,
  quarantined: 0,
  deferred: new Map(),
  skippedLookups: [],
});

type MappingInForce =
  { ok: true; mapping: unknown; version: number } | { ok: false; version: number | null; message: string };

export async function processIntakeBatch(deps: IntakeDeps, keys: readonly InboxKey[]): Promise<BatchSummary> {
  const rows = await deps.inbox.load(keys);
  const summary = emptySummary();
  if (rows.length === 0) return summary;
  const now = (deps.now ?? Date.now)();

  const settlements: Settlement[] = [];
  const events: NewStandingEvent[] = [];
  const storedRows: { row: PendingInboxRow; version: number; from: number; to: number }[] = [];
  for (const group of groupRows(rows)) {
    const keyOf = (row: PendingInboxRow) => ({ tenant: row.tenant, source: row.source, event_id: row.event_id });
    const quarantineAll = (
      outcome: { reason: string; problems: { path: string; message: string }[] },
      version: number | null,
    ) => {
      for (const row of group.rows)
        settlements.push({ ...keyOf(row), state: 'quarantined', outcome, mapping_version: version });
    };
    const source = deps.sources.get(group.source);
    if (!source) {
      quarantineAll(
        {
          reason: 'source_not_served',
          problems: [{ path: 'source', message: `this deployment does not serve ${group.source}` }],
        },
        null,
      );
      continue;
    }
    const tenant = await deps.tenants.get(group.tenant);
    if (!tenant) {
      quarantineAll({ reason: 'tenant_not_found', problems: [] }, null);
      continue;
    }
    const inForce = await mappingInForce(deps, source, tenant);
    if (!inForce.ok) {
      quarantineAll(
        { reason: 'invalid_mapping', problems: [{ path: '(mapping)', message: inForce.message }] },
        inForce.version,
      );
      continue;
    }
    const mapped = await source.mapRows({ tenant, mapping: inForce.mapping, rows: group.rows, now });
    summary.skippedLookups.push(...(mapped.skipped ?? []));
    group.rows.forEach((row, i) => {
      const result: RowOutcome = mapped.outcomes[i] ?? {
        outcome: 'invalid',
        problems: [{ path: '(row)', message: 'the source returned no outcome for this row' }],
      };
      const key = keyOf(row);
      const version = inForce.version;
      if (result.outcome === 'wait') {
        summary.deferred.set(inboxKeyString(key), result.retryAt);
      } else if (result.outcome === 'events' && result.events.length > 0) {
        storedRows.push({ row, version, from: events.length, to: events.length + result.events.length });
        events.push(...result.events);
      } else if (result.outcome === 'events' || result.outcome === 'ignored') {
        settlements.push({
          ...key,
          state: 'ignored',
          outcome: { reason: result.outcome === 'ignored' ? result.reason : 'no_events' },
          mapping_version: version,
        });
      } else {
        const reason = result.outcome === 'invalid' ? 'invalid_payload' : result.reason;
        settlements.push({
          ...key,
          state: 'quarantined',
          outcome: { reason, problems: result.problems },
          mapping_version: version,
        });
      }
    });
  }

  const outcomes = await deps.log.append(events);
  for (const s of storedRows) {
    const mine = outcomes.slice(s.from, s.to);
    const duplicates = mine.filter((o) => o.status === 'duplicate').length;
    // The same status change already recorded by reconciliation under its own id (transition-matching.ts).
    const sameTransition = mine.filter((o) => o.status === 'duplicate' && o.same_transition !== undefined).length;
    summary.stored += mine.length - duplicates;
    summary.duplicates += duplicates;
    settlements.push({
      tenant: s.row.tenant,
      source: s.row.source,
      event_id: s.row.event_id,
      state: 'stored',
      outcome: {
        seqs: mine.map((o) => o.seq),
        duplicates,
        ...(sameTransition > 0 ? { recorded_by_reconciliation: sameTransition } : {}),
      },
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

/** Rows by tenant and source, each group in the batch's order. */
function groupRows(
  rows: readonly PendingInboxRow[],
): { tenant: string; source: SourceName; rows: PendingInboxRow[] }[] {
  const groups = new Map<string, { tenant: string; source: SourceName; rows: PendingInboxRow[] }>();
  for (const row of rows) {
    const k = `${row.tenant}\u0000${row.source}`;
    const g = groups.get(k) ?? { tenant: row.tenant, source: row.source, rows: [] };
    g.rows.push(row);
    groups.set(k, g);
  }
  return [...groups.values()];
}

// Parsed once per stored version: the registry hands out the same MappingVersion object while it
// caches it, so batches do not re-validate the document each time.
const parsedMappings = new WeakMap<MappingVersion, MappingCheck<unknown>>();
const parsedDefaults = new WeakMap<AnySource, MappingCheck<unknown>>();

/** The tenant's current mapping for a source (its default when none was set), validated by the source. */
async function mappingInForce(deps: IntakeDeps, source: AnySource, tenant: Tenant): Promise<MappingInForce> {
  const current = await deps.tenants.currentMapping(tenant.id, source.name);
  if (!current) {
    let fallback = parsedDefaults.get(source);
    if (!fallback) {
      fallback = source.parseMapping(source.defaultMappingDocument);
      parsedDefaults.set(source, fallback);
    }
    if (!fallback.ok)
      throw new Error(`the built-in ${source.name} mapping is invalid: ${JSON.stringify(fallback.problems)}`);
    return { ok: true, mapping: fallback.mapping, version: 0 };
  }
  let parsed = parsedMappings.get(current);
  if (!parsed) {
    parsed = source.parseMapping(current.document);
    parsedMappings.set(current, parsed);
  }
  if (!parsed.ok)
    return {
      ok: false,
      version: current.version,
      message: problemsText(parsed.problems),
    };
  return { ok: true, mapping: parsed.mapping, version: current.version };
}

// Kept importable from here; processIntakeBatchIsolating is in process-isolating.ts.
export { isRefusedData } from '../store/database-errors.ts';
