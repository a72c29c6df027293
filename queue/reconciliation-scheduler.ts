/**
 * Scheduled reconciliation: one BullMQ job scheduler per tenant and source
 * (`reconcile-<tenant>-<source>`, `upsertJobScheduler`, so registering again at every start, or from
 * several processes, is harmless), and a worker that runs each job as one reconciliation run. The
 * tenants are re-read every `refreshEveryMs`, so a tenant given API credentials later is picked up
 * (and its schedule re-created if Redis lost it) without a restart.
 *
 * The scheduler names no provider: each provider contributes a `ScheduledReconciler`
 * (connector/reconciliation/scheduled-reconciler.ts) that says which tenants it covers and makes a run.
 */
import { randomUUID } from 'node:crypto';
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { StandingLog } from '../connector/store/standing-log.ts';
import type { TenantRegistry } from '../connector/tenants/tenant-registry.ts';
import type { ReconciliationStore } from '../connector/reconciliation/reconciliation-store.ts';
import type { SourceName } from '../connector/model/standing-event.ts';
import type { RunResult } from '../connector/reconciliation/reconcile-run.ts';
import type { ScheduledReconciler } from '../connector/reconciliation/scheduled-reconciler.ts';
import { logErrorsOnce } from './intake-queue.ts';
import { closeWorker } from './close-worker.ts';

export const RECONCILIATION_QUEUE_NAME = 'standing-reconciliation';
/** How long a run's "running" mark lives without being renewed (a crashed process's mark expires). */
const RUN_LOCK_MS = 120_000;

export interface ReconciliationJobData {
  tenant: string;
  source: SourceName;
}

export interface ReconciliationSchedulerDeps {
  log: StandingLog;
  store: ReconciliationStore;
  tenants: Pick<TenantRegistry, 'get' | 'list' | 'currentMapping'>;
  logger: Logger;
  /** The providers' reconcilers, in the order a tenant's schedules are registered; one per source. */
  reconcilers: readonly ScheduledReconciler[];
  /** Called after every run (metrics). */
  onRunEnd?: (run: RunResult & ReconciliationJobData) => void;
}

export interface ReconciliationSchedulerOptions {
  connection: ConnectionOptions;
  /**
   * Redis for the mark that keeps one run per tenant and source at a time across processes.
   * @defaultValue none: runs of one tenant and source may overlap (safe, but twice the requests)
   */
  redis?: Pick<Redis, 'set' | 'get' | 'del' | 'pexpire'>;
  /** @defaultValue `standing` */
  prefix?: string;
  /** How often each tenant's sources are reconciled. @defaultValue 900_000 ms (15 min) */
  everyMs?: number;
  /** How often the tenants are re-read and their schedules upserted. @defaultValue 60_000 ms */
  refreshEveryMs?: number;
  /** Most pages per stream per run. @defaultValue 1000 */
  maxPages?: number;
}

export const DEFAULT_RECONCILIATION_SCHEDULER_OPTIONS = {
  prefix: 'standing',
  everyMs: 900_000,
  refreshEveryMs: 60_000,
  maxPages: 1000,
} as const;

/** BullMQ ids may not contain `:`; tenant ids are `[a-z0-9_-]`. */
export const reconciliationSchedulerId = (tenant: string, source: SourceName) => `reconcile-${tenant}-${source}`;

export interface ReconciliationScheduler {
  /** Upserts the schedule of every tenant and source that can be reconciled; returns how many. */
  registerTenants(): Promise<number>;
  /** Runs one job now (tests, the admin), the way the worker would. */
  run(job: ReconciliationJobData): Promise<RunResult | null>;
  close(): Promise<void>;
}

export async function startReconciliationScheduler(
  deps: ReconciliationSchedulerDeps,
  options: ReconciliationSchedulerOptions,
): Promise<ReconciliationScheduler> {
  const o = { ...DEFAULT_RECONCILIATION_SCHEDULER_OPTIONS, ...options };
  const queue = new Queue<ReconciliationJobData>(RECONCILIATION_QUEUE_NAME, {
    connection: o.connection,
    prefix: o.prefix,
  });
  logErrorsOnce(queue, deps.logger, 'reconciliation queue');

  const run = async (job: ReconciliationJobData): Promise<RunResult | null> => {
    // One run per tenant and source at a time across every process: a run longer than the interval
    // must not overlap the next one (twice the provider requests for nothing).
    const client = o.redis;
    if (!client) return runUnlocked(job);
    const key = `${o.prefix}:${RECONCILIATION_QUEUE_NAME}:running:${job.tenant}:${job.source}`;
    const token = randomUUID();
    if ((await client.set(key, token, 'PX', RUN_LOCK_MS, 'NX')) !== 'OK') {
      deps.logger.info(
        { tenant: job.tenant, source: job.source },
        'reconciliation run skipped: the previous one is still running',
      );
      return null;
    }
    const renew = setInterval(() => void client.pexpire(key, RUN_LOCK_MS).catch(() => undefined), RUN_LOCK_MS / 3);
    renew.unref();
    try {
      return await runUnlocked(job);
    } finally {
      clearInterval(renew);
      // Released only if still ours.
      if ((await client.get(key).catch(() => null)) === token) await client.del(key).catch(() => undefined);
    }
  };

  const runUnlocked = async ({ tenant, source }: ReconciliationJobData): Promise<RunResult | null> => {
    const t = await deps.tenants.get(tenant);
    const reconciler = deps.reconcilers.find((r) => r.source === source);
    if (!t || !reconciler) return null;
    const result = await reconciler.run(t, {
      log: deps.log,
      store: deps.store,
      tenants: deps.tenants,
      maxPages: o.maxPages,
    });
    if (!result) return null;
    // Counts and messages only: no personal data.
    const level = result.state === 'failed' ? 'warn' : 'info';
    deps.logger[level](
      {
        tenant,
        source,
        run: result.id,
        state: result.state,
        ...result.counters,
        errors: result.counters.errors.length,
      },
      'reconciliation run ended',
    );
    deps.onRunEnd?.({ ...result, tenant, source });
    return result;
  };

  const registerTenants = async (): Promise<number> => {
    let n = 0;
    for (const view of await deps.tenants.list()) {
      const t = await deps.tenants.get(view.id);
      if (!t) continue;
      for (const reconciler of deps.reconcilers) {
        if (!(await reconciler.covers(t))) continue;
        const { source } = reconciler;
        await queue.upsertJobScheduler(
          reconciliationSchedulerId(t.id, source),
          { every: o.everyMs },
          {
            name: 'reconcile',
            data: { tenant: t.id, source },
            opts: { removeOnComplete: 100, removeOnFail: 100, attempts: 1 },
          },
        );
        n++;
      }
    }
    return n;
  };

  // A run that fails is recorded as such and resumes at the next tick: the job is not retried sooner
  // (attempts: 1), so a provider in trouble is never hammered.
  const worker = new Worker<ReconciliationJobData>(
    RECONCILIATION_QUEUE_NAME,
    async (job) => (await run(job.data))?.state ?? 'skipped',
    {
      connection: o.connection,
      prefix: o.prefix,
      concurrency: 2,
      // A run may read for minutes: keep the lock renewed, and do not count a slow run as stalled.
      lockDuration: 120_000,
    },
  );
  logErrorsOnce(worker, deps.logger, 'reconciliation worker');

  await registerTenants();
  let refreshing = false;
  const timer = setInterval(() => {
    if (refreshing) return;
    refreshing = true;
    registerTenants()
      .catch((err: unknown) =>
        deps.logger.warn(
          { err: { message: (err as Error).message } },
          'reconciliation schedules could not be refreshed; retrying',
        ),
      )
      .finally(() => {
        refreshing = false;
      });
  }, o.refreshEveryMs);
  timer.unref();

  return {
    registerTenants,
    run,
    close: async () => {
      clearInterval(timer);
      await closeWorker(worker);
      await queue.close();
    },
  };
}
