/**
 * Plugs Zendesk intake into the service: tenant registry (with the env-configured `default`
 * tenant), intake inbox, BullMQ queue, webhook and admin routes, and, unless this process is
 * API-only, the normalize-and-store worker and the sweeper.
 */
import { Redis } from 'ioredis';
import type { ServiceExtension, ServiceResources } from '../service.ts';
import { adminRoutes } from '../http/admin-routes.ts';

import type { ReadinessCheck } from '../http/health-routes.ts';
import { TenantRegistry } from '../tenants/tenant-registry.ts';
import { zendeskWebhookRoute, type ZendeskWebhookOptions } from '../zendesk/webhook-route.ts';
import { ZendeskDirectory } from '../zendesk/zendesk-directory.ts';
import { ZendeskSource } from '../zendesk/zendesk-source.ts';
import { recordTicketsSeen } from '../app-api/tickets-seen.ts';
import type { AnySource, Sources } from './intake-source.ts';
import type { IntakeSource } from './intake-inbox.ts';
import { enqueueIntake } from '../../queue/intake-queue.ts';
import { salesforceIntake } from '../../salesforce/salesforce-intake.ts';
import { createIntakeQueue } from '../../queue/intake-queue.ts';
import { startIntakeWorker } from '../../queue/intake-worker.ts';
import { startIntakeSweeper } from '../../queue/intake-sweeper.ts';
import { IntakeInbox } from './intake-inbox.ts';
import { InboxAdminActions } from './admin-actions.ts';
import { ReconciliationStore } from '../reconciliation/reconciliation-store.ts';
import { reconciliationRoutes } from '../reconciliation/runs-routes.ts';
import { startReconciliationScheduler } from '../../queue/reconciliation-scheduler.ts';
import { roleDuties, type ProcessRole } from '../ops/roles.ts';
import { observeWorker, queueProbe, recordBatch, recordReconciliationRun } from '../ops/metrics-wiring.ts';
import { bullBoardRouter } from '../ops/bull-board.ts';
import { backlogReport } from '../ops/backlog.ts';

export interface IntakeSettings {
  /**
   * What this process does (connector/ops/roles.ts).
   * @defaultValue `all`
   */
  role: ProcessRole;
  /** Redis key prefix of the queues. @defaultValue `standing` */
  queuePrefix: string;
  /** The `default` tenant's Zendesk settings from the environment (any may be absent). */
  defaultTenant: { subdomain?: string; webhookSecret?: string; apiEmail?: string; apiToken?: string };
  webhook: ZendeskWebhookOptions;
  /** Worker tuning (see IntakeWorkerOptions). */
  worker: { concurrency: number; batchSize: number; lockDurationMs: number; companionWaitMs: number };
  /** How often a worker re-reads the Salesforce connections (subscriptions). @defaultValue 30_000 ms */
  salesforceSettingsRefreshMs: number;
  /** Days stored/ignored events' raw payloads stay in the inbox. @defaultValue 30 */
  inboxRetentionDays: number;
  /** The sweeper (see IntakeSweeperOptions): how often, after how long pending, how many events per sweep. */
  sweeper: { everyMs: number; pendingForMs: number; maxEvents: number };
  /** Scheduled reconciliation (see ReconciliationSchedulerOptions); `everyMs: 0` turns it off. */
  reconciliation: { everyMs: number; maxPages: number; salesforceMaxQuotaShare: number };
}

export async function intakeExtension(res: ServiceResources, settings: IntakeSettings): Promise<ServiceExtension> {
  const { db, log, logger, secrets, config, metrics } = res;
  const duties = roleDuties(settings.role);
  const tenants = new TenantRegistry(db, secrets.master);
  await tenants.syncDefaultTenant(settings.defaultTenant);
  const inbox = new IntakeInbox(db);
  // BullMQ needs its own connections with maxRetriesPerRequest: null (blocking commands).
  const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  // Outages are logged once by the queue and workers; the connection's own errors would repeat them.
  connection.on('error', () => undefined);
  const queue = createIntakeQueue({ connection, prefix: settings.queuePrefix, logger });
  const webhook = zendeskWebhookRoute({ tenants, inbox, queue, logger }, settings.webhook);
  const closers: (() => Promise<void>)[] = [];
  const salesforce = salesforceIntake({
    db,
    master: secrets.master,
    redisUrl: config.redisUrl,
    redisPrefix: settings.queuePrefix,
    logger,
    accept: (entry) => inbox.accept(entry),
    enqueue: (keys) => enqueueIntake(queue, keys),
    authorize: res.authorize,
  });
  const directory = new ZendeskDirectory();
  res.erasures.onErasure(() => directory.forgetAll());
  const sources: Sources = new Map<IntakeSource, AnySource>([
    ['zendesk', new ZendeskSource(log.fieldValues, directory, { companionWaitMs: settings.worker.companionWaitMs, recordTicketsSeen: (rows) => recordTicketsSeen(db, rows) })],
    ['salesforce', salesforce.source],
  ]);
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
    const stopSubscriptions = salesforce.startSubscriptions({ refreshEveryMs: settings.salesforceSettingsRefreshMs });
    closers.push(stopSubscriptions, () => worker.close());
  }
  if (duties.scheduler) {
    const sweeper = await startIntakeSweeper(inbox, queue, logger, { connection, prefix: settings.queuePrefix, inboxRetentionDays: settings.inboxRetentionDays, ...settings.sweeper });
    closers.push(() => sweeper.close());
    readinessChecks.sweeper = () => sweeper.checkScheduled();
    if (settings.reconciliation.everyMs > 0) {
      const scheduler = await startReconciliationScheduler({ log, store: reconciliation, tenants, logger, salesforceConnection: (tenant) => salesforce.connectionFor(tenant), onRunEnd: (run) => recordReconciliationRun(metrics, run) }, { connection, redis: connection, prefix: settings.queuePrefix, ...settings.reconciliation });
      closers.unshift(() => scheduler.close());
    }
  }

  return {
    directRoutes: duties.httpApi ? [webhook.route, salesforce.outboundRoute] : [],
    readinessChecks,
    readinessReport: backlogReport(db, queue),
    routers:
      !duties.httpApi
        ? []
        : [
            { path: '/api/v1', router: adminRoutes({ tenants, inboxActions: new InboxAdminActions(inbox, queue), sources, authorize: res.authorize }) },
            { path: '/api/v1', router: salesforce.settingsRouter },
            { path: '/api/v1', router: reconciliationRoutes({ store: reconciliation, tenants, authorize: res.authorize }) },
            bullBoardRouter([queue], res.authorize('ops.read')),
          ],
    close: async () => {
      for (const close of closers) await close();
      await webhook.close();
      await inbox.close();
      await queue.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
