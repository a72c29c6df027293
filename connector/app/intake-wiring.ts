/**
 * Wires the intake around the root's providers (provider-list.ts: each a source, ingress routes
 * and API routes). API roles: those routes, the admin routes and bull-board. Worker role: the
 * normalize-and-store worker and the providers' subscriptions. Scheduler role: the sweeper. The
 * inbox, queue and BullMQ connection are the root's (intake-resources.ts), the tenant registry the
 * service's.
 */
import type { ServiceExtension, ServiceResources } from './service.ts';
import { adminRoutes } from '../http/admin-routes.ts';
import type { ReadinessCheck } from '../http/health-routes.ts';
import type { AnySource, Sources } from '../intake/intake-source.ts';
import type { SourceName } from '../model/standing-event.ts';
import type { Providers } from './provider-list.ts';
import type { ProviderWiring } from './provider-wiring.ts';
import type { IntakeResources } from './intake-resources.ts';
import { startIntakeWorker } from '../../queue/intake-worker.ts';
import { startIntakeSweeper } from '../../queue/intake-sweeper.ts';
import { roleDuties } from '../config/roles.ts';
import type { IntakeSettings } from '../config/intake-settings.ts';
import { observeWorker, queueProbe, recordBatch } from '../ops/metrics-wiring.ts';
import { bullBoardRouter } from '../ops/bull-board.ts';
import { backlogReport } from '../ops/backlog.ts';

type Closer = () => Promise<void>;

export async function intakeExtension(
  res: ServiceResources,
  shared: IntakeResources,
  providerList: Providers,
  settings: IntakeSettings,
  /** Called after a batch stored events (attribution runs next). */
  afterStored?: () => void,
): Promise<ServiceExtension> {
  const { db, metrics, tenants } = res;
  const { queue } = shared;
  const duties = roleDuties(settings.role);
  await tenants.syncDefaultTenant(settings.defaultTenant);
  const providers = providerList.all;
  const sources: Sources = new Map<SourceName, AnySource>(providers.map((p) => [p.source.name, p.source]));
  metrics.addProbe(queueProbe(queue, metrics));

  const workers = duties.worker ? startWorkerDuties(res, shared, settings, providers, sources, afterStored) : [];
  const sweeper = duties.scheduler ? await startSweeper(res, shared, settings) : undefined;
  const closers: Closer[] = [...workers, ...(sweeper ? [sweeper.close] : [])];

  return {
    directRoutes: duties.httpApi ? providers.flatMap((p) => p.directRoutes) : [],
    readinessChecks: sweeper ? { sweeper: sweeper.checkScheduled } : {},
    readinessReport: backlogReport(db, queue),
    routers: !duties.httpApi
      ? []
      : [
          {
            path: '/api/v1',
            router: adminRoutes({ tenants, inboxActions: shared.actions, sources, authorize: res.authorize }),
          },
          ...providers.flatMap((p) => p.routers),
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
  afterStored?: () => void,
): Closer[] {
  const { log, logger, metrics, tenants } = res;
  const worker = startIntakeWorker({ log, inbox: shared.inbox, tenants, sources }, logger, {
    connection: shared.connection,
    jobs: shared.queue,
    prefix: settings.queuePrefix,
    concurrency: settings.worker.concurrency,
    batching: { maxBatch: settings.worker.batchSize, maxWaitMs: 10, maxInFlight: 2 },
    lockDurationMs: settings.worker.lockDurationMs,
    onBatch: (summary, size) => {
      recordBatch(metrics, summary, size);
      if (summary.stored > 0) afterStored?.();
    },
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

/** The scheduler role's intake duty: the sweeper. */
async function startSweeper(
  res: ServiceResources,
  shared: IntakeResources,
  settings: IntakeSettings,
): Promise<{ close: Closer; checkScheduled: ReadinessCheck }> {
  const sweeper = await startIntakeSweeper(shared.inbox, shared.queue, res.logger, {
    connection: shared.connection,
    prefix: settings.queuePrefix,
    inboxRetentionDays: settings.inboxRetentionDays,
    ...settings.sweeper,
  });
  return { close: () => sweeper.close(), checkScheduled: () => sweeper.checkScheduled() };
}
