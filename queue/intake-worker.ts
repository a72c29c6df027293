/**
 * The normalize-and-store worker. BullMQ hands it one job per event; concurrent jobs are grouped
 * by a MicroBatcher so that a whole batch is mapped, appended to the log and settled in the inbox
 * with a handful of round trips. A provider rate limit pauses the worker (BullMQ rate limiting)
 * instead of failing jobs.
 */
import { DelayedError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { processIntakeBatchIsolating, ProviderRateLimitedError, type BatchSummary, type IntakeDeps } from '../connector/intake/process-intake-batch.ts';
import { inboxKeyString } from '../connector/intake/intake-inbox.ts';
import { INTAKE_QUEUE_NAME, IntakeJobData } from './intake-queue.ts';
import { MicroBatcher, type MicroBatcherOptions } from './micro-batcher.ts';

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
}

export const DEFAULT_INTAKE_WORKER_OPTIONS = { prefix: 'standing', concurrency: 500, batching: { maxBatch: 250, maxWaitMs: 10, maxInFlight: 2 }, lockDurationMs: 30_000 } as const;

export interface IntakeWorker {
  worker: Worker<IntakeJobData>;
  close(): Promise<void>;
}

export function startIntakeWorker(deps: IntakeDeps, logger: Logger, options: IntakeWorkerOptions): IntakeWorker {
  const o = { ...DEFAULT_INTAKE_WORKER_OPTIONS, ...options };
  // Per key: null (done), an error that keeps its job failing, or when to try again (waiting for a
  // companion event of the same update).
  const batcher = new MicroBatcher<IntakeJobData, Error | { retryAt: number } | null>(
    async (keys) => {
      const { summary, errors } = await processIntakeBatchIsolating(deps, keys);
      o.onBatch?.(summary, keys.length);
      if (summary.quarantined > 0 || summary.skippedLookups.length > 0) {
        logger.warn({ quarantined: summary.quarantined, skipped_lookups: summary.skippedLookups.length }, 'intake batch had events needing attention');
      }
      return keys.map((k, i) => {
        const retryAt = summary.deferred.get(inboxKeyString(k));
        return retryAt !== undefined ? { retryAt } : (errors[i] ?? null);
      });
    },
    o.batching,
  );

  const worker: Worker<IntakeJobData> = new Worker<IntakeJobData>(
    INTAKE_QUEUE_NAME,
    async (job: Job<IntakeJobData>, token?: string) => {
      const data = IntakeJobData.parse(job.data);
      try {
        const result = await batcher.submit(data);
        if (result instanceof Error) throw result;
        if (result) {
          // Back to the delayed set without spending an attempt: https://docs.bullmq.io/patterns/process-step-jobs#delaying
          await job.moveToDelayed(Math.max(result.retryAt, Date.now() + 1), token);
          throw new DelayedError();
        }
      } catch (err) {
        if (err instanceof ProviderRateLimitedError) {
          // Pause the whole queue for this worker and put the job back without spending an attempt.
          // https://docs.bullmq.io/guide/rate-limiting#manual-rate-limit
          await worker.rateLimit(err.waitMs);
          throw Worker.RateLimitError();
        }
        throw err;
      }
    },
    { connection: o.connection, prefix: o.prefix, concurrency: o.concurrency, lockDuration: o.lockDurationMs, stalledInterval: o.lockDurationMs, autorun: true },
  );
  worker.on('failed', (job, err) => logger.warn({ job_id: job?.id, attempts: job?.attemptsMade, err: err.message }, 'intake job failed'));
  worker.on('error', (err) => logger.error({ err: err.message }, 'intake worker error'));

  return {
    worker,
    close: async () => {
      await worker.close();
      await batcher.close();
    },
  };
}
