/**
 * The normalize-and-store worker. BullMQ hands it one job per event; concurrent jobs are grouped
 * by a MicroBatcher so that a whole batch is mapped, appended to the log and settled in the inbox
 * with a handful of round trips. A provider rate limit delays the jobs of that tenant and provider
 * (without spending an attempt) instead of failing them; other tenants go on.
 */
import { DelayedError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from 'pino';
import {
  ProviderRateLimitedError,
  type BatchSummary,
  type IntakeDeps,
} from '../connector/intake/process-intake-batch.ts';
import { isTransientFailure, processIntakeBatchIsolating } from '../connector/intake/process-isolating.ts';
import { INTAKE_QUEUE_NAME, IntakeJobData, logErrorsOnce } from './intake-queue.ts';
import { inboxKeyString } from '../connector/intake/intake-inbox.ts';
import { MicroBatcher, type MicroBatcherOptions } from '../connector/lib/micro-batcher.ts';
import { closeWorker } from './close-worker.ts';

export interface IntakeWorkerOptions {
  connection: ConnectionOptions;
  /**
   * Redis key prefix; must match the queue's.
   * @defaultValue `standing`
   */
  prefix?: string;
  /**
   * Jobs in progress at once. Bounds the batches that can form: keep it >= 2 x the batch size.
   * @defaultValue 500
   */
  concurrency?: number;
  /**
   * How jobs are grouped into log batches. Two batches in flight overlap one's preparation
   * (mapping, look-ups, sealing) with the other's commit.
   * @defaultValue { maxBatch: 250, maxWaitMs: 10, maxInFlight: 2 }
   */
  batching?: MicroBatcherOptions;
  /**
   * How long a job stays locked to this worker without a renewal; after a crash its jobs are
   * handed to another worker once this has passed (BullMQ stalled-job check).
   * @defaultValue 30_000 ms
   */
  lockDurationMs?: number;
  /**
   * Called after each batch (metrics, tests).
   * @defaultValue undefined
   */
  onBatch?: (summary: BatchSummary, size: number) => void;
  /**
   * Called when a provider's 429 makes a tenant's jobs wait (metrics).
   * @defaultValue undefined
   */
  onRateLimited?: (source: string, tenant: string, waitMs: number) => void;
  /**
   * Failures of one event (not outages, not rate limits) before it is quarantined as `processing_failed`.
   * @defaultValue 3
   */
  maxEventFailures?: number;
}

export const DEFAULT_INTAKE_WORKER_OPTIONS = {
  prefix: 'standing',
  concurrency: 500,
  batching: { maxBatch: 250, maxWaitMs: 10, maxInFlight: 2 },
  lockDurationMs: 30_000,
  maxEventFailures: 3,
} as const;

export interface IntakeWorker {
  worker: Worker<IntakeJobData>;
  close(): Promise<void>;
}

export function startIntakeWorker(deps: IntakeDeps, logger: Logger, options: IntakeWorkerOptions): IntakeWorker {
  const o = { ...DEFAULT_INTAKE_WORKER_OPTIONS, ...options };
  // Per key: null (done), an error that keeps its job failing, or when to try again (waiting for a
  // companion event of the same update).
  const batcher = new MicroBatcher<IntakeJobData, Error | { retryAt: number } | null>(async (keys) => {
    const { summary, errors } = await processIntakeBatchIsolating(deps, keys, { maxEventFailures: o.maxEventFailures });
    o.onBatch?.(summary, keys.length);
    if (summary.quarantined > 0 || summary.skippedLookups.length > 0) {
      logger.warn(
        { quarantined: summary.quarantined, skipped_lookups: summary.skippedLookups.length },
        'intake batch had events needing attention',
      );
    }
    return keys.map((k, i) => {
      const retryAt = summary.deferred.get(inboxKeyString(k));
      return retryAt !== undefined ? { retryAt } : (errors[i] ?? null);
    });
  }, o.batching);

  // Per tenant and provider: until when its provider asked us to wait (429). Its other jobs wait
  // too, without a call; other tenants' jobs flow. (worker.rateLimit would pause every tenant.)
  const blockedUntil = new Map<string, number>();
  const waitUntil = async (job: Job<IntakeJobData>, token: string | undefined, until: number): Promise<never> => {
    // Back to the delayed set without spending an attempt. https://docs.bullmq.io/patterns/process-step-jobs#delaying
    await job.moveToDelayed(until, token);
    throw new DelayedError();
  };

  const worker: Worker<IntakeJobData> = new Worker<IntakeJobData>(
    INTAKE_QUEUE_NAME,
    async (job: Job<IntakeJobData>, token?: string) => {
      const data = IntakeJobData.parse(job.data);
      const limitKey = `${data.source}\u0000${data.tenant}`;
      const blocked = blockedUntil.get(limitKey);
      if (blocked !== undefined) {
        if (blocked > Date.now()) return waitUntil(job, token, blocked);
        blockedUntil.delete(limitKey);
      }
      const failure = await batcher.submit(data);
      if (failure instanceof ProviderRateLimitedError) {
        const until = Math.max(Date.now() + failure.waitMs, blockedUntil.get(limitKey) ?? 0);
        o.onRateLimited?.(data.source, data.tenant, failure.waitMs);
        if (!blockedUntil.has(limitKey))
          logger.warn(
            { tenant: data.tenant, source: data.source, wait_ms: failure.waitMs },
            'provider rate limit: this tenant waits',
          );
        blockedUntil.set(limitKey, until);
        return waitUntil(job, token, until);
      }
      if (failure instanceof Error) throw failure;
      // Waiting for a companion event of the same update (facts as of the event).
      if (failure) return waitUntil(job, token, Math.max(failure.retryAt, Date.now() + 1));
    },
    {
      connection: o.connection,
      prefix: o.prefix,
      concurrency: o.concurrency,
      lockDuration: o.lockDurationMs,
      stalledInterval: o.lockDurationMs,
      autorun: true,
    },
  );
  // An outage fails every job until it ends: that is logged once (by the database and Redis
  // clients), not per job; a failure of the event itself is logged per job.
  worker.on('failed', (job, err) => {
    const level = isTransientFailure(err) ? 'debug' : 'warn';
    logger[level]({ job_id: job?.id, attempts: job?.attemptsMade, err: err.message }, 'intake job failed');
  });
  const workerErrors = logErrorsOnce(worker, logger, 'intake worker');
  worker.on('completed', () => workerErrors.recovered());

  return {
    worker,
    close: async () => {
      await closeWorker(worker);
      await batcher.close();
    },
  };
}
