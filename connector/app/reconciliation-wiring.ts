/**
 * Wires reconciliation: the runs API on the API roles, and on the scheduler role the scheduled runs
 * (unless `STANDING_RECONCILE_INTERVAL_MS` is 0) of every provider that contributes a reconciler, on
 * the root's BullMQ connection.
 */
import type { IntakeSettings } from '../config/intake-settings.ts';
import { roleDuties } from '../config/roles.ts';
import { recordReconciliationRun } from '../ops/metrics-wiring.ts';
import { ReconciliationStore } from '../reconciliation/reconciliation-store.ts';
import { reconciliationRoutes } from '../reconciliation/runs-routes.ts';
import { startReconciliationScheduler } from '../../queue/reconciliation-scheduler.ts';
import type { IntakeResources } from './intake-resources.ts';
import type { Providers } from './provider-list.ts';
import type { ServiceExtension, ServiceResources } from './service.ts';

export async function reconciliationExtension(
  res: ServiceResources,
  shared: Pick<IntakeResources, 'connection'>,
  providers: Providers,
  settings: IntakeSettings,
  /** Called after each run (attribution of what the run stored). */
  afterRun?: (tenant: string) => void,
): Promise<ServiceExtension> {
  const { db, log, logger, metrics, tenants } = res;
  const duties = roleDuties(settings.role);
  const store = new ReconciliationStore(db);
  const { connection } = shared;
  const scheduler =
    duties.scheduler && settings.reconciliation.everyMs > 0
      ? await startReconciliationScheduler(
          {
            log,
            store,
            tenants,
            logger,
            reconcilers: providers.all.flatMap((p) => (p.reconciler ? [p.reconciler] : [])),
            onRunEnd: (run) => {
              recordReconciliationRun(metrics, run);
              afterRun?.(run.tenant);
            },
          },
          {
            connection,
            redis: connection,
            prefix: settings.queuePrefix,
            everyMs: settings.reconciliation.everyMs,
            maxPages: settings.reconciliation.maxPages,
          },
        )
      : undefined;
  return {
    routers: duties.httpApi
      ? [{ path: '/api/v1', router: reconciliationRoutes({ store, tenants, authorize: res.authorize }) }]
      : [],
    close: async () => {
      await scheduler?.close();
    },
  };
}
