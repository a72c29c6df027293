/**
 * Reconciles one tenant's Zendesk account with the log: the users cursor export (which also
 * catches `suspended`, which no webhook reports) and the organizations export, each from its
 * checkpoint to the end of the stream. See connector/reconciliation/page-loop.ts for the checkpoint
 * rule and connector/store/transition-matching.ts for how a late webhook of a found change is recognised.
 */
import type { StandingLog } from '../store/standing-log.ts';
import type { Tenant, TenantRegistry } from '../tenants/tenant-registry.ts';
import { DEFAULT_ZENDESK_MAPPING, parseMappingDocument, type ZendeskMapping } from './mapping-document.ts';
import {
  ZendeskIncrementalExport,
  type ExportPosition,
  type ExportResult,
  type ZendeskExportOptions,
} from './incremental-export.ts';
import { findingsOf, type ObservedState } from '../reconciliation/findings.ts';
import { runStreamLoop, type StreamEnd } from '../reconciliation/page-loop.ts';
import { emptyCounters, type ReconciliationStore, type RunState } from '../reconciliation/reconciliation-store.ts';
import {
  DEFAULT_RECONCILE_OPTIONS,
  pipelined,
  throttled,
  type ReconcileOptions,
  type RunResult,
} from '../reconciliation/reconcile-run.ts';
import type { ScheduledReconciler } from '../reconciliation/scheduled-reconciler.ts';
import { organizationState, stateContext, userState } from './reconciler-states.ts';
import type { MapContext } from './map-common.ts';
import { zendeskCredentialsOf } from './settings.ts';

export interface ZendeskReconcilerDeps {
  log: StandingLog;
  store: ReconciliationStore;
  tenants: Pick<TenantRegistry, 'currentMapping'>;
  /** Options of the export client (tests: sleep, base URL). */
  exportOptions?: ZendeskExportOptions;
  /** @defaultValue Date.now */
  now?: () => number;
}

/** The tenant's Zendesk mapping in force (the default when none was set, or when the stored one no longer parses). */
export async function zendeskMappingOf(
  tenants: Pick<TenantRegistry, 'currentMapping'>,
  tenant: string,
): Promise<ZendeskMapping> {
  const current = await tenants.currentMapping(tenant, 'zendesk');
  if (!current) return DEFAULT_ZENDESK_MAPPING;
  const parsed = parseMappingDocument(current.document);
  if (!parsed.ok)
    throw new Error(`tenant ${tenant}: the Zendesk mapping in force (version ${current.version}) does not parse`);
  return parsed.mapping;
}

export async function reconcileZendesk(
  deps: ZendeskReconcilerDeps,
  tenant: Tenant,
  options: ReconcileOptions = {},
): Promise<RunResult> {
  const o = { ...DEFAULT_RECONCILE_OPTIONS, trigger: 'schedule' as const, ...options };
  const now = deps.now ?? Date.now;
  const counters = emptyCounters();
  const id = await deps.store.startRun(tenant.id, 'zendesk', o.trigger);
  const credentials = zendeskCredentialsOf(tenant.zendesk);
  if (!credentials.ok) {
    counters.errors.push({ stream: '*', message: 'the tenant has no Zendesk API credentials (api_email, api_token)' });
    await deps.store.updateRun(id, 'failed', counters);
    return { id, state: 'failed', counters };
  }
  const { subdomain, email, token, baseUrl } = credentials;
  let state: RunState = 'completed';
  const progressOfRun = throttled(() => deps.store.updateRun(id, 'running', counters), RUN_RECORD_EVERY_MS, now);
  try {
    const mapping = await zendeskMappingOf(deps.tenants, tenant.id);
    const client = new ZendeskIncrementalExport({ subdomain, email, token }, { baseUrl, ...deps.exportOptions });
    const sinceSeconds = Math.floor((o.since?.getTime() ?? now() - o.initialLookbackMs) / 1000);
    const suffix = o.since ? '@backfill' : '';
    const streams: {
      stream: string;
      fetch: (p: ExportPosition) => Promise<ExportResult<unknown>>;
      toState: (item: never, ctx: MapContext) => ObservedState;
    }[] = [
      {
        stream: `users${suffix}`,
        fetch: (p) => client.usersPage(p),
        toState: (u: Parameters<typeof userState>[3], ctx: MapContext) =>
          userState(tenant.id, mapping, subdomain, u, ctx),
      },
      {
        stream: `organizations${suffix}`,
        fetch: (p) => client.organizationsPage('start_time' in p ? p.start_time : sinceSeconds),
        toState: (org: Parameters<typeof organizationState>[3]) =>
          organizationState(tenant.id, mapping, subdomain, org),
      },
    ];
    for (const s of streams) {
      // Pages are fetched and compared ahead of the write (fetch k+1 as soon as fetch k answered,
      // compare k while k+1 is on the wire); writes and checkpoints stay in page order.
      const pages = pipelined<ExportPosition, ExportResult<unknown>>(s.fetch, async (r) => {
        if (!r.ok) return { ok: false, message: r.message };
        const ctx = stateContext(tenant.id, mapping, subdomain);
        // Time-based pages can repeat a record: the last copy wins.
        const states = [
          ...new Map(r.items.map((item) => [(item as { id: string }).id, s.toState(item as never, ctx)])).values(),
        ];
        const differing = await deps.store.disagreements(
          tenant.id,
          'zendesk',
          states.map((st) => ({
            k: st.key,
            status: st.status,
            digest: deps.log.subjects.digests(
              tenant.id,
              s.stream.startsWith('users') ? { zendesk_user_id: st.key } : { zendesk_organization_id: st.key },
            )[0]!,
          })),
        );
        const { findings, problems } = findingsOf(tenant.id, states, differing, o.findings);
        for (const p of problems)
          counters.errors.push({
            stream: s.stream,
            message: `${s.stream} record ${p.key}: ${p.problems.map((x) => `${x.path}: ${x.message}`).join('; ')}`,
          });
        let latest = -Infinity;
        for (const st of states) latest = Math.max(latest, Date.parse(st.observedAt) || -Infinity);
        const latestAt = Number.isFinite(latest) ? new Date(latest).toISOString() : undefined;
        return {
          ok: true,
          page: {
            events: findings,
            records: r.items.length,
            next: r.next,
            endOfStream: r.endOfStream,
            ...(latestAt ? { latestAt } : {}),
          },
        };
      });
      const saved = await deps.store.checkpoint<{ since?: number; position: ExportPosition }>(
        tenant.id,
        'zendesk',
        s.stream,
      );
      // A backfill resumes only the same backfill (same since); a scheduled stream always resumes.
      const start: ExportPosition =
        saved && (!o.since || saved.since === sinceSeconds) ? saved.position : { start_time: sinceSeconds };
      const end: StreamEnd = await runStreamLoop<ExportPosition>({
        log: deps.log,
        store: deps.store,
        tenant: tenant.id,
        source: 'zendesk',
        stream: s.stream,
        start,
        counters,
        maxPages: o.maxPages,
        shouldStop: o.shouldStop,
        checkpointOf: (position) => ({ ...(o.since ? { since: sinceSeconds } : {}), position }),
        read: (position) => pages.read(position),
        afterPage: async (page) => {
          o.onProgress?.({
            stream: s.stream,
            counters,
            endOfStream: page.endOfStream,
            ...(page.latestAt ? { latestAt: page.latestAt } : {}),
          });
          await progressOfRun();
        },
      });
      if (end === 'failed') {
        state = 'failed';
        break; // never go on hammering a provider that just failed: the next run resumes
      }
      if (end !== 'end_of_stream') {
        state = 'partial';
        break;
      }
    }
  } catch (err) {
    state = 'failed';
    counters.errors.push({ stream: '*', message: (err as Error).message });
    await deps.store.updateRun(id, state, counters).catch(() => undefined);
    throw err;
  }
  await deps.store.updateRun(id, state, counters);
  return { id, state, counters };
}

/** How often a running run's record is updated (it is always written at the end). */
const RUN_RECORD_EVERY_MS = 1000;

/**
 * Zendesk's part in scheduled reconciliation: every tenant with a subdomain, an API email and an API
 * token is reconciled.
 */
export function zendeskScheduledReconciler(exportOptions?: ZendeskExportOptions): ScheduledReconciler {
  return {
    source: 'zendesk',
    covers: async (t) => zendeskCredentialsOf(t.zendesk).ok,
    run: (t, { log, store, tenants, maxPages }) =>
      reconcileZendesk({ log, store, tenants, exportOptions }, t, { maxPages }),
  };
}
