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
import { salesforceProvider } from './salesforce-wiring.ts';
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

export async function intakeExtension(
  res: ServiceResources,
  shared: IntakeResources,
  settings: IntakeSettings,
): Promise<ServiceExtension> {
  const { db, log, logger, metrics, tenants } = res;
  const { inbox, connection, queue } = shared;
  const duties = roleDuties(settings.role);
  await tenants.syncDefaultTenant(settings.defaultTenant);
  const closers: (() => Promise<void>)[] = [];
  const zendesk = zendeskProvider(res, shared, settings);
  const salesforce = salesforceProvider(res, shared, settings);
  // Every provider, in the order their routes are served.
  const providers: readonly ProviderWiring[] = [zendesk, salesforce];
  const sources: Sources = new Map<SourceName, AnySource>(providers.map((p) => [p.source.name, p.source]));
  const readinessChecks: Record<string, ReadinessCheck> = {};
  const reconciliation = new ReconciliationStore(db);
  metrics.addProbe(queueProbe(queue, metrics));

  if (duties.worker) {
    const worker = startIntakeWorker({ log, inbox, tenants, sources }, logger, {
      connection,
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
    for (const provider of providers) if (provider.startWorker) closers.push(provider.startWorker());
    closers.push(() => worker.close());
  }
  if (duties.scheduler) {
    const sweeper = await startIntakeSweeper(inbox, queue, logger, {
      connection,
      prefix: settings.queuePrefix,
      inboxRetentionDays: settings.inboxRetentionDays,
      ...settings.sweeper,
    });
    closers.push(() => sweeper.close());
    readinessChecks.sweeper = () => sweeper.checkScheduled();
    if (settings.reconciliation.everyMs > 0) {
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
      closers.unshift(() => scheduler.close());
    }
  }

  return {
    directRoutes: duties.httpApi ? providers.flatMap((p) => p.directRoutes) : [],
    readinessChecks,
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
