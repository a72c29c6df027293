/**
 * Reconciles one tenant's Salesforce org with the log, per mapped object (Account, Contact):
 *
 * 1. `<Object>History` of the status field from the checkpoint (minus a lookback) to a bounded upper
 *    edge (now minus a settle time): each row is a real transition, with who and when, appended
 *    under the source event id `history:<history row Id>`.
 * 2. `/queryAll` of the records by SystemModstamp over the same range: a current state (a soft
 *    delete: `IsDeleted`) that disagrees with the log's latest Salesforce entry and that no history
 *    row explained is appended as `status_observed`.
 *
 * A run stops (state `partial`, resumed next run) once the org's API usage is above the configured
 * share of its daily quota, as read before the first page (the limits resource) and after each
 * answer. See connector/reconciliation/page-loop.ts for checkpoints and
 * connector/store/transition-matching.ts for the race with change events and Outbound Messages.
 */
import type { Connection } from 'jsforce';
import {
  parseStandingEvent,
  type NewStandingEvent,
  type NewStandingEventInput,
} from '../connector/model/standing-event.ts';
import type { StandingLog } from '../connector/store/standing-log.ts';
import type { TenantRegistry } from '../connector/tenants/tenant-registry.ts';
import {
  DEFAULT_SALESFORCE_MAPPING,
  outcomeOf,
  parseSalesforceMapping,
  type SalesforceMapping,
  type SalesforceObjectRule,
} from './mapping-document.ts';
import {
  SalesforceHistoryReader,
  type HistoryReaderOptions,
  type HistoryRow,
  type SalesforceObject,
  type SoqlPosition,
} from './history-reader.ts';
import { findingsOf, type ObservedState } from '../connector/reconciliation/findings.ts';
import { DEFAULT_TRANSITION_TOLERANCE_MS, type TransitionWindow } from '../connector/store/transition-matching.ts';
import { runStreamLoop, type PageRead, type StreamEnd } from '../connector/reconciliation/page-loop.ts';
import {
  emptyCounters,
  type ReconciliationStore,
  type RunCounters,
  type RunState,
} from '../connector/reconciliation/reconciliation-store.ts';
import {
  DEFAULT_RECONCILE_OPTIONS,
  type ReconcileOptions,
  type RunResult,
} from '../connector/reconciliation/reconcile-run.ts';
import type { ScheduledReconciler } from '../connector/reconciliation/scheduled-reconciler.ts';

export interface SalesforceReconcileOptions extends ReconcileOptions, HistoryReaderOptions {
  /** Each run re-reads this far before its checkpoint (late commits); repeats are deduplicated. @defaultValue 5 min */
  lookbackMs?: number;
  /**
   * The upper edge of a run's range is this far before now, so in-flight transactions are complete.
   * @defaultValue 60 s
   */
  settleMs?: number;
}

export const DEFAULT_SALESFORCE_RECONCILE_OPTIONS = { lookbackMs: 5 * 60_000, settleMs: 60_000 } as const;

export interface SalesforceReconcilerDeps {
  log: StandingLog;
  store: ReconciliationStore;
  tenants: Pick<TenantRegistry, 'currentMapping'>;
  /** @defaultValue Date.now */
  now?: () => number;
}

export async function salesforceMappingOf(
  tenants: Pick<TenantRegistry, 'currentMapping'>,
  tenant: string,
): Promise<SalesforceMapping> {
  const current = await tenants.currentMapping(tenant, 'salesforce');
  if (!current) return DEFAULT_SALESFORCE_MAPPING;
  const parsed = parseSalesforceMapping(current.document);
  if (!parsed.ok)
    throw new Error(`tenant ${tenant}: the Salesforce mapping in force (version ${current.version}) does not parse`);
  return parsed.mapping;
}

/**
 * @param conn the tenant's authenticated jsforce Connection (salesforce/connection.ts), or one from
 *   `connectionFor` in salesforce/history-reader.ts.
 */
export async function reconcileSalesforce(
  deps: SalesforceReconcilerDeps,
  tenant: string,
  conn: Connection,
  options: SalesforceReconcileOptions = {},
): Promise<RunResult> {
  const o = {
    ...DEFAULT_RECONCILE_OPTIONS,
    ...DEFAULT_SALESFORCE_RECONCILE_OPTIONS,
    trigger: 'schedule' as const,
    ...options,
  };
  const now = (deps.now ?? Date.now)();
  const counters = emptyCounters();
  const id = await deps.store.startRun(tenant, 'salesforce', o.trigger);
  const reader = new SalesforceHistoryReader(conn, o);
  const shouldStop = () => o.shouldStop?.() ?? reader.quotaStop();
  let state: RunState = 'completed';
  try {
    const mapping = await salesforceMappingOf(deps.tenants, tenant);
    // Decide on today's figure: asked of Salesforce now, never one the long-lived connection kept.
    await reader.readQuota();
    const until = new Date(now - o.settleMs).toISOString();
    const since = o.since?.toISOString();
    const suffix = o.since ? '@backfill' : '';
    const objects = (['Account', 'Contact'] as const).flatMap((object) => {
      const rule = object === 'Account' ? mapping.account : mapping.contact;
      return rule ? [{ object, rule }] : [];
    });
    outer: for (const { object, rule } of objects) {
      const streams = [
        {
          stream: `${object}History${suffix}`,
          read: (p: SoqlPosition) => readHistory(tenant, mapping, object, rule, reader, conn, p, counters),
        },
        {
          stream: `${object}${suffix}`,
          read: (p: SoqlPosition) => readStates(deps, tenant, object, rule, reader, conn, p, counters),
        },
      ];
      for (const s of streams) {
        const saved = await deps.store.checkpoint<{ since: string; backfill_since?: string }>(
          tenant,
          'salesforce',
          s.stream,
        );
        const resumeAt =
          saved && (!since || saved.backfill_since === since)
            ? new Date(Date.parse(saved.since) - o.lookbackMs).toISOString()
            : undefined;
        const start: SoqlPosition = {
          since: resumeAt ?? since ?? new Date(now - o.initialLookbackMs).toISOString(),
          until,
        };
        if (start.since >= start.until) continue;
        const end: StreamEnd = await runStreamLoop<SoqlPosition>({
          log: deps.log,
          store: deps.store,
          tenant,
          source: 'salesforce',
          stream: s.stream,
          start,
          counters,
          maxPages: o.maxPages,
          shouldStop,
          read: s.read,
          checkpointOf: (p) => ({ since: p.since, ...(since ? { backfill_since: since } : {}) }),
          afterPage: async (page) => {
            o.onProgress?.({ stream: s.stream, counters, endOfStream: page.endOfStream, latestAt: page.next.since });
            await deps.store.updateRun(id, 'running', counters);
          },
        });
        if (end === 'failed') state = 'failed';
        else if (end !== 'end_of_stream') state = 'partial';
        if (end !== 'end_of_stream') break outer; // never go on after an error or a quota stop
      }
    }
  } catch (err) {
    counters.errors.push({ stream: '*', message: (err as Error).message });
    await deps.store.updateRun(id, 'failed', counters).catch(() => undefined);
    throw err;
  }
  await deps.store.updateRun(id, state, counters);
  return { id, state, counters };
}

const text = (v: unknown) => (v === null || v === undefined ? undefined : String(v));

function subjectOf(
  object: SalesforceObject,
  recordId: string,
  accountId?: string,
): Pick<NewStandingEventInput, 'customer' | 'account'> {
  if (object === 'Account') return { customer: { salesforce_account_id: recordId } };
  return {
    customer: { salesforce_contact_id: recordId },
    ...(accountId ? { account: { salesforce_account_id: accountId } } : {}),
  };
}

async function readHistory(
  tenant: string,
  mapping: SalesforceMapping,
  object: SalesforceObject,
  rule: SalesforceObjectRule,
  reader: SalesforceHistoryReader,
  conn: Connection,
  p: SoqlPosition,
  counters: RunCounters,
): Promise<PageRead<SoqlPosition>> {
  const r = await reader.historyPage(object, rule.status_field, p);
  if (!r.ok) return { ok: false, message: r.message };
  const events: { event: NewStandingEvent; window: TransitionWindow }[] = [];
  for (const row of r.rows) {
    const built = transitionEvent(tenant, mapping, object, rule, conn.instanceUrl, row);
    if (built === null) continue;
    if ('problem' in built)
      counters.errors.push({ stream: `${object}History`, message: `history row ${row.Id}: ${built.problem}` });
    else {
      const t = Date.parse(built.event.occurred_at);
      events.push({
        event: built.event,
        window: {
          from: new Date(t - DEFAULT_TRANSITION_TOLERANCE_MS).toISOString(),
          to: new Date(t + DEFAULT_TRANSITION_TOLERANCE_MS).toISOString(),
        },
      });
    }
  }
  return { ok: true, page: { events, records: r.rows.length, next: r.next, endOfStream: r.done } };
}

/** A history row as a transition: who (automation users are `automatic`) and when, as Salesforce recorded them. */
export function transitionEvent(
  tenant: string,
  mapping: SalesforceMapping,
  object: SalesforceObject,
  rule: SalesforceObjectRule,
  instanceUrl: string,
  row: HistoryRow,
): { event: NewStandingEvent } | { problem: string } | null {
  const after = text(row.NewValue) === undefined ? undefined : outcomeOf(rule, text(row.NewValue)!);
  if (!after) return { problem: `${rule.status_field} value ${JSON.stringify(row.NewValue)} is not in the mapping` };
  const before = text(row.OldValue) === undefined ? undefined : outcomeOf(rule, text(row.OldValue)!);
  if (before?.status === after.status) return null;
  const automatic =
    row.CreatedById !== null &&
    mapping.initiator.automation_user_ids.some((u) => u.slice(0, 15) === row.CreatedById!.slice(0, 15));
  const initiation = {
    type: row.CreatedById === null ? ('unknown' as const) : automatic ? ('automatic' as const) : ('manual' as const),
    temporary: after.temporary,
  };
  const parsed = parseStandingEvent({
    tenant,
    kind: after.status === 'active' ? 'reinstatement' : 'deactivation',
    status: { before: before?.status ?? null, after: after.status },
    initiation,
    ...(after.reasonCode ? { reason: { code: after.reasonCode } } : {}),
    actor:
      row.CreatedById === null
        ? { type: 'unknown' }
        : { type: automatic ? 'integration' : 'agent', id: row.CreatedById },
    source: {
      system: 'salesforce',
      object,
      id: row.ParentId,
      url: `${instanceUrl}/${row.ParentId}`,
      event_id: `history:${row.Id}`,
    },
    detected_via: 'reconciliation',
    ...subjectOf(object, row.ParentId),
    occurred_at: row.CreatedDate,
    evidence: { found_by: 'reconciliation', salesforce_history_id: row.Id },
  });
  return parsed.ok
    ? { event: parsed.value }
    : { problem: parsed.problems.map((x) => `${x.path}: ${x.message}`).join('; ') };
}

async function readStates(
  deps: SalesforceReconcilerDeps,
  tenant: string,
  object: SalesforceObject,
  rule: SalesforceObjectRule,
  reader: SalesforceHistoryReader,
  conn: Connection,
  p: SoqlPosition,
  counters: RunCounters,
): Promise<PageRead<SoqlPosition>> {
  const r = await reader.statePage(
    object,
    object === 'Contact' ? [rule.status_field, 'AccountId'] : [rule.status_field],
    p,
  );
  if (!r.ok) return { ok: false, message: r.message };
  const states: ObservedState[] = [];
  for (const row of r.rows) {
    const value = text(row.fields[rule.status_field]);
    const outcome =
      row.IsDeleted && rule.map_deletes
        ? { status: 'deleted' as const, reasonCode: rule.deleted_reason_code, temporary: false }
        : value === undefined
          ? undefined
          : outcomeOf(rule, value);
    if (!outcome) continue; // no value, or one the mapping does not know: no signal (the change path quarantines it)
    states.push({
      key: row.Id,
      status: outcome.status,
      ...(outcome.reasonCode ? { reasonCode: outcome.reasonCode } : {}),
      temporary: outcome.temporary,
      observedAt: row.SystemModstamp,
      describe: () => ({
        ...subjectOf(object, row.Id, text(row.fields.AccountId)),
        source: { system: 'salesforce', object, id: row.Id, url: `${conn.instanceUrl}/${row.Id}` },
      }),
    });
  }
  const digestOf = (s: ObservedState) =>
    deps.log.subjects.digests(
      tenant,
      object === 'Account' ? { salesforce_account_id: s.key } : { salesforce_contact_id: s.key },
    )[0]!;
  const differing = await deps.store.disagreements(
    tenant,
    'salesforce',
    states.map((s) => ({ k: s.key, status: s.status, digest: digestOf(s) })),
  );
  const { findings, problems } = findingsOf(tenant, states, differing);
  for (const x of problems)
    counters.errors.push({
      stream: object,
      message: `record ${x.key}: ${x.problems.map((y) => y.message).join('; ')}`,
    });
  return { ok: true, page: { events: findings, records: r.rows.length, next: r.next, endOfStream: r.done } };
}

/**
 * Salesforce's part in scheduled reconciliation: every tenant for which `connectionFor` gives an
 * authenticated connection (the tenant's kept session, salesforce/tenant-sessions.ts) is reconciled.
 */
export function salesforceScheduledReconciler(
  connectionFor: (tenant: string) => Promise<Connection | null>,
  options: Pick<SalesforceReconcileOptions, 'maxQuotaShare'> = {},
): ScheduledReconciler {
  return {
    source: 'salesforce',
    covers: async (t) => Boolean(await connectionFor(t.id).catch(() => null)),
    run: async (t, { log, store, tenants, maxPages }) => {
      const conn = await connectionFor(t.id);
      if (!conn) return null;
      return reconcileSalesforce({ log, store, tenants }, t.id, conn, { ...options, maxPages });
    },
  };
}
