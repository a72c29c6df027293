/**
 * Wires the intake. The providers (zendesk-wiring.ts, salesforce-wiring.ts) each bring a source,
 * ingress routes and API routes. API roles: those routes, the admin routes, reconciliation runs
 * and bull-board. Worker role: the normalize-and-store worker and the providers' subscriptions.
 * Scheduler role: the sweeper and scheduled reconciliation. The inbox, queue and BullMQ connection
 * are the root's (intake-resources.ts), the tenant registry the service's.
 */
import type { ServiceExtension, ServiceResources } from './service.ts';
import { adminRoutes } from '../http/admin-routes.ts';
import type { ReadinessCheck } from '../http/health-routes.ts';
import type { AnySource, Sources } from '../intake/intake-source.ts';
import type { SourceName } from '../intake/intake-inbox.ts';
import { salesforceProvider, type SalesforceProvider } from './salesforce-wiring.ts';
import { zendeskProvider } from './zendesk-wiring.ts';
import type { ProviderWiring } from './provider-wiring.ts';
import type { IntakeResources } from './intake-resources.ts';
import { startIntakeWorker } from '../../queue/intake-worker.ts';
import { startIntakeSweeper } from '../../queue/intake-sweeper.ts';
import { ReconciliationStore } from '../reconciliation/reconciliation-store.ts';
import { reconciliationRoutes } from '../reconciliation/runs-routes.ts';
import { startReconciliationScheduler } from '../../queue/reconciliation-scheduler.ts';
import { roleDuties } from '../config/roles.ts';
import type { IntakeSettings } from '../config/intake-settings.ts';
import { observeWorker, queueProbe, recordBatch, recordReconciliationRun } from '../ops/metrics-wiring.ts';
import { bullBoardRouter } from '../ops/bull-board.ts';
import { backlogReport } from '../ops/backlog.ts';

type Closer = () => Promise<void>;

export async function intakeExtension(
  res: ServiceResources,
  shared: IntakeResources,
  settings: IntakeSettings,
): Promise<ServiceExtension> {
  const { db, metrics, tenants } = res;
  const { queue } = shared;
  const duties = roleDuties(settings.role);
  await tenants.syncDefaultTenant(settings.defaultTenant);
  const zendesk = zendeskProvider(res, shared, settings);
  const salesforce = salesforceProvider(res, shared, settings);
  // Every provider, in the order their routes are served.
  const providers: readonly ProviderWiring[] = [zendesk, salesforce];
  const sources: Sources = new Map<SourceName, AnySource>(providers.map((p) => [p.source.name, p.source]));
  const reconciliation = new ReconciliationStore(db);
  metrics.addProbe(queueProbe(queue, metrics));

  const workers = duties.worker ? startWorkerDuties(res, shared, settings, providers, sources) : [];
  const schedulers = duties.scheduler
    ? await startSchedulerDuties(res, shared, settings, reconciliation, salesforce)
    : { first: [], last: [], readinessChecks: {} };
  // Scheduled reconciliation stops first, the sweeper last.
  const closers: Closer[] = [...schedulers.first, ...workers, ...schedulers.last];

  return {
    directRoutes: duties.httpApi ? providers.flatMap((p) => p.directRoutes) : [],
    readinessChecks: schedulers.readinessChecks,
    readinessReport: backlogReport(db, queue),
    routers: !duties.httpApi
      ? []
      : [
          {
            path: '/api/v1',
            router: adminRoutes({ tenants, inboxActions: shared.actions, sources, authorize: res.authorize }),
          },
          ...providers.flatMap((p) => p.routers),
          {
            path: '/api/v1',
            router: reconciliationRoutes({ store: reconciliation, tenants, authorize: res.authorize }),
          },
          bullBoardRouter([queue], res.authorize('ops.read')),
        ],
    close: async () => {
      for (const close of closers) await close();
      for (const provider of providers) await provider.close?.();
    },
  };
}

/** The worker role: the normalize-and-store worker and the providers' subscriptions. Returns their stops, in order. */
function startWorkerDuties(
  res: ServiceResources,
  shared: IntakeResources,
  settings: IntakeSettings,
  providers: readonly ProviderWiring[],
  sources: Sources,
): Closer[] {
  const { log, logger, metrics, tenants } = res;
  const worker = startIntakeWorker({ log, inbox: shared.inbox, tenants, sources }, logger, {
    connection: shared.connection,
    prefix: settings.queuePrefix,
    concurrency: settings.worker.concurrency,
    batching: { maxBatch: settings.worker.batchSize, maxWaitMs: 10, maxInFlight: 2 },
    lockDurationMs: settings.worker.lockDurationMs,
    onBatch: (summary, size) => recordBatch(metrics, summary, size),
    onRateLimited: (source, tenant, waitMs) => {
      metrics.rateLimitWaits.inc({ source, tenant });
      metrics.rateLimitWaitSeconds.inc({ source, tenant }, waitMs / 1000);
    },
  });
  observeWorker(worker.worker, metrics);
  const stops: Closer[] = [];
  for (const provider of providers) if (provider.startWorker) stops.push(provider.startWorker());
  return [...stops, () => worker.close()];
}

/** The scheduler role: the sweeper and, unless turned off, scheduled reconciliation. */
async function startSchedulerDuties(
  res: ServiceResources,
  shared: IntakeResources,
  settings: IntakeSettings,
  reconciliation: ReconciliationStore,
  salesforce: SalesforceProvider,
): Promise<{ first: Closer[]; last: Closer[]; readinessChecks: Record<string, ReadinessCheck> }> {
  const { log, logger, metrics, tenants } = res;
  const { connection } = shared;
  const sweeper = await startIntakeSweeper(shared.inbox, shared.queue, logger, {
    connection,
    prefix: settings.queuePrefix,
    inboxRetentionDays: settings.inboxRetentionDays,
    ...settings.sweeper,
  });
  const readinessChecks: Record<string, ReadinessCheck> = { sweeper: () => sweeper.checkScheduled() };
  if (settings.reconciliation.everyMs <= 0) return { first: [], last: [() => sweeper.close()], readinessChecks };
  const scheduler = await startReconciliationScheduler(
    {
      log,
      store: reconciliation,
      tenants,
      logger,
      salesforceConnection: (tenant) => salesforce.connectionFor(tenant),
      onRunEnd: (run) => recordReconciliationRun(metrics, run),
    },
    { connection, redis: connection, prefix: settings.queuePrefix, ...settings.reconciliation },
  );
  return { first: [() => scheduler.close()], last: [() => sweeper.close()], readinessChecks };
}
