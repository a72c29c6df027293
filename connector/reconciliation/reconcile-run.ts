/**
 * What every provider's reconciler shares: a run's options and result, and the page helpers
 * (read ahead, throttle the run record). Each provider's reconciler (connector/zendesk/reconciler.ts,
 * salesforce/reconciler.ts) reads its own provider and hands its pages to page-loop.ts.
 */
import type { FindingOptions } from './findings.ts';
import type { PageRead } from './page-loop.ts';
import type { RunCounters, RunState, RunTrigger } from './reconciliation-store.ts';

export interface ReconcileOptions {
  /** @defaultValue `schedule` */
  trigger?: RunTrigger;
  /**
   * Backfill: read from this instant (its own checkpoint, `<stream>@backfill`, so it never moves the
   * scheduled runs' checkpoint). Resumed where it stopped when run again with the same `since`.
   */
  since?: Date;
  /** Where a stream without a checkpoint starts, back from now. @defaultValue 7 days */
  initialLookbackMs?: number;
  /** Most pages per stream per run; reaching it ends the run `partial` (resumed next run). @defaultValue 1000 */
  maxPages?: number;
  /** Stop before the next page when it returns a reason (Ctrl-C). */
  shouldStop?: () => string | null;
  /** After each durable page. */
  onProgress?: (p: { stream: string; counters: RunCounters; endOfStream: boolean; latestAt?: string }) => void;
  findings?: FindingOptions;
}

export const DEFAULT_RECONCILE_OPTIONS = { initialLookbackMs: 7 * 86_400_000, maxPages: 1000 } as const;

export interface RunResult {
  id: string;
  state: RunState;
  counters: RunCounters;
}

/** Calls `fn` at most once per `everyMs`. */
export function throttled(fn: () => Promise<void>, everyMs: number, now: () => number = Date.now): () => Promise<void> {
  let last = -Infinity;
  return async () => {
    if (now() - last < everyMs) return;
    last = now();
    await fn();
  };
}

/**
 * Reads pages ahead of the consumer: the fetch of the next page starts as soon as the previous
 * fetch answered successfully (at most `depth` pages ahead), and each fetched page is compared at
 * once. After a failure nothing more is fetched. The consumer still takes pages in order.
 */
export function pipelined<P, F extends { ok: boolean; next?: P; endOfStream?: boolean }>(
  fetch: (p: P) => Promise<F>,
  compare: (fetched: F) => Promise<PageRead<P>>,
  depth = 4,
): { read(p: P): Promise<PageRead<P>> } {
  const ahead = new Map<string, Promise<PageRead<P>>>();
  const start = (p: P): Promise<PageRead<P>> => {
    const fetched = fetch(p).then((r) => {
      if (r.ok && !r.endOfStream && r.next !== undefined && ahead.size < depth) {
        const key = JSON.stringify(r.next);
        if (!ahead.has(key)) ahead.set(key, start(r.next));
      }
      return r;
    });
    const page = fetched.then(compare);
    page.catch(() => undefined); // awaited (and reported) by the read that takes it
    return page;
  };
  return {
    read: (p) => {
      const key = JSON.stringify(p);
      const page = ahead.get(key) ?? start(p);
      ahead.delete(key);
      // The chain may have paused at `depth`: taking a page lets it go on.
      void page.then((r) => {
        if (!r.ok || r.page.endOfStream) return;
        const next = JSON.stringify(r.page.next);
        if (!ahead.has(next) && ahead.size < depth) ahead.set(next, start(r.page.next));
      });
      return page;
    },
  };
}
