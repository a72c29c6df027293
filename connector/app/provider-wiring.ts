/**
 * What each provider's wiring module (zendesk-wiring.ts, salesforce-wiring.ts) hands the intake
 * wiring: the same shape for every provider, so adding one is a provider folder and one line in
 * provider-list.ts.
 */
import type { MountedRouter } from '../http/app.ts';
import type { DirectRoute } from '../http/direct-routes.ts';
import type { AnySource } from '../intake/intake-source.ts';
import type { ScheduledReconciler } from '../reconciliation/scheduled-reconciler.ts';

export interface ProviderWiring {
  /** The provider's intake source (connector/intake/intake-source.ts). */
  source: AnySource;
  /** Its ingress (webhooks), served by node:http ahead of Express on the API roles. */
  directRoutes: readonly DirectRoute[];
  /** Its API routes (e.g. connection settings), mounted on the API roles. */
  routers: readonly MountedRouter[];
  /** Its part in scheduled reconciliation (absent: its tenants are never reconciled on a schedule). */
  reconciler?: ScheduledReconciler;
  /** Starts what the worker role runs for it beside the intake worker (subscriptions); returns their stop. */
  startWorker?(): () => Promise<void>;
  /** Flushes what its ingress has in flight. */
  close?(): Promise<void>;
}
