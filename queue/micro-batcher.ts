/**
 * Collects items submitted one at a time by concurrent callers and hands them to `flush` in
 * batches, resolving each caller with its own item's result. Used on the hot paths (webhook inbox
 * writes, log appends from jobs) so that N concurrent events cost one round trip, not N.
 */
export interface MicroBatcherOptions {
  /**
   * Largest batch handed to `flush`.
   * @defaultValue 500
   */
  maxBatch?: number;
  /**
   * Longest an item waits for companions before its batch is flushed anyway.
   * @defaultValue 5 ms
   */
  maxWaitMs?: number;
}

const DEFAULTS: Required<MicroBatcherOptions> = { maxBatch: 500, maxWaitMs: 5 };

interface Pending<I, O> {
  item: I;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

/** `flush` must return one result per item, in order; if it throws, every item of the batch is rejected. */
export class MicroBatcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly options: Required<MicroBatcherOptions>;
  private inFlight = new Set<Promise<void>>();

  constructor(
    private readonly flush: (items: I[]) => Promise<O[]>,
    options: MicroBatcherOptions = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= this.options.maxBatch) this.drain();
      else this.timer ??= setTimeout(() => this.drain(), this.options.maxWaitMs);
    });
  }

  /** Flushes what is queued and waits for every batch in flight. */
  async close(): Promise<void> {
    this.drain();
    await Promise.allSettled([...this.inFlight]);
  }

  private drain(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      const run = this.run(batch);
      this.inFlight.add(run);
      void run.finally(() => this.inFlight.delete(run));
    }
  }

  private async run(batch: Pending<I, O>[]): Promise<void> {
    try {
      const results = await this.flush(batch.map((p) => p.item));
      if (results.length !== batch.length) throw new Error(`flush returned ${results.length} results for ${batch.length} items`);
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}
