/**
 * The sweeper: a BullMQ job scheduler that periodically re-enqueues inbox events still pending
 * after a while, i.e. whose job was lost (Redis restarted without persistence, a crash between the
 * inbox commit and the enqueue). Processing is idempotent, so a spurious re-run costs nothing.
 */
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Logger } from 'pino';
import type { IntakeInbox } from '../connector/intake/intake-inbox.ts';
import { enqueueIntake, intakeRound, type IntakeJobData } from './intake-queue.ts';

export const SWEEPER_QUEUE_NAME = 'standing-intake-sweeper';

export interface IntakeSweeperOptions {
  connection: ConnectionOptions;
  /** @defaultValue `standing` */
  prefix?: string;
  /**
   * How often the sweep runs.
   * @defaultValue 60_000 ms
   */
  everyMs?: number;
  /**
   * How old a pending event must be before it is considered lost.
   * @defaultValue 120_000 ms
   */
  pendingForMs?: number;
  /**
   * Most events re-enqueued per sweep.
   * @defaultValue 5000
   */
  limit?: number;
  /**
   * Days a stored or ignored event's raw payload stays in the inbox (quarantined ones stay until replayed).
   * @defaultValue 30
   */
  inboxRetentionDays?: number;
}

export const DEFAULT_SWEEPER_OPTIONS = { prefix: 'standing', everyMs: 60_000, pendingForMs: 120_000, limit: 5000, inboxRetentionDays: 30 } as const;

/** Re-enqueues stale pending events once; returns how many. */
export async function sweepPendingIntake(inbox: IntakeInbox, queue: Queue<IntakeJobData>, pendingForMs: number, limit: number): Promise<number> {
  const stale = await inbox.stalePending(pendingForMs, limit);
  // Distinct from the lost (or permanently failed, still retained) job, yet one event is
  // re-enqueued at most once per window however often the sweep runs.
  await enqueueIntake(queue, stale, intakeRound.sweep(pendingForMs));
  return stale.length;
}

export async function startIntakeSweeper(inbox: IntakeInbox, intakeQueue: Queue<IntakeJobData>, logger: Logger, options: IntakeSweeperOptions) {
  const o = { ...DEFAULT_SWEEPER_OPTIONS, ...options };
  const queue = new Queue(SWEEPER_QUEUE_NAME, { connection: o.connection, prefix: o.prefix });
  await queue.upsertJobScheduler('sweep-pending-intake', { every: o.everyMs }, { name: 'sweep', opts: { removeOnComplete: 100, removeOnFail: 100 } });
  const worker = new Worker(
    SWEEPER_QUEUE_NAME,
    async () => {
      const n = await sweepPendingIntake(inbox, intakeQueue, o.pendingForMs, o.limit);
      if (n > 0) logger.warn({ requeued: n }, 'sweeper re-enqueued pending intake events');
      const purged = await inbox.purgeSettled(o.inboxRetentionDays);
      if (purged > 0) logger.info({ purged }, 'sweeper removed settled inbox payloads past retention');
      return n;
    },
    { connection: o.connection, prefix: o.prefix, concurrency: 1 },
  );
  return {
    close: async () => {
      await worker.close();
      await queue.close();
    },
  };
}
