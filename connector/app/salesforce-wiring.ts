/**
 * Everything the Salesforce source adds to a deployment: the tenants' connection settings, the
 * source itself (mapping, GAP re-reads through the tenant's session), the Outbound Message route,
 * the settings API, its reconciler (through the tenant's kept session), and, in worker processes,
 * the Change Data Capture subscriptions.
 */
import { Redis } from 'ioredis';
import type { IntakeSettings } from '../config/intake-settings.ts';
import type { InboxEntry } from '../intake/intake-inbox.ts';
import type { IntakeResources } from './intake-resources.ts';
import type { ProviderWiring } from './provider-wiring.ts';
import type { ServiceResources } from './service.ts';
import { salesforceOutboundRoute } from '../../salesforce/outbound-route.ts';
import { salesforceScheduledReconciler } from '../../salesforce/reconciler.ts';
import { PgReplayStore } from '../../salesforce/replay-store.ts';
import { SalesforceSource } from '../../salesforce/source.ts';
import { salesforceSettingsRoutes } from '../../salesforce/settings-routes.ts';
import { SalesforceSubscriptionManager } from '../../salesforce/subscription-manager.ts';
import {
  jsforceDescriber,
  jsforceRecordReader,
  jsforceUserNames,
  salesforceSessions,
} from '../../salesforce/tenant-sessions.ts';
import { SalesforceSettingsStore } from '../../salesforce/tenant-settings.ts';

export function salesforceProvider(
  res: ServiceResources,
  shared: IntakeResources,
  settings: IntakeSettings,
): ProviderWiring {
  const { db, logger, config } = res;
  const accept = (entry: InboxEntry) => shared.inbox.accept(entry);
  const { enqueue } = shared.jobs;
  const store = new SalesforceSettingsStore(db, res.secrets.master);
  const { sessions, connections } = salesforceSessions(store, logger);
  return {
    source: new SalesforceSource(store, {
      reader: jsforceRecordReader(sessions),
      describe: jsforceDescriber(sessions),
      userNames: jsforceUserNames(sessions),
    }),
    directRoutes: [
      salesforceOutboundRoute({
        organizationOf: async (tenant) => (await store.get(tenant))?.organization_id ?? null,
        accept,
        enqueue,
        logger,
      }),
    ],
    routers: [{ path: '/api/v1', router: salesforceSettingsRoutes({ settings: store, authorize: res.authorize }) }],
    reconciler: salesforceScheduledReconciler((tenant) => sessions.connection(tenant), {
      maxQuotaShare: settings.reconciliation.salesforceMaxQuotaShare,
    }),
    startWorker() {
      // The leases' own connection: lease commands must fail fast, not queue while Redis is away.
      const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1 });
      redis.on('error', () => undefined);
      const manager = new SalesforceSubscriptionManager(
        {
          settings: store,
          connections,
          store: new PgReplayStore(db),
          redis,
          redisPrefix: config.intake.queuePrefix,
          accept,
          enqueue,
          logger,
        },
        { refreshEveryMs: settings.salesforceSettingsRefreshMs },
      );
      manager.start();
      return async () => {
        await manager.stop();
        redis.disconnect();
      };
    },
  };
}
