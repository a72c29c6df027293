/**
 * Runs the textbook pipeline (textbook-process.ts: express -> one BullMQ job per webhook -> one
 * INSERT per job) on the same PostgreSQL and Redis, fed the same kind of signed deliveries, and
 * returns its end-to-end rate (from the first request until the last row is committed) and the CPU
 * each of its processes used.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Database } from '../connector/store/database.ts';
import { elapsedMs } from './harness.ts';
import { LoadClient } from './load-client.ts';
import { meterCpu, stopProcesses } from './processes.ts';

const PROCESS = fileURLToPath(new URL('./textbook-process.ts', import.meta.url));

export interface TextbookOptions {
  db: Database;
  databaseUrl: string;
  schema: string;
  redisUrl: string;
  redisPid: number | undefined;
  prefix: string;
  secret: string;
  port: number;
  /** Pre-serialized signed deliveries to POST /webhooks/zendesk/default. */
  deliveries: readonly Buffer[];
  /** Requests in flight, as for the service. */
  inFlight: number;
  /** Rows already in the table before the run (the log at production size). */
  existingRows: number;
}

export interface PipelineRun {
  rate: number;
  /** CPU ms used during the run by: api, worker, postgres (its backends), redis (the whole server). */
  cpuMs: Map<string, number>;
}

export async function textbookRun(o: TextbookOptions): Promise<PipelineRun> {
  const table = `${o.schema}.textbook_events`;
  await o.db.exec(`DROP TABLE IF EXISTS ${table}`);
  await o.db.exec(
    `CREATE TABLE ${table} (event_id text PRIMARY KEY, body jsonb NOT NULL, received_at timestamptz NOT NULL
      DEFAULT now())`,
  );
  if (o.existingRows > 0)
    await o.db.exec(
      `INSERT INTO ${table} (event_id, body) SELECT 'seed-' || n, ` +
        `jsonb_build_object('id', n, 'detail', jsonb_build_object('email', 'seed' || n || '@example.com')) ` +
        `FROM generate_series(1, ${o.existingRows}) n`,
    );
  const app = `${o.schema}_textbook`.slice(0, 63);
  const url = `${o.databaseUrl}${o.databaseUrl.includes('?') ? '&' : '?'}application_name=${app}`;
  const env = {
    ...process.env,
    TEXTBOOK_REDIS_URL: o.redisUrl,
    TEXTBOOK_PREFIX: o.prefix,
    TEXTBOOK_SECRET: o.secret,
    TEXTBOOK_PORT: String(o.port),
    TEXTBOOK_DATABASE_URL: url,
    TEXTBOOK_TABLE: table,
  };
  const [api, worker] = await Promise.all(['api', 'worker'].map((role) => start(role, env)));
  const client = new LoadClient(o.port);
  try {
    // The worker's pool connects lazily: one query makes its backends visible to the meter.
    const meter = await meterCpu(o.db, { api: api!.pid, worker: worker!.pid, redis: o.redisPid }, { postgres: app });
    const t0 = performance.now();
    let sent = 0;
    await Promise.all(
      Array.from({ length: o.inFlight }, async () => {
        while (sent < o.deliveries.length) {
          const r = await client.send(o.deliveries[sent++]!);
          if (r.status !== 202) throw new Error(`textbook webhook answered ${r.status}`);
        }
      }),
    );
    const target = o.existingRows + o.deliveries.length;
    for (;;) {
      const [row] = await o.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
      if (row!.n >= target) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const rate = o.deliveries.length / (elapsedMs(t0) / 1000);
    return { rate, cpuMs: await meter.stop() };
  } finally {
    client.close();
    await stopProcesses([api!, worker!]);
    await o.db.exec(`DROP TABLE IF EXISTS ${table}`);
  }
}

function start(role: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', PROCESS, role], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`textbook ${role} exited early with ${code}`)));
  });
}
