/**
 * The intake backlog as `/readyz` reports it (counts and ages only: the endpoint is
 * unauthenticated). A part whose dependency does not answer within the timeout is `null`.
 */
import type { Queue } from 'bullmq';
import type { SqlClient } from '../store/database.ts';

export interface Backlog {
  inbox_pending: number | null;
  inbox_oldest_pending_age_seconds: number | null;
  queue_waiting: number | null;
  queue_oldest_waiting_age_seconds: number | null;
}

/**
 * @param timeoutMs how long each part may take before it is reported `null` (default 1000 ms)
 */
export function backlogReport(db: SqlClient, queue: Queue, timeoutMs = 1000): () => Promise<Backlog> {
  const bounded = <T>(p: Promise<T>): Promise<T | null> => {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([p, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)))])
      .catch(() => null)
      .finally(() => clearTimeout(timer));
  };
  return async () => {
    const [inbox, waiting, oldest] = await Promise.all([
      bounded(
        db.query<{ n: number; age: number | null }>(
          `SELECT count(*)::int AS n, extract(epoch FROM now() - min(received_at))::float8 AS age FROM intake_inbox
            WHERE state = 'pending'`,
        ),
      ),
      bounded(queue.getWaitingCount()),
      bounded(queue.getWaiting(-1, -1)),
    ]);
    const row = inbox?.[0];
    return {
      inbox_pending: row ? Number(row.n) : null,
      inbox_oldest_pending_age_seconds: row ? Math.max(0, Math.round(Number(row.age ?? 0))) : null,
      queue_waiting: waiting,
      queue_oldest_waiting_age_seconds:
        oldest === null ? null : oldest[0] ? Math.max(0, Math.round((Date.now() - oldest[0].timestamp) / 1000)) : 0,
    };
  };
}
