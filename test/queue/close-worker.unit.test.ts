import type { Worker } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { closeWorker } from '../../queue/close-worker.ts';

/** A worker whose graceful close never ends, as seen after Redis restarted under it. */
function stuckWorker() {
  const calls: string[] = [];
  const worker = {
    close: (force?: boolean) => {
      calls.push(force ? 'close(force)' : 'close');
      return force ? Promise.resolve() : new Promise<void>(() => undefined);
    },
    disconnect: () => {
      calls.push('disconnect');
      return Promise.resolve();
    },
  };
  return { worker: worker as unknown as Worker, calls };
}

describe('closeWorker', () => {
  it('closes gracefully when the worker closes in time', async () => {
    const worker = { close: () => Promise.resolve(), disconnect: () => Promise.resolve() } as unknown as Worker;
    expect(await closeWorker(worker, 50)).toBe('graceful');
  });

  it('forces the close and disconnects when the graceful close does not end', async () => {
    const { worker, calls } = stuckWorker();
    expect(await closeWorker(worker, 20)).toBe('forced');
    expect(calls).toEqual(['close', 'close(force)', 'disconnect']);
  });
});
