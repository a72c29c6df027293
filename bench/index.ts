/**
 * `npm run bench [-- --only append,history] [--scale 0.1] [--rounds 3] [--keep]`: runs the benchmarks
 * against the real PostgreSQL, in a database of their own (created when missing) and a fresh schema
 * (dropped afterwards), and prints each figure beside the machine's raw baseline and the goal it is
 * measured against. Goals are informational: the exit code is 0 whether they are met or not, and
 * non-zero only when a benchmark could not run. `--help` prints the options.
 *
 * A new benchmark is a module exporting a `Benchmark` (see harness.ts), listed in BENCHMARKS.
 */
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { z } from 'zod';
import { deriveMasterKeys } from '../connector/model/sealing.ts';
import { openDatabase } from '../connector/store/database.ts';
import { migrate } from '../connector/store/migrate.ts';
import { StandingLog } from '../connector/store/standing-log.ts';
import { verdict, type BenchContext, type Benchmark, type Figure } from './harness.ts';
import { historyQuery } from './history-query.ts';
import { insightsQuery } from './insights-query.ts';
import { logAppend } from './log-append.ts';
import { webhookIntake } from './webhook-intake.ts';
import { appSidebar } from './app-sidebar.ts';
import { reconcileUsers } from './reconcile-users.ts';

const BENCHMARKS: readonly Benchmark[] = [
  logAppend,
  historyQuery,
  insightsQuery,
  webhookIntake,
  appSidebar,
  reconcileUsers,
];

// A database of its own: a run's load and schemas stay away from the tests' shared `test` database.
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/standing_bench';

const USAGE = `Usage: npm run bench [-- options]

  --only <names>   comma-separated benchmarks to run: ${BENCHMARKS.map((b) => b.name).join(', ')} (default: all)
  --scale <x>      multiply every data size by x, 0 < x <= 10 (default 1; 0.1 for a quick look)
  --rounds <n>     alternated product / baseline rounds where a median is compared, 1-9 (default 3)
  --keep           keep the schema afterwards (for EXPLAIN ANALYZE); drop it yourself
  --help           print this and exit

Environment: BENCH_DATABASE_URL (default ${DEFAULT_DATABASE_URL}; the database is created
when missing), BENCH_REDIS_URL (default redis://127.0.0.1:6379), BENCH_CPU_PROF_DIR (write V8 CPU
profiles of the service processes there).`;

const BenchEnv = z.object({
  BENCH_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'BENCH_DATABASE_URL must be a postgres:// connection string')
    .default(DEFAULT_DATABASE_URL),
});

const BenchArgs = z.object({
  only: z
    .string()
    .optional()
    .transform((s) =>
      s
        ? s
            .split(',')
            .map((n) => n.trim())
            .filter(Boolean)
        : BENCHMARKS.map((b) => b.name),
    )
    .pipe(
      z.array(
        z.enum(BENCHMARKS.map((b) => b.name) as [string, ...string[]], {
          message: `--only takes a comma-separated list of: ${BENCHMARKS.map((b) => b.name).join(', ')}`,
        }),
      ),
    ),
  keep: z.boolean().default(false),
  scale: z.coerce
    .number({ message: '--scale must be a number' })
    .positive('--scale must be greater than 0')
    .max(10, '--scale must be at most 10')
    .default(1),
  rounds: z.coerce
    .number({ message: '--rounds must be a number' })
    .int('--rounds must be a whole number')
    .min(1, '--rounds must be at least 1')
    .max(9, '--rounds must be at most 9')
    .default(3),
});

interface Row {
  benchmark: string;
  figure: Figure;
}

async function main(): Promise<number> {
  const env = BenchEnv.safeParse(process.env);
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        only: { type: 'string' },
        scale: { type: 'string' },
        rounds: { type: 'string' },
        keep: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    console.error(`bench: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const { help: _help, ...given } = values;
  const args = BenchArgs.safeParse(given);
  if (!env.success || !args.success) {
    for (const issue of [...(env.error?.issues ?? []), ...(args.error?.issues ?? [])])
      console.error(`bench: ${issue.path.join('.') || 'argument'}: ${issue.message}`);
    return 2;
  }
  const url = env.data.BENCH_DATABASE_URL;
  const selected = BENCHMARKS.filter((b) => args.data.only.includes(b.name));
  const schema = `bench_${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_${randomBytes(2).toString('hex')}`;

  await ensureDatabase(url);
  const db = await openDatabase({ url, schema });
  const notes: string[] = [];
  const rows: Row[] = [];
  const failures: string[] = [];
  const started = performance.now();
  const dropSchema = async () => {
    if (!args.data.keep) await db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await db.close();
  };
  // Ctrl-C mid-run must not leave a million-row schema behind.
  process.once('SIGINT', () => {
    console.error(`\nbench: interrupted, dropping schema ${schema}`);
    void dropSchema().finally(() => process.exit(130));
  });
  try {
    await migrate(db);
    const [pgVersion] = await db.query<{ server_version: string }>('SHOW server_version');
    printEnvironment(pgVersion?.server_version ?? 'unknown', schema, args.data.scale);
    const master = deriveMasterKeys(randomBytes(32));
    const ctx: BenchContext = {
      db,
      url,
      schema,
      master,
      scale: args.data.scale,
      rounds: args.data.rounds,
      newLog: (options) => new StandingLog(db, master, options),
      rawClient: async () => {
        const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
        await client.connect();
        return client;
      },
      progress: (message) =>
        console.error(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}`),
      note: (text) => notes.push(text),
      settleHeap: () => {
        const gc = (globalThis as { gc?: () => void }).gc;
        gc?.();
        gc?.();
      },
    };
    for (const bench of selected) {
      ctx.progress(`${bench.name}: ${bench.description}`);
      ctx.settleHeap();
      try {
        for (const figure of await bench.run(ctx)) rows.push({ benchmark: bench.name, figure });
      } catch (err) {
        failures.push(`${bench.name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
    }
  } finally {
    await dropSchema();
  }
  printTable(rows);
  if (notes.length > 0) console.log(`\nNotes\n${notes.map((n) => `- ${n}`).join('\n')}`);
  console.log(`\nLoad average at end ${formatLoad()} (1 / 5 / 15 min).`);
  console.log(
    `\nGoals are informational: BELOW GOAL does not fail the run. Total ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s; schema ${schema} ` +
      `${args.data.keep ? 'KEPT (--keep): drop it when done' : 'dropped'}.`,
  );
  for (const f of failures) console.error(`\nbench: FAILED ${f}`);
  return failures.length > 0 ? 1 : 0;
}

/** Creates the URL's database when it does not exist yet (connecting to `postgres` on the same server). */
async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } catch (err) {
    // Two runs creating it at once: the loser finds it made.
    if ((err as { code?: unknown }).code !== '42P04') throw err;
  } finally {
    await client.end();
  }
}

function printEnvironment(pgVersion: string, schema: string, scale: number): void {
  const cpu = cpus();
  console.log('Standing benchmarks');
  console.log(`  node ${process.version}, ${cpu.length} CPU(s): ${cpu[0]?.model.trim() ?? 'unknown'}`);
  console.log(`  PostgreSQL ${pgVersion}, schema ${schema}${scale === 1 ? '' : `, scale ${scale}`}`);
  console.log(
    `  load average at start ${formatLoad()}` +
      (loadavg()[0]! > 1 ? '  (other work is running: figures, above all tail latencies, will be noisy)' : ''),
  );
}

const formatLoad = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

const number = (v: number, unit: string) =>
  unit === 'ms' ? (v < 1 ? v.toFixed(3) : v.toFixed(2)) : Math.round(v).toLocaleString('en-US');

function printTable(rows: readonly Row[]): void {
  const baselines: string[] = [];
  const cells = rows.map(({ benchmark, figure: f }) => {
    let baseline = '';
    let ratio = '';
    if (f.baseline) {
      let ref = baselines.indexOf(f.baseline.name);
      if (ref < 0) ref = baselines.push(f.baseline.name) - 1;
      baseline = `${number(f.baseline.value, f.unit)} [${ref + 1}]`;
      ratio = `${(f.value / f.baseline.value).toFixed(2)}x`;
    }
    const goal = !f.goal
      ? ''
      : f.goal.ratio
        ? `${f.better === 'higher' ? '>=' : '<='} ${f.goal.limit.toFixed(2)}x`
        : `${f.better === 'higher' ? '>=' : '<'} ${number(f.goal.limit, f.unit)}`;
    const spread = f.spread ? f.spread.map((v) => number(v, f.unit)).join('-') : '';
    return [benchmark, f.name, number(f.value, f.unit), spread, f.unit, baseline, ratio, goal, verdict(f)];
  });
  const header = ['benchmark', 'figure', 'value', 'spread', 'unit', 'raw baseline', 'ratio', 'goal', 'verdict'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const numeric = new Set([2, 3, 5, 6]);
  const line = (c: readonly string[]) =>
    c
      .map((v, i) => (numeric.has(i) ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const c of cells) console.log(line(c));
  if (baselines.length > 0)
    console.log(
      `\nRaw baselines (same run, same machine; ratio = figure / ` +
        `baseline)\n${baselines.map((b, i) => `  [${i + 1}] ${b}`).join('\n')}`,
    );
}

process.exitCode = await main();
