/**
 * Everything the Salesforce source adds to a deployment: the tenants' connection settings, the
 * source itself (mapping, GAP re-reads through the tenant's session), the Outbound Message route,
 * the settings API, and, in worker processes, the Change Data Capture subscriptions.
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Router } from 'express';
import type { Authorize } from '../connector/access/authorize.ts';
import type { DirectRoute } from '../connector/http/direct-routes.ts';
import type { InboxEntry, InboxKey } from '../connector/intake/intake-inbox.ts';
import type { MasterKeys } from '../connector/model/sealing.ts';
import type { Database } from '../connector/store/database.ts';
import type { Connection } from 'jsforce';
import { salesforceOutboundRoute } from './outbound-route.ts';
import { PgReplayStore } from './replay-store.ts';
import { SalesforceSource } from './salesforce-source.ts';
import { salesforceSettingsRoutes } from './settings-routes.ts';
import { SalesforceSubscriptionManager, type SubscriptionManagerOptions } from './subscription-manager.ts';
import { jsforceDescriber, jsforceRecordReader, jsforceUserNames, salesforceSessions } from './tenant-sessions.ts';
import { SalesforceSettingsStore } from './tenant-settings.ts';

export interface SalesforceIntakeDeps {
  db: Database;
  master: MasterKeys;
  redisUrl: string;
  /** The deployment's Redis key prefix (`STANDING_QUEUE_PREFIX`): every key this source writes lives under it. */
  redisPrefix: string;
  logger: Logger;
  accept(entry: InboxEntry): Promise<{ duplicate: boolean }>;
  enqueue(keys: InboxKey[]): Promise<void>;
  authorize: Authorize;
}

export interface SalesforceIntake {
  /** The tenant's authenticated jsforce connection (sessions are kept), or null without a working one. */
  connectionFor(tenant: string): Promise<Connection | null>;
  source: SalesforceSource;
  outboundRoute: DirectRoute;
  settingsRouter: Router;
  /** Starts the Change Data Capture subscriptions of this (worker) process; returns their stop. */
  startSubscriptions(options?: SubscriptionManagerOptions): () => Promise<void>;
}

export function salesforceIntake(deps: SalesforceIntakeDeps): SalesforceIntake {
  const settings = new SalesforceSettingsStore(deps.db, deps.master);
  const { sessions, connections } = salesforceSessions(settings, deps.logger);
  return {
    connectionFor: (tenant) => sessions.connection(tenant),
    source: new SalesforceSource(settings, jsforceRecordReader(sessions), jsforceDescriber(sessions), jsforceUserNames(sessions)),
    outboundRoute: salesforceOutboundRoute({
      organizationOf: async (tenant) => (await settings.get(tenant))?.organization_id ?? null,
      accept: deps.accept,
      enqueue: deps.enqueue,
      logger: deps.logger,
    }),
    settingsRouter: salesforceSettingsRoutes({ settings, authorize: deps.authorize }),
    startSubscriptions(options = {}) {
      // The leases' own connection: lease commands must fail fast, not queue while Redis is away.
      const redis = new Redis(deps.redisUrl, { maxRetriesPerRequest: 1 });
      redis.on('error', () => undefined);
      const manager = new SalesforceSubscriptionManager(
        { settings, connections, store: new PgReplayStore(deps.db), redis, redisPrefix: deps.redisPrefix, accept: deps.accept, enqueue: deps.enqueue, logger: deps.logger },
        options,
      );
      manager.start();
      return async () => {
        await manager.stop();
        redis.disconnect();
      };
    },
  };
}
