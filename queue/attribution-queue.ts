/**
 * Attribution as queued jobs: one job per tenant at a time (job id `attribute-<tenant>`, so asking
 * again while one waits or runs adds nothing), run after intake stored events, and by a sweep (a
 * BullMQ job scheduler) that asks for every tenant whose log has rows the job has not looked at (a
 * request that came while the tenant's job was running, a run that failed). A run the provider
 * rate-limits is retried after the provider's `Retry-After`; the job's progress is in the database
 * (the tenant's attribution cursor), so a retry or another process resumes where it stopped.
 *
 * The queue names no provider: the root hands it the function that attributes a tenant's events.
 */
import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { closeWorker } from './close-worker.ts';
import { logErrorsOnce } from './intake-queue.ts';

export const ATTRIBUTION_QUEUE_NAME = 'standing-attribution';
const SWEEP_SCHEDULER_ID = 'attribution-sweep';

/** One run over a tenant's events, as the provider's attributor reports it. */
export interface AttributionRunOutcome {
  ok: boolean;
  /** Whether the tenant's log was read to its end (else the job runs again at once). */
  done?: boolean;
  /** How long the provider asked to wait before the next try (a 429's Retry-After). */
  retryAfterMs?: number | null;
  message?: string;
}

export interface AttributionQueueDeps {
  attribute: (tenant: string) => Promise<AttributionRunOutcome>;
  /** Tenants whose log has rows not yet looked at. */
  tenantsBehind: () => Promise<string[]>;
  logger: Logger;
}

export interface AttributionQueueOptions {
  connection: ConnectionOptions;
  /** @defaultValue `standing` */
  prefix?: string;
  /** Run the jobs in this process (the worker role). @defaultValue true */
  work?: boolean;
  /** Register the sweep (the scheduler role); 0 turns it off. @defaultValue 60_000 ms */
  sweepEveryMs?: number;
  /** Tries of a job before it is dropped (the sweep asks again later). @defaultValue 8 */
  attempts?: number;
  /** First retry wait when the provider gave none, doubled each try. @defaultValue 5_000 ms */
  backoffMs?: number;
}

export interface AttributionQueue {
  /** Asks for a tenant's attribution run (deduplicated per tenant). */
  request(tenant: string): Promise<void>;
  /** Asks for every tenant that is behind. */
  requestBehind(): Promise<number>;
  close(): Promise<void>;
}

/** A run the provider asked to retry later: the job fails with the provider's wait. */
class ProviderWaitError extends Error {
  override name = 'ProviderWaitError';
  constructor(
    message: string,
    readonly waitMs: number | null,
  ) {
    super(message);
  }
}

type JobData = { tenant?: string };

export async function startAttributionQueue(
  deps: AttributionQueueDeps,
  options: AttributionQueueOptions,
): Promise<AttributionQueue> {
  const o = { prefix: 'standing', work: true, sweepEveryMs: 60_000, attempts: 8, backoffMs: 5_000, ...options };
  const queue = new Queue<JobData>(ATTRIBUTION_QUEUE_NAME, { connection: o.connection, prefix: o.prefix });
  logErrorsOnce(queue, deps.logger, 'attribution queue');

  const request = async (tenant: string) => {
    await queue.add(
      'attribute',
      { tenant },
      {
        jobId: `attribute-${tenant}`,
        attempts: o.attempts,
        backoff: { type: 'provider', delay: o.backoffMs },
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  };
  const requestBehind = async () => {
    const tenants = await deps.tenantsBehind();
    for (const t of tenants) await request(t);
    return tenants.length;
  };

  const process = async (job: Job<JobData>) => {
    if (job.name === 'sweep' || !job.data.tenant) return requestBehind();
    const tenant = job.data.tenant;
    for (;;) {
      const run = await deps.attribute(tenant);
      if (!run.ok) throw new ProviderWaitError(run.message ?? 'attribution run failed', run.retryAfterMs ?? null);
      if (run.done !== false) return 'done';
    }
  };

  const worker = o.work
    ? new Worker<JobData>(ATTRIBUTION_QUEUE_NAME, process, {
        connection: o.connection,
        prefix: o.prefix,
        concurrency: 2,
        lockDuration: 120_000,
        settings: {
          // Zendesk's Retry-After when it gave one, else doubling from backoffMs.
          backoffStrategy: (attempts: number, _type?: string, err?: Error) =>
            err instanceof ProviderWaitError && err.waitMs !== null ? err.waitMs : o.backoffMs * 2 ** (attempts - 1),
        },
      })
    : undefined;
  if (worker) {
    logErrorsOnce(worker, deps.logger, 'attribution worker');
    worker.on('failed', (job, err) =>
      deps.logger.warn(
        { tenant: job?.data.tenant, attempts: job?.attemptsMade, err: err.message },
        'attribution run failed',
      ),
    );
  }
  if (o.sweepEveryMs > 0)
    await queue.upsertJobScheduler(SWEEP_SCHEDULER_ID, { every: o.sweepEveryMs }, { name: 'sweep', data: {} });

  return {
    request,
    requestBehind,
    close: async () => {
      if (worker) await closeWorker(worker);
      await queue.close();
    },
  };
}
