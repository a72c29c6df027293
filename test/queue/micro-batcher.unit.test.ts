import { describe, expect, it } from 'vitest';
import { MicroBatcher } from '../../connector/lib/micro-batcher.ts';

const tick = () => new Promise((r) => setImmediate(r));

describe('MicroBatcher', () => {
  it('groups items submitted together and resolves each with its own result', async () => {
    const batches: number[][] = [];
    const b = new MicroBatcher<number, number>(async (xs) => (batches.push(xs), xs.map((x) => x * 10)), {
      maxWaitMs: 0,
    });
    expect(await Promise.all([1, 2, 3].map((x) => b.submit(x)))).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('never runs more than maxInFlight batches, and what gathers meanwhile leaves as one batch', async () => {
    let running = 0;
    let most = 0;
    const releases: (() => void)[] = [];
    const batches: number[][] = [];
    const b = new MicroBatcher<number, null>(
      async (xs) => {
        batches.push(xs);
        most = Math.max(most, ++running);
        await new Promise<void>((r) => releases.push(r));
        running--;
        return xs.map(() => null);
      },
      { maxWaitMs: 0, maxInFlight: 1 },
    );
    const first = b.submit(1);
    await tick();
    const rest = [2, 3, 4].map((x) => b.submit(x));
    await tick();
    expect(batches).toEqual([[1]]);
    releases.shift()!();
    await first;
    await tick();
    expect(batches).toEqual([[1], [2, 3, 4]]);
    releases.shift()!();
    await Promise.all(rest);
    expect(most).toBe(1);
  });

  it('splits at maxBatch and rejects every item of a failed batch', async () => {
    const sizes: number[] = [];
    const b = new MicroBatcher<number, number>(
      async (xs) => {
        sizes.push(xs.length);
        if (xs.includes(7)) throw new Error('boom');
        return xs;
      },
      { maxBatch: 3, maxWaitMs: 0, maxInFlight: 4 },
    );
    const results = await Promise.allSettled([1, 2, 3, 4, 5, 6, 7].map((x) => b.submit(x)));
    expect(sizes).toEqual([3, 3, 1]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
    ]);
  });

  it('close() flushes what is queued', async () => {
    const seen: number[] = [];
    const b = new MicroBatcher<number, null>(async (xs) => (seen.push(...xs), xs.map(() => null)), { maxWaitMs: 1000 });
    const p = b.submit(1);
    await b.close();
    await p;
    expect(seen).toEqual([1]);
  });
});
