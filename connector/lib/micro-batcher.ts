/**
 * Collects items submitted one at a time by concurrent callers and hands them to `flush` in
 * batches, resolving each caller with its own item's result. Used on the hot paths (webhook inbox
 * writes, enqueues, log appends from jobs) so that N concurrent events cost one round trip, not N.
 *
 * Group commit: at most `maxInFlight` batches run at once. While they run, new items gather, and
 * the next batch leaves as soon as one finishes. An idle batcher flushes after `maxWaitMs`
 * (0: at the end of the current event-loop turn), so a lone item is not held back, and batches
 * grow by themselves under load.
 */
export interface MicroBatcherOptions {
  /**
   * Largest batch handed to `flush`.
   * @defaultValue 500
   */
  maxBatch?: number;
  /**
   * Longest an item waits for companions when nothing is in flight; 0 flushes at the end of the
   * current event-loop turn.
   * @defaultValue 5 ms
   */
  maxWaitMs?: number;
  /**
   * Batches flushing at once; further items wait for one of them to finish.
   * @defaultValue 2
   */
  maxInFlight?: number;
}

const DEFAULTS: Required<MicroBatcherOptions> = { maxBatch: 500, maxWaitMs: 5, maxInFlight: 2 };

interface Pending<I, O> {
  item: I;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

/** `flush` must return one result per item, in order; if it throws, every item of the batch is rejected. */
export class MicroBatcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private readonly options: Required<MicroBatcherOptions>;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly flush: (items: I[]) => Promise<O[]>,
    options: MicroBatcherOptions = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Flushes everything queued and waits for every batch in flight. */
  async close(): Promise<void> {
    this.cancelTimer();
    while (this.queue.length > 0 || this.inFlight.size > 0) {
      while (this.queue.length > 0) this.start(this.queue.splice(0, this.options.maxBatch));
      await Promise.allSettled([...this.inFlight]);
    }
  }

  private schedule(): void {
    if (this.queue.length === 0 || this.inFlight.size >= this.options.maxInFlight) return;
    if (this.queue.length >= this.options.maxBatch) {
      this.cancelTimer();
      this.start(this.queue.splice(0, this.options.maxBatch));
      this.schedule();
      return;
    }
    if (this.timer) return;
    const fire = () => {
      this.timer = null;
      if (this.queue.length > 0 && this.inFlight.size < this.options.maxInFlight)
        this.start(this.queue.splice(0, this.options.maxBatch));
      this.schedule();
    };
    this.timer = this.options.maxWaitMs === 0 ? setImmediate(fire) : setTimeout(fire, this.options.maxWaitMs);
  }

  private cancelTimer(): void {
    if (!this.timer) return;
    if (this.options.maxWaitMs === 0) clearImmediate(this.timer as NodeJS.Immediate);
    else clearTimeout(this.timer as NodeJS.Timeout);
    this.timer = null;
  }

  private start(batch: Pending<I, O>[]): void {
    const run = this.run(batch).finally(() => {
      this.inFlight.delete(run);
      // Items that gathered meanwhile leave at once: they have waited a whole batch already.
      if (this.queue.length > 0 && this.inFlight.size < this.options.maxInFlight) {
        this.cancelTimer();
        this.start(this.queue.splice(0, this.options.maxBatch));
      }
    });
    this.inFlight.add(run);
  }

  private async run(batch: Pending<I, O>[]): Promise<void> {
    try {
      const results = await this.flush(batch.map((p) => p.item));
      if (results.length !== batch.length)
        throw new Error(`flush returned ${results.length} results for ${batch.length} items`);
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}
