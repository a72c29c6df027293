/**
 * The intake queue. Jobs carry only inbox keys; the events themselves are in the PostgreSQL inbox
 * (see connector/intake/intake-inbox.ts), which is the durable record before the provider's 2xx.
 * - Freshly accepted events travel in batch jobs (`INTAKE_BATCH_JOB`): one job for each group of
 *   keys the API enqueues together, so Redis work is per batch, not per event.
 * - An event that must wait (a provider's 429, a companion event, a retry after its own failure)
 *   leaves its batch for a job of its own under its deterministic first-round id (`intakeJobId`);
 *   replays and sweeps use per-event jobs with ids of their own rounds.
 */
import { createHash } from 'node:crypto';
import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { Logger } from 'pino';
import { z } from 'zod';
import { TenantId } from '../connector/model/standing-event.ts';
import type { InboxKey } from '../connector/intake/intake-inbox.ts';
import type { IntakeJobs } from '../connector/intake/intake-jobs.ts';
import { SOURCE_SYSTEMS } from '../connector/model/standing-event.ts';

export const INTAKE_QUEUE_NAME = 'standing-intake';

export const IntakeJobData = z.strictObject({
  tenant: TenantId,
  source: z.enum(SOURCE_SYSTEMS),
  event_id: z.string().min(1).max(255),
});
export type IntakeJobData = z.infer<typeof IntakeJobData>;

/** Name of the jobs that carry a batch of freshly accepted events. */
export const INTAKE_BATCH_JOB = 'batch';
/** Most keys in one batch job (the API's enqueue batches are at most this large too). */
export const MAX_BATCH_JOB_KEYS = 500;

export const IntakeBatchJobData = z.strictObject({ keys: z.array(IntakeJobData).min(1).max(MAX_BATCH_JOB_KEYS) });
export type IntakeBatchJobData = z.infer<typeof IntakeBatchJobData>;

export interface IntakeQueueOptions {
  /** ioredis connection options or instance. */
  connection: ConnectionOptions;
  /**
   * Redis key prefix of every queue key (BullMQ `prefix`, never ioredis `keyPrefix`).
   * @defaultValue `standing`
   */
  prefix?: string;
  /**
   * Tries per job before it fails for good (transient errors only; rate limits do not count).
   * @defaultValue 12
   */
  attempts?: number;
  /**
   * First retry delay; doubles each time.
   * @defaultValue 1000 ms
   */
  backoffMs?: number;
  /**
   * Completed jobs kept (for inspection); older ones are removed.
   * @defaultValue { count: 10_000, age: 86_400 s }
   */
  keepCompleted?: { count: number; age: number };
  /**
   * Failed jobs kept. The event itself stays in the inbox and the sweeper retries it.
   * @defaultValue { count: 50_000, age: 604_800 s }
   */
  keepFailed?: { count: number; age: number };
  /**
   * Where connection errors are logged (one line per outage).
   * @defaultValue undefined: ignored
   */
  logger?: Logger;
}

export const DEFAULT_INTAKE_QUEUE_OPTIONS = {
  prefix: 'standing',
  attempts: 12,
  backoffMs: 1000,
  keepCompleted: { count: 10_000, age: 86_400 },
  keepFailed: { count: 50_000, age: 604_800 },
} as const;

export function createIntakeQueue(options: IntakeQueueOptions): Queue<IntakeJobData> {
  const o = { ...DEFAULT_INTAKE_QUEUE_OPTIONS, ...options };
  const defaultJobOptions: JobsOptions = {
    attempts: o.attempts,
    backoff: { type: 'exponential', delay: o.backoffMs },
    removeOnComplete: o.keepCompleted,
    removeOnFail: o.keepFailed,
  };
  const queue = new Queue<IntakeJobData>(INTAKE_QUEUE_NAME, {
    connection: o.connection,
    prefix: o.prefix,
    defaultJobOptions,
  });
  // Without a listener, a connection error (Redis restarting) is printed as a raw stack trace.
  if (o.logger) logErrorsOnce(queue, o.logger, 'intake queue');
  else queue.on('error', () => undefined);
  return queue;
}

/** One warn line when an emitter (queue, worker) starts failing, one info line when it works again. */
export function logErrorsOnce(
  emitter: { on(event: 'error', fn: (err: Error) => void): unknown },
  logger: Logger,
  what: string,
): { recovered(): void } {
  let failing = false;
  emitter.on('error', (err: Error) => {
    if (!failing)
      logger.warn(
        { err: { message: err.message, code: (err as { code?: unknown }).code } },
        `${what}: redis error; retrying`,
      );
    failing = true;
  });
  return {
    recovered: () => {
      if (failing) logger.info(`${what}: working again`);
      failing = false;
    },
  };
}

/**
 * Why an event is (re-)enqueued. Each kind of run gets job ids of its own, so a deliberate re-run
 * is never swallowed by the first run's job, which BullMQ may still retain as completed or failed.
 */
export type IntakeRound = { kind: 'first' } | { kind: 'replay'; at: number } | { kind: 'sweep'; window: number };

export const intakeRound = {
  /** The first run of an accepted event: redeliveries collapse onto it. */
  first: (): IntakeRound => ({ kind: 'first' }),
  /** An admin's replay after a mapping fix: a fresh id per replay. */
  replay: (now = Date.now()): IntakeRound => ({ kind: 'replay', at: now }),
  /** The sweeper: one id per time window, so an event is re-enqueued at most once per window. */
  sweep: (windowMs: number, now = Date.now()): IntakeRound => ({ kind: 'sweep', window: Math.floor(now / windowMs) }),
};

/** The job id suffix of a round ('' for the first), as recorded in the inbox's `job_round`. */
export function roundSuffix(round: IntakeRound): string {
  switch (round.kind) {
    case 'first':
      return '';
    case 'replay':
      return `-p${round.at}`;
    case 'sweep':
      return `-s${round.window}`;
  }
}

/**
 * Deterministic job id, so that a redelivered event collapses onto the job already queued.
 * BullMQ job ids must not contain ':' nor be all digits; event ids may, so they are hashed.
 */
export function intakeJobId(key: InboxKey, round: IntakeRound | string = intakeRound.first()): string {
  const digest = createHash('sha256').update(key.event_id).digest('hex').slice(0, 40);
  return `${key.source}-${key.tenant}-${digest}${typeof round === 'string' ? round : roundSuffix(round)}`;
}

/** The IntakeJobs seam (connector/intake/intake-jobs.ts) over this queue. */
export function intakeJobs(queue: Queue<IntakeJobData>): IntakeJobs {
  return {
    enqueue: (keys) => enqueueIntake(queue, keys),
    replay: () => {
      const round = intakeRound.replay();
      return { suffix: roundSuffix(round), enqueue: (keys) => enqueueIntake(queue, keys, round) };
    },
  };
}

/**
 * Enqueues events: the first round in batch jobs, other rounds (replay, sweep) one job per event
 * under the round's ids.
 */
export async function enqueueIntake(
  queue: Queue<IntakeJobData>,
  keys: readonly InboxKey[],
  round: IntakeRound = intakeRound.first(),
): Promise<void> {
  if (keys.length === 0) return;
  if (round.kind === 'first') {
    // One queue, two job shapes told apart by name; the worker validates each by its name.
    const batches = queue as unknown as Queue<IntakeBatchJobData>;
    const jobs = [];
    for (let i = 0; i < keys.length; i += MAX_BATCH_JOB_KEYS)
      jobs.push({
        name: INTAKE_BATCH_JOB,
        data: { keys: keys.slice(i, i + MAX_BATCH_JOB_KEYS).map(keyOnly) },
      });
    await batches.addBulk(jobs);
    return;
  }
  await enqueueEach(queue, keys, round);
}

const keyOnly = (k: InboxKey): IntakeJobData => ({ tenant: k.tenant, source: k.source, event_id: k.event_id });

/** One job per event under the round's ids (a job already there under that id is kept). */
export async function enqueueEach(
  queue: Queue<IntakeJobData>,
  keys: readonly InboxKey[],
  round: IntakeRound,
  delayMs?: (key: InboxKey) => number,
): Promise<void> {
  if (keys.length === 0) return;
  await queue.addBulk(
    keys.map((k) => ({
      name: k.source,
      data: { tenant: k.tenant, source: k.source, event_id: k.event_id },
      opts: { jobId: intakeJobId(k, round), ...(delayMs ? { delay: Math.max(0, delayMs(k)) } : {}) },
    })),
  );
}
