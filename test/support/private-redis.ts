/**
 * A Redis server of a test's own, for faults that would disturb other suites on the shared one
 * (FLUSHALL, restarts): a free loopback port, and redis-server started on it with or without AOF.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { waitFor } from './intake-harness.ts';

export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

/**
 * Starts redis-server on `port` and waits until it answers. Without `dir` and `aof` it keeps
 * nothing: a restart loses everything.
 */
export async function startPrivateRedis(
  port: number,
  options: { dir?: string; aof?: boolean } = {},
): Promise<ChildProcess> {
  const persistence = options.aof ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    ...(options.dir ? ['--dir', options.dir] : []),
    ...persistence,
  ];
  const server = spawn('redis-server', args, { stdio: 'ignore' });
  await waitFor('private redis up', async () => {
    const probe = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      probe.disconnect();
    }
  });
  return server;
}
