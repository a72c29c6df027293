/**
 * The processes a benchmark starts and watches: the service (api / worker roles of
 * connector/main.ts), free ports, readiness, and CPU time of a process, of PostgreSQL backends
 * by `application_name` and of the Redis server, read from /proc (Linux), so that a figure can
 * be divided into CPU per event for each process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { Database } from '../connector/store/database.ts';
import { LoadClient, serializeRequest } from './load-client.ts';

const MAIN = fileURLToPath(new URL('../connector/main.ts', import.meta.url));
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
// /proc/<pid>/stat counts in clock ticks: 100 per second on every Linux Node supports (USER_HZ).
const TICK_MS = 10;

/** Starts connector/main.ts in a role and resolves once its /readyz answers 200. */
export async function startService(
  env: NodeJS.ProcessEnv,
  role: 'api' | 'worker',
  port: number,
): Promise<ChildProcess> {
  // BENCH_CPU_PROF_DIR=dir writes a V8 CPU profile of each service process there when it exits.
  const profile = process.env.BENCH_CPU_PROF_DIR
    ? [`--cpu-prof`, `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}/${role}`]
    : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', MAIN], {
    env: { ...env, STANDING_ROLE: role, PORT: String(port) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const probe = new LoadClient(port, 1);
  const readyz = serializeRequest('GET', '/readyz', {});
  try {
    await waitUntil(async () => (await probe.send(readyz).catch(() => ({ status: 0 }))).status === 200, 60_000);
  } finally {
    probe.close();
  }
  return child;
}

export async function stopProcesses(children: readonly ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }),
  );
}

/** User + system CPU milliseconds a process has used so far (0 when it is gone). */
export function cpuMsOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3; utime, stime are 14, 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

export function rssOf(child: ChildProcess): number {
  try {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** The pids of the PostgreSQL backends serving sessions named `applicationName`. */
export async function backendPids(db: Database, applicationName: string): Promise<number[]> {
  const rows = await db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [
    applicationName,
  ]);
  return rows.map((r) => Number(r.pid));
}

export async function redisServerPid(): Promise<number | undefined> {
  const redis = new Redis(REDIS_URL);
  try {
    const info = await redis.info('server');
    const pid = /process_id:(\d+)/.exec(info)?.[1];
    return pid ? Number(pid) : undefined;
  } finally {
    redis.disconnect();
  }
}

/** CPU ms per watched name, measured between `start()` and `stop()`. */
export interface CpuMeter {
  stop(): Promise<Map<string, number>>;
}

/**
 * Meters the CPU of named processes and of the PostgreSQL backends of named sessions. Backends are
 * listed at the start and again at the end; one that appears in between counts from zero.
 */
export async function meterCpu(
  db: Database,
  processes: Readonly<Record<string, number | undefined>>,
  sessions: Readonly<Record<string, string>>,
): Promise<CpuMeter> {
  const before = new Map<number, number>();
  const pidsOf = async () => {
    const out = new Map<string, number[]>();
    for (const [name, pid] of Object.entries(processes)) out.set(name, pid === undefined ? [] : [pid]);
    for (const [name, app] of Object.entries(sessions)) out.set(name, await backendPids(db, app));
    return out;
  };
  for (const pids of (await pidsOf()).values()) for (const pid of pids) before.set(pid, cpuMsOf(pid));
  return {
    stop: async () => {
      const used = new Map<string, number>();
      for (const [name, pids] of await pidsOf())
        used.set(
          name,
          pids.reduce((sum, pid) => sum + cpuMsOf(pid) - (before.get(pid) ?? 0), 0),
        );
      return used;
    },
  };
}

export async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function dropPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
