/**
 * What every benchmark module shares: the shape of a benchmark and of the figures it reports, the
 * context the runner hands it, and small measuring helpers. Figures are informational: a goal that
 * is missed is printed, never turned into a failing exit code.
 */
import type pg from 'pg';
import type { Database } from '../connector/store/database.ts';
import type { MasterKeys } from '../connector/model/sealing.ts';
import type { StandingLog, StandingLogOptions } from '../connector/store/standing-log.ts';

/** A target a figure is measured against: `higher` figures must reach it, `lower` ones stay under it. */
export interface Goal {
  limit: number;
  /**
   * The limit applies to the ratio figure / baseline (e.g. `>= 3x` the textbook pipeline) rather
   * than to the figure; a `lower` ratio goal is met at or under the limit.
   * @defaultValue false
   */
  ratio?: boolean;
}

/** One measured number, with the raw machine baseline it is read against. */
export interface Figure {
  /** What was measured, e.g. `1 writer, batch 500`. */
  name: string;
  value: number;
  /** e.g. `events/s`, `ms`. */
  unit: string;
  /** Lowest and highest of the rounds `value` is the median of. */
  spread?: readonly [number, number];
  /** Which way is better; decides how the goal is checked. */
  better: 'higher' | 'lower';
  /** The same work done the plainest way this machine allows, measured in the same run. */
  baseline?: { name: string; value: number };
  goal?: Goal;
}

export interface BenchContext {
  /** The store's database, on a fresh migrated schema that is dropped after the run. */
  readonly db: Database;
  readonly url: string;
  readonly schema: string;
  readonly master: MasterKeys;
  /** Multiplies every size (events, rows, queries); 1 is the documented benchmark. */
  readonly scale: number;
  /** Rounds of each alternated product / baseline comparison (the spread is printed). */
  readonly rounds: number;
  /** A new StandingLog on `db`: new instances start with empty identity and key caches. */
  newLog(options?: StandingLogOptions): StandingLog;
  /** A plain `pg` client on the same schema, for raw baselines; the caller ends it. */
  rawClient(): Promise<pg.Client>;
  /** A line of progress (stderr), so the figures on stdout stay readable. */
  progress(message: string): void;
  /** A remark printed under the figures table, e.g. how the data was made. */
  note(text: string): void;
  /**
   * Collects the garbage earlier work left (`npm run bench` runs node with --expose-gc), so that a
   * latency figure does not pay for another benchmark's heap. A no-op without --expose-gc.
   */
  settleHeap(): void;
}

export interface Benchmark {
  /** Name used by `--only`. */
  name: string;
  /** One line: what it measures. */
  description: string;
  run(ctx: BenchContext): Promise<Figure[]>;
}

export type GoalVerdict = 'PASS' | 'BELOW GOAL' | '';

export function verdict(f: Figure): GoalVerdict {
  if (!f.goal) return '';
  if (f.goal.ratio) {
    if (!f.baseline) return '';
    const r = f.value / f.baseline.value;
    return (f.better === 'higher' ? r >= f.goal.limit : r <= f.goal.limit) ? 'PASS' : 'BELOW GOAL';
  }
  const met = f.better === 'higher' ? f.value >= f.goal.limit : f.value < f.goal.limit;
  return met ? 'PASS' : 'BELOW GOAL';
}

/** Scales a size, keeping at least `min`. */
export function scaled(ctx: Pick<BenchContext, 'scale'>, size: number, min = 1): number {
  return Math.max(min, Math.round(size * ctx.scale));
}

export function elapsedMs(since: number): number {
  return performance.now() - since;
}

/** Nearest-rank percentile of already sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of no values');
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  count: number;
}

export function summarize(samplesMs: readonly number[]): LatencySummary {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1)!,
    count: sorted.length,
  };
}

/** Times `fn` once per call, sequentially, returning each call's milliseconds; `setup` runs untimed before each. */
export async function timeEach<S = void>(
  count: number,
  fn: (i: number, prepared: S) => Promise<void>,
  setup?: (i: number) => S,
): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const prepared = setup ? setup(i) : (undefined as S);
    const t0 = performance.now();
    await fn(i, prepared);
    samples.push(elapsedMs(t0));
  }
  return samples;
}

/** Small seeded PRNG (mulberry32): the same seed makes the same data set in every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
