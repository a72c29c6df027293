/**
 * The sweeper: a BullMQ job scheduler that periodically re-enqueues inbox events still pending
 * whose job is really gone (Redis lost its data, a crash between the inbox commit and the enqueue,
 * a job that failed for good during an outage), and purges settled payloads past retention.
 * A job still waiting, active, or delayed (in backoff, or out a provider's 429) is left alone, and
 * so is an event still carried by a live batch job.
 * Its schedule lives in Redis: it is checked every `everyMs` and re-created when missing, so a
 * Redis that lost its data recovers without a restart; /readyz reports it missing meanwhile.
 */
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Logger } from 'pino';
import { inboxKeyString, type IntakeInbox, type StalePendingRow } from '../connector/intake/intake-inbox.ts';
import {
  enqueueIntake,
  INTAKE_BATCH_JOB,
  IntakeBatchJobData,
  intakeJobId,
  intakeRound,
  logErrorsOnce,
  roundSuffix,
  type IntakeJobData,
} from './intake-queue.ts';
import { closeWorker, DEFAULT_WORKER_CLOSE_GRACE_MS, within } from './close-worker.ts';

export const SWEEPER_QUEUE_NAME = 'standing-intake-sweeper';
export const SWEEPER_SCHEDULER_ID = 'sweep-pending-intake';

export interface IntakeSweeperOptions {
  connection: ConnectionOptions;
  /** @defaultValue `standing` */
  prefix?: string;
  /**
   * How often the sweep runs. Its schedule is checked this often too, at least every 10 s.
   * @defaultValue 60_000 ms
   */
  everyMs?: number;
  /**
   * How old a pending event must be before the sweeper looks at its job.
   * @defaultValue 120_000 ms
   */
  pendingForMs?: number;
  /**
   * Most events re-enqueued per sweep: bounds the recovery rate (e.g. after Redis lost its data).
   * At most four times as many pending events are examined per sweep.
   * @defaultValue 50_000
   */
  maxEvents?: number;
  /**
   * Days a stored or ignored event's raw payload stays in the inbox (quarantined ones stay until replayed).
   * @defaultValue 30
   */
  inboxRetentionDays?: number;
}

export const DEFAULT_SWEEPER_OPTIONS = {
  prefix: 'standing',
  everyMs: 60_000,
  pendingForMs: 120_000,
  maxEvents: 50_000,
  inboxRetentionDays: 30,
} as const;

/** Shortest window of sweep job ids (a pending age of 0 would make one window forever). */
const MIN_SWEEP_WINDOW_MS = 1000;
/** Longest the sweep's schedule may be missing before it is re-created. */
const SCHEDULE_CHECK_MAX_MS = 10_000;
/** Pending events examined per round trip (inbox page, then job states in one pipeline). */
const SWEEP_PAGE = 1000;
/** Job states in which a job will still run: its event is not lost. */
const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);
/** Live jobs read per round trip when looking through batch jobs. */
const JOBS_PAGE = 500;

/**
 * The keys carried by batch jobs that will still run. Read only when some stale event has no job of
 * its own, so a sweep of a healthy queue reads none; a long backlog is read once per sweep.
 */
async function keysInLiveBatchJobs(queue: Queue<IntakeJobData>): Promise<Set<string>> {
  const keys = new Set<string>();
  const states = [...LIVE_STATES] as ('waiting' | 'active' | 'delayed' | 'prioritized' | 'waiting-children')[];
  for (let start = 0; ; start += JOBS_PAGE) {
    const jobs = await queue.getJobs(states, start, start + JOBS_PAGE - 1);
    for (const job of jobs) {
      if (job?.name !== INTAKE_BATCH_JOB) continue;
      const data = IntakeBatchJobData.safeParse(job.data);
      if (data.success) for (const k of data.data.keys) keys.add(inboxKeyString(k));
    }
    if (jobs.length < JOBS_PAGE) return keys;
  }
}

/** Re-enqueues stale pending events whose job is gone, at most `maxEvents`; returns how many. */
export async function sweepPendingIntake(
  inbox: IntakeInbox,
  queue: Queue<IntakeJobData>,
  pendingForMs: number,
  maxEvents: number,
): Promise<number> {
  // Distinct from the lost (or permanently failed, still retained) job, yet one event is
  // re-enqueued at most once per window however often the sweep runs.
  const round = intakeRound.sweep(Math.max(pendingForMs, MIN_SWEEP_WINDOW_MS));
  let requeued = 0;
  let examined = 0;
  let after: StalePendingRow | null = null;
  let batched: Set<string> | null = null;
  while (requeued < maxEvents && examined < maxEvents * 4) {
    const page: StalePendingRow[] = await inbox.stalePending(pendingForMs, SWEEP_PAGE, after);
    if (page.length === 0) break;
    examined += page.length;
    after = page.at(-1)!;
    const states = await Promise.all(page.map((r) => queue.getJobState(intakeJobId(r, r.job_round ?? ''))));
    const jobless = page.filter((_, i) => !LIVE_STATES.has(states[i]!));
    // First-round events travel in batch jobs: one of those may still carry them.
    if (jobless.some((r) => !r.job_round)) batched ??= await keysInLiveBatchJobs(queue);
    const lost = jobless.filter((r) => r.job_round || !batched?.has(inboxKeyString(r))).slice(0, maxEvents - requeued);
    const keys = lost.map((r) => ({ tenant: r.tenant, source: r.source, event_id: r.event_id }));
    // Recorded first: if the enqueue fails, the next sweep finds this round's job missing and retries.
    await inbox.setJobRound(keys, roundSuffix(round));
    await enqueueIntake(queue, keys, round);
    requeued += keys.length;
    if (page.length < SWEEP_PAGE) break;
  }
  return requeued;
}

export interface IntakeSweeper {
  /** Resolves when the sweep's schedule exists in Redis; rejects otherwise (a readiness check). */
  checkScheduled(): Promise<void>;
  close(): Promise<void>;
}

export async function startIntakeSweeper(
  inbox: IntakeInbox,
  intakeQueue: Queue<IntakeJobData>,
  logger: Logger,
  options: IntakeSweeperOptions,
): Promise<IntakeSweeper> {
  const o = { ...DEFAULT_SWEEPER_OPTIONS, ...options };
  const queue = new Queue(SWEEPER_QUEUE_NAME, { connection: o.connection, prefix: o.prefix });
  const queueErrors = logErrorsOnce(queue, logger, 'sweeper queue');
  const schedule = () =>
    queue.upsertJobScheduler(
      SWEEPER_SCHEDULER_ID,
      { every: o.everyMs },
      { name: 'sweep', opts: { removeOnComplete: 100, removeOnFail: 100 } },
    );
  await schedule();

  const worker = new Worker(
    SWEEPER_QUEUE_NAME,
    async () => {
      const n = await sweepPendingIntake(inbox, intakeQueue, o.pendingForMs, o.maxEvents);
      if (n > 0) logger.warn({ requeued: n }, 'sweeper re-enqueued pending intake events whose job was gone');
      const purged = await inbox.purgeSettled(o.inboxRetentionDays);
      if (purged > 0) logger.info({ purged }, 'sweeper removed settled inbox payloads past retention');
      return n;
    },
    { connection: o.connection, prefix: o.prefix, concurrency: 1 },
  );
  logErrorsOnce(worker, logger, 'sweeper worker');

  // The schedule is a Redis key: gone if Redis lost its data. Re-created as soon as it is seen missing.
  let checking = false;
  const timer = setInterval(
    () => {
      if (checking) return;
      checking = true;
      queue
        .getJobScheduler(SWEEPER_SCHEDULER_ID)
        .then(async (existing) => {
          queueErrors.recovered();
          if (existing) return;
          await schedule();
          logger.warn('sweeper schedule was missing (Redis lost its data?); re-created');
        })
        .catch(() => undefined) // Redis unreachable: the queue's error listener said so; next tick retries.
        .finally(() => {
          checking = false;
        });
    },
    Math.min(o.everyMs, SCHEDULE_CHECK_MAX_MS),
  );
  timer.unref();

  return {
    checkScheduled: async () => {
      if (!(await queue.getJobScheduler(SWEEPER_SCHEDULER_ID)))
        throw new Error('the sweeper schedule is missing from Redis');
    },
    close: async () => {
      clearInterval(timer);
      await closeWorker(worker);
      // Bounded like the worker's close (see close-worker.ts): a queue's close can wait on a dead connection too.
      await within(queue.close(), DEFAULT_WORKER_CLOSE_GRACE_MS);
    },
  };
}
