/**
 * Runs the textbook pipeline (textbook-process.ts: express -> one BullMQ job per webhook -> one
 * INSERT per job) on the same PostgreSQL and Redis, fed the same signed deliveries, and returns its
 * end-to-end rate: from the first request until the last row is committed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Database } from '../connector/store/database.ts';
import { elapsedMs } from './harness.ts';
import { LoadClient } from './load-client.ts';

const PROCESS = fileURLToPath(new URL('./textbook-process.ts', import.meta.url));

export interface TextbookOptions {
  db: Database;
  databaseUrl: string;
  schema: string;
  redisUrl: string;
  prefix: string;
  secret: string;
  port: number;
  /** Pre-serialized signed deliveries to POST /webhooks/zendesk/default. */
  deliveries: readonly Buffer[];
  /** Requests in flight, as for the service. */
  inFlight: number;
}

export async function textbookRate(o: TextbookOptions): Promise<number> {
  const table = `${o.schema}.textbook_events`;
  await o.db.exec(
    `CREATE TABLE ${table} (event_id text PRIMARY KEY, body jsonb NOT NULL, received_at timestamptz NOT NULL
      DEFAULT now())`,
  );
  const env = {
    ...process.env,
    TEXTBOOK_REDIS_URL: o.redisUrl,
    TEXTBOOK_PREFIX: o.prefix,
    TEXTBOOK_SECRET: o.secret,
    TEXTBOOK_PORT: String(o.port),
    TEXTBOOK_DATABASE_URL: o.databaseUrl,
    TEXTBOOK_TABLE: table,
  };
  const children = await Promise.all(['api', 'worker'].map((role) => start(role, env)));
  const client = new LoadClient(o.port);
  try {
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
    for (;;) {
      const [row] = await o.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
      if (row!.n >= o.deliveries.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return o.deliveries.length / (elapsedMs(t0) / 1000);
  } finally {
    client.close();
    for (const child of children) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
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
