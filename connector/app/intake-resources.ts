/**
 * The intake's resources every wiring module shares (intake, the Zendesk app's API, compliance):
 * built once per process by the root (standing.ts), handed down, closed after the wiring that
 * uses them.
 */
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { InboxAdminActions } from '../intake/admin-actions.ts';
import { IntakeInbox } from '../intake/intake-inbox.ts';
import type { IntakeJobs } from '../intake/intake-jobs.ts';
import { createIntakeQueue, intakeJobs, type IntakeJobData } from '../../queue/intake-queue.ts';
import type { ServiceResources } from './service.ts';

export interface IntakeResources {
  inbox: IntakeInbox;
  /**
   * BullMQ's connection for this process: the intake queue, its workers and every scheduler.
   * BullMQ needs maxRetriesPerRequest: null (blocking commands), so it is not the service's `redis`.
   */
  connection: Redis;
  /** The intake queue. */
  queue: Queue<IntakeJobData>;
  /** The queue as intake and the admin routes see it (connector/intake/intake-jobs.ts). */
  jobs: IntakeJobs;
  /** What an admin does with the inbox (quarantine, inspect, replay), for the API and the Zendesk app. */
  actions: InboxAdminActions;
  /** Closes the queue, the inbox's batcher and the connection (after the workers and schedulers). */
  close(): Promise<void>;
}

export function openIntakeResources(res: Pick<ServiceResources, 'db' | 'config' | 'logger'>): IntakeResources {
  const inbox = new IntakeInbox(res.db);
  const connection = new Redis(res.config.redisUrl, { maxRetriesPerRequest: null });
  // Outages are logged once by the queue and workers; the connection's own errors would repeat them.
  connection.on('error', () => undefined);
  const queue = createIntakeQueue({ connection, prefix: res.config.intake.queuePrefix, logger: res.logger });
  const jobs = intakeJobs(queue);
  return {
    inbox,
    connection,
    queue,
    jobs,
    actions: new InboxAdminActions(inbox, jobs),
    close: async () => {
      await inbox.close();
      await queue.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
