/**
 * The seam between the reconciliation scheduler (queue/reconciliation-scheduler.ts) and a provider's
 * reconciler: each provider's wiring contributes one, so the scheduler names no provider. The
 * scheduler hands every run what all reconcilers share (the log, the runs' store, the mappings);
 * what is the provider's own (its API client's options, its quota) the provider keeps.
 */
import type { StandingLog } from '../store/standing-log.ts';
import type { Tenant, TenantRegistry } from '../tenants/tenant-registry.ts';
import type { RunResult } from './reconcile-run.ts';
import type { ReconciliationStore } from './reconciliation-store.ts';
import type { SourceName } from '../model/standing-event.ts';

/** What the scheduler hands each run. */
export interface ScheduledRunContext {
  log: StandingLog;
  store: ReconciliationStore;
  tenants: Pick<TenantRegistry, 'currentMapping'>;
  /** Most pages per stream per run. */
  maxPages: number;
}

export interface ScheduledReconciler {
  /** The source it reconciles: it names the schedule (`reconcile-<tenant>-<source>`) and the runs. */
  readonly source: SourceName;
  /** Whether the tenant has what a run needs (its API credentials); only then is it scheduled. */
  covers(tenant: Tenant): Promise<boolean>;
  /** One scheduled run, or null when the tenant cannot be read now (no working credentials). */
  run(tenant: Tenant, context: ScheduledRunContext): Promise<RunResult | null>;
}
