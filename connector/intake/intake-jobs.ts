/**
 * The intake queue as intake, its ingress routes and its admin routes see it. queue/intake-queue.ts
 * implements it with BullMQ (`intakeJobs`), so nothing below queue/ imports queue/.
 */
import type { InboxKey } from './intake-inbox.ts';

export interface IntakeJobs {
  /**
   * Enqueues the first processing of freshly stored events, together (one batch job for a group);
   * redeliveries never get here, the inbox answers them as duplicates.
   */
  enqueue(keys: readonly InboxKey[]): Promise<void>;
  /**
   * Starts a replay round (an admin's, after a mapping fix): `suffix` is its job-id suffix, for
   * the inbox to record, and `enqueue` puts the reopened events on the queue under fresh job ids.
   */
  replay(): IntakeReplayRound;
}

export interface IntakeReplayRound {
  suffix: string;
  enqueue(keys: readonly InboxKey[]): Promise<void>;
}
