/**
 * The normalize-and-store worker. BullMQ hands it batch jobs (freshly accepted events) and
 * per-event jobs (replays, sweeps, events waiting); the keys of concurrent jobs are grouped by a
 * MicroBatcher so that a whole batch is mapped, appended to the log and settled in the inbox with a
 * handful of round trips. A provider rate limit delays the jobs of that tenant and provider
 * (without spending an attempt) instead of failing them; other tenants go on. An event of a batch
 * job that must wait (429, companion event, its own failure) leaves the batch for a delayed job of
 * its own under its first-round id, where the per-event rules apply.
 */
import { DelayedError, Worker, type ConnectionOptions, type Job, type Queue } from 'bullmq';
import type { Logger } from 'pino';
import {
  ProviderRateLimitedError,
  type BatchSummary,
  type IntakeDeps,
} from '../connector/intake/process-intake-batch.ts';
import { isTransientFailure, processIntakeBatchIsolating } from '../connector/intake/process-isolating.ts';
import {
  DEFAULT_INTAKE_QUEUE_OPTIONS,
  enqueueEach,
  INTAKE_BATCH_JOB,
  INTAKE_QUEUE_NAME,
  IntakeBatchJobData,
  IntakeJobData,
  intakeRound,
  logErrorsOnce,
} from './intake-queue.ts';
import { inboxKeyString } from '../connector/intake/intake-inbox.ts';
import { MicroBatcher, type MicroBatcherOptions } from '../connector/lib/micro-batcher.ts';
import { closeWorker } from './close-worker.ts';

export interface IntakeWorkerOptions {
  connection: ConnectionOptions;
  /**
   * The intake queue the root built (intake-resources.ts): where an event that must wait leaves its
   * batch job for a delayed job of its own. The worker does not close it.
   */
  jobs: Queue<IntakeJobData>;
  /**
   * Redis key prefix; must match the queue's.
   * @defaultValue `standing`
   */
  prefix?: string;
  /**
   * Jobs in progress at once. A batch job carries many events; replayed, swept and waiting events
   * have a job each, so for them it bounds the batches that can form: keep it >= 2 x the batch size.
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

  const limitKeyOf = (data: IntakeJobData) => `${data.source}\u0000${data.tenant}`;
  /** Until when the tenant's provider asked to wait, if it still does. */
  const blockedFor = (data: IntakeJobData): number | undefined => {
    const blocked = blockedUntil.get(limitKeyOf(data));
    if (blocked === undefined || blocked > Date.now()) return blocked;
    blockedUntil.delete(limitKeyOf(data));
    return undefined;
  };
  const rateLimited = (data: IntakeJobData, failure: ProviderRateLimitedError): number => {
    const limitKey = limitKeyOf(data);
    const until = Math.max(Date.now() + failure.waitMs, blockedUntil.get(limitKey) ?? 0);
    o.onRateLimited?.(data.source, data.tenant, failure.waitMs);
    if (!blockedUntil.has(limitKey))
      logger.warn(
        { tenant: data.tenant, source: data.source, wait_ms: failure.waitMs },
        'provider rate limit: this tenant waits',
      );
    blockedUntil.set(limitKey, until);
    return until;
  };

  // Where events that leave a batch job go: the same queue, with its default attempts and backoff.
  const ownJobs = o.jobs;
  /** Processes a batch job's keys; those that must wait get delayed jobs of their own. */
  const runBatchJob = async (job: Job<IntakeJobData>): Promise<void> => {
    const { keys } = IntakeBatchJobData.parse(job.data);
    const later = await Promise.all(
      keys.map(async (key): Promise<{ key: IntakeJobData; until: number } | null> => {
        const blocked = blockedFor(key);
        if (blocked !== undefined) return { key, until: blocked };
        const failure = await batcher.submit(key);
        if (failure instanceof ProviderRateLimitedError) return { key, until: rateLimited(key, failure) };
        // Its own failure (counted in its inbox row): retried after the queue's first backoff.
        if (failure instanceof Error) return { key, until: Date.now() + DEFAULT_INTAKE_QUEUE_OPTIONS.backoffMs };
        return failure ? { key, until: Math.max(failure.retryAt, Date.now() + 1) } : null;
      }),
    );
    const waiting = later.filter((w) => w !== null);
    const untilOf = new Map(waiting.map((w) => [w.key, w.until]));
    // If this fails (Redis gone), the batch job fails and runs again; settled events are not loaded again.
    await enqueueEach(
      ownJobs,
      waiting.map((w) => w.key),
      intakeRound.first(),
      (k) => untilOf.get(k as IntakeJobData)! - Date.now(),
    );
  };

  const worker: Worker<IntakeJobData> = new Worker<IntakeJobData>(
    INTAKE_QUEUE_NAME,
    async (job: Job<IntakeJobData>, token?: string) => {
      if (job.name === INTAKE_BATCH_JOB) return runBatchJob(job);
      const data = IntakeJobData.parse(job.data);
      const blocked = blockedFor(data);
      if (blocked !== undefined) return waitUntil(job, token, blocked);
      const failure = await batcher.submit(data);
      if (failure instanceof ProviderRateLimitedError) return waitUntil(job, token, rateLimited(data, failure));
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
