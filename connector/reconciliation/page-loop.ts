/**
 * The loop every reconciliation stream shares: read a page, compare it with the log, append what is
 * missing, and only then move the checkpoint; stop at the end of the stream, at the page cap, when
 * asked to (Ctrl-C, a quota share), or at the first failure. Whatever stops it, the checkpoint is
 * written at the last durable page, so the next run resumes exactly there: no gap, no duplicate.
 * A page that appended nothing moves the checkpoint at most every `checkpointEveryMs` (a crash in
 * between re-reads a few unchanged pages, which write nothing); a page with events always does.
 */
import type { NewStandingEvent } from '../model/standing-event.ts';
import type { StandingLog } from '../store/standing-log.ts';
import type { TransitionWindow } from '../store/transition-matching.ts';
import type { ReconciliationStore, RunCounters } from './reconciliation-store.ts';
import type { SourceName } from '../model/standing-event.ts';

/** What one page yields: events to append (with their windows) and where the next page starts. */
export interface PageOutcome<P> {
  events: { event: NewStandingEvent; window?: TransitionWindow }[];
  /** Records read on the page. */
  records: number;
  next: P;
  endOfStream: boolean;
  /** The newest record time on the page (ISO-8601), for progress over a time range. */
  latestAt?: string;
}

export type PageRead<P> = { ok: true; page: PageOutcome<P> } | { ok: false; message: string };

/** Why a stream stopped. */
export type StreamEnd = 'end_of_stream' | 'page_cap' | 'stopped' | 'failed';

export interface StreamLoop<P> {
  log: StandingLog;
  store: ReconciliationStore;
  tenant: string;
  source: SourceName;
  /** Checkpoint name, e.g. `users`, `users@backfill`. */
  stream: string;
  start: P;
  /** Reads the page at a position and compares it with the log. */
  read(position: P): Promise<PageRead<P>>;
  counters: RunCounters;
  /** Most pages this run reads of this stream. */
  maxPages: number;
  /** Asked before every page: a reason to stop now (quota share reached, Ctrl-C), or null. */
  shouldStop?: () => string | null;
  /** After each durable page (progress, run record). */
  afterPage?: (page: PageOutcome<P>) => Promise<void> | void;
  /** Checkpoint payload for a position (e.g. with the backfill's `since`). @defaultValue the position */
  checkpointOf?: (position: P) => unknown;
  /** Least time between checkpoint writes for pages that appended nothing. @defaultValue 1000 ms */
  checkpointEveryMs?: number;
}

export async function runStreamLoop<P>(l: StreamLoop<P>): Promise<StreamEnd> {
  let position = l.start;
  let saved = true;
  let savedAt = Date.now();
  const save = async () => {
    if (saved) return;
    await l.store.setCheckpoint(l.tenant, l.source, l.stream, l.checkpointOf ? l.checkpointOf(position) : position);
    saved = true;
    savedAt = Date.now();
  };
  const end = async (why: StreamEnd, message?: string): Promise<StreamEnd> => {
    if (message) l.counters.errors.push({ stream: l.stream, message });
    await save();
    return why;
  };
  for (let n = 0; ; n++) {
    if (n >= l.maxPages)
      return end('page_cap', `stopped after ${l.maxPages} pages (the page cap); the next run resumes`);
    const stop = l.shouldStop?.();
    if (stop) return end('stopped', stop);
    const r = await l.read(position);
    if (!r.ok) return end('failed', r.message);
    const { page } = r;
    if (page.events.length > 0) {
      const windows = new Map<number, TransitionWindow>();
      page.events.forEach((e, i) => e.window && windows.set(i, e.window));
      const outcomes = await l.log.append(
        page.events.map((e) => e.event),
        { transitionWindows: windows },
      );
      const appended = outcomes.filter((o) => o.status === 'appended').length;
      l.counters.events_appended += appended;
      // Drift is what the log lacked or contradicted. A finding the log already holds (a history row
      // read again in the lookback, a repeated backfill, the change a live event already recorded)
      // comes back `duplicate` and is not drift.
      l.counters.drift_found += appended;
    }
    // Durable: the page's events are committed. Only now may the checkpoint move past it.
    position = page.next;
    saved = false;
    if (page.events.length > 0 || page.endOfStream || Date.now() - savedAt >= (l.checkpointEveryMs ?? 1000))
      await save();
    l.counters.pages++;
    l.counters.records_read += page.records;
    await l.afterPage?.(page);
    if (page.endOfStream) return 'end_of_stream';
  }
}
