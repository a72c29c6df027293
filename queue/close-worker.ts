/**
 * Closes a BullMQ worker within a bounded time. `worker.close()` waits for the jobs in progress and
 * the blocking connection; after Redis restarted under it, that wait was seen never to end (a fault
 * test's shutdown hung for minutes). Past the grace, the worker is closed without waiting for its
 * jobs and disconnected: jobs still in progress are stalled and run again elsewhere, which is safe
 * because every job is idempotent (the inbox and the log dedupe).
 */
import type { Worker } from 'bullmq';

export const DEFAULT_WORKER_CLOSE_GRACE_MS = 10_000;

/** Waits for `p` at most `ms`; `'timeout'` when it did not settle by then. */
export const within = <T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
};

/** `graceful` when the worker closed within `graceMs`, `forced` otherwise. */
export async function closeWorker(
  worker: Worker,
  graceMs = DEFAULT_WORKER_CLOSE_GRACE_MS,
): Promise<'graceful' | 'forced'> {
  if (
    (await within(
      worker.close().then(() => 'closed' as const),
      graceMs,
    )) === 'closed'
  )
    return 'graceful';
  await within(worker.close(true), graceMs);
  await within(
    worker.disconnect().catch(() => undefined),
    graceMs,
  );
  return 'forced';
}
