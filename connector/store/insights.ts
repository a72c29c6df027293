/**
 * The insights' reads over the log's public fields (docs/insights.md): counts per bucket, the
 * distributions of time to reinstatement and to decision, and the reinstatements the warnings flag.
 * They read rollups (migration 019) that `catchUp` brings up to the log's head: the scheduler's
 * `insights` job in chunks, and each answer for the rows appended since, so the cost of a query does
 * not grow with the log, and no write path pays for the rollups. A retention cut takes its rows out
 * (`cut`). The figures read per-day rows (a range of 90 days reads a few hundred); only the drill-down
 * reads the per-reinstatement rows.
 */
import type { Database, SqlClient } from './database.ts';
import { sealAad } from './event-codec.ts';
import { loadSql } from './sql.ts';
import type { SubjectResolver } from './subject-resolver.ts';
import { unseal } from '../model/sealing.ts';
import type { CustomerIdentities, SubjectKind } from '../model/standing-event.ts';

const SQL = {
  position: loadSql('insights-position'),
  make: loadSql('insights-progress-make'),
  lock: loadSql('insights-lock'),
  foldDaily: loadSql('insights-fold-daily'),
  forget: loadSql('insights-forget-subjects'),
  foldCycles: loadSql('insights-fold-cycles'),
  foldDecisions: loadSql('insights-fold-decisions'),
  progress: loadSql('insights-progress-set'),
  counts: loadSql('insights-counts'),
  durations: loadSql('insights-durations'),
  flagged: loadSql('insights-flagged'),
  flagCounts: loadSql('insights-flag-counts'),
  touchedDays: loadSql('insights-touched-days'),
  forgetDays: loadSql('insights-days-forget'),
  foldDayReinstatements: loadSql('insights-days-fold-reinstatements'),
  foldDayDurations: loadSql('insights-days-fold-durations'),
  labels: loadSql('insights-labels'),
  touchedSubjects: loadSql('insights-touched-subjects'),
  chunkEnd: loadSql('insights-chunk-end'),
  unfoldDaily: loadSql('insights-unfold-daily'),
  pruneDaily: loadSql('insights-daily-prune'),
};

/** The contracts' `INSIGHT_BUCKETS` and `INSIGHT_WARNINGS` (the store sits below the contracts). */
export type InsightBucket = 'day' | 'week' | 'month';
export type InsightWarning = 'reinstatement_without_approval' | 'reactivation_after_fraud' | 'repeated_cycles';

/** What an insights query covers. */
export interface InsightsScope {
  tenant: string;
  /** First UTC day, `YYYY-MM-DD`, inclusive. */
  from: string;
  /** Last UTC day, inclusive. */
  to: string;
  bucket: InsightBucket;
  /** One source system, or `null` for all. */
  source: string | null;
  about: 'all' | SubjectKind;
}

/** The warnings' thresholds, as the tenant set them (the contracts' `WarningSettings`). */
export interface InsightThresholds {
  unapproved_reinstatement: { enabled: boolean; exempt_reason_codes: readonly string[] };
  fraud_reactivation: { enabled: boolean; reason_codes: readonly string[]; window_hours: number };
  repeated_cycles: { enabled: boolean; min_cycles: number; window_days: number };
}

export interface CountRow {
  bucket: string;
  change: 'deactivation' | 'reinstatement';
  reason_code: string;
  initiation: string;
  source: string;
  events: number;
}

export interface DurationRow {
  measure: 'reinstatement' | 'decision';
  /** `null`: the whole range. */
  bucket: string | null;
  n: number;
  p50: number;
  p90: number;
  max: number;
}

export interface FlagCountRow {
  warning: InsightWarning;
  bucket: string | null;
  n: number;
}

export interface FlaggedRow {
  warning: InsightWarning;
  subject_id: string;
  about: SubjectKind;
  bucket: string;
  at: string;
  event_ids: string[];
  cycles: number | null;
}

/** A flagged customer named by the identities of its latest event; none once erased. */
export interface SubjectLabel {
  subject_id: string;
  about: SubjectKind;
  erased: boolean;
  identities: Partial<CustomerIdentities>;
}

// Prepared (parsed and, after a few runs, planned once per connection): planning the flag counts took as
// long as running them on the benchmark's tenant.
const PREPARED = { prepare: true } as const;

/** Most answers `figures` keeps (the oldest goes first). */
const KEPT_ANSWERS = 256;

export interface CatchUpOptions {
  /** Most log rows to fold in this call. @defaultValue all the tenant's new rows */
  maxRows?: number;
}

export interface CatchUp {
  /** Log rows folded in by this call. */
  rows: number;
  /** The highest seq folded in now. */
  through: number;
}

/** What `figures` answers: the rows of insights-counts, insights-durations and insights-flag-counts. */
export interface Figures {
  counts: CountRow[];
  durations: DurationRow[];
  flags: FlagCountRow[];
}

interface Position {
  through: string;
  head: string;
  first: string;
}

/**
 * PostgreSQL's `percentile_disc`: the first value (ascending) whose rank reaches the fraction `p` of
 * the count, i.e. the value at rank ceil(p * n), computed in the same double arithmetic.
 */
const nearestRank = (sorted: Float64Array, p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;

/** Takes the tenant's catch-up lock for the transaction (making its progress row); the seq folded through. */
async function lockProgress(tx: SqlClient, tenant: string): Promise<number> {
  await tx.query(SQL.make, [tenant]);
  const [locked] = await tx.query<{ through: string }>(SQL.lock, [tenant]);
  return Number(locked?.through ?? 0);
}

/**
 * Recomputes the cycles and decisions of some subjects from their events up to `through`, then the
 * daily reinstatement and duration rows of every day on which one of those rows went, came or changed.
 */
async function refold(tx: SqlClient, tenant: string, subjects: readonly string[], through: number): Promise<void> {
  if (subjects.length === 0) return;
  const list = [...subjects];
  // Prepared where the plan does not depend on how many subjects or days there are (index lookups each).
  const rows = async () =>
    new Set(
      (await tx.query<{ day: string; digest: string }>(SQL.touchedDays, [tenant, list], PREPARED)).map(
        (r) => `${r.day} ${r.digest}`,
      ),
    );
  const before = await rows();
  await tx.query(SQL.forget, [tenant, list], PREPARED);
  await tx.query(SQL.foldCycles, [tenant, list, through]);
  await tx.query(SQL.foldDecisions, [tenant, list, through]);
  const after = await rows();
  // Only the days of rows that are gone, new or changed: the others' daily rows stay as they are.
  const changed = new Set<string>();
  for (const r of before) if (!after.has(r)) changed.add(r.slice(0, 10));
  for (const r of after) if (!before.has(r)) changed.add(r.slice(0, 10));
  if (changed.size === 0) return;
  const touched = [...changed];
  await tx.query(SQL.forgetDays, [tenant, touched], PREPARED);
  await tx.query(SQL.foldDayReinstatements, [tenant, touched], PREPARED);
  await tx.query(SQL.foldDayDurations, [tenant, touched], PREPARED);
}

const scopeParams = (s: InsightsScope) => [s.tenant, s.from, s.to, s.bucket, s.source, s.about];

const thresholdParams = (t: InsightThresholds) => [
  t.unapproved_reinstatement.enabled,
  [...t.unapproved_reinstatement.exempt_reason_codes],
  t.fraud_reactivation.enabled,
  [...t.fraud_reactivation.reason_codes],
  t.fraud_reactivation.window_hours,
  t.repeated_cycles.enabled,
  t.repeated_cycles.min_cycles,
  t.repeated_cycles.window_days,
];

export class InsightsStore {
  private readonly answers = new Map<string, { state: string; figures: Figures }>();

  constructor(
    private readonly db: Database,
    private readonly subjects: SubjectResolver,
  ) {}

  /**
   * Folds the tenant's log rows appended since the last call into the rollups, at most `maxRows` of
   * them (the scheduled catch-up's chunks; a request folds the whole tail). Cheap when there are none
   * (one query); concurrent callers wait on the tenant's progress row, so no row is counted twice. The
   * log's seq order is its commit order (appends hold the tenant's chain head).
   */
  async catchUp(tenant: string, options: CatchUpOptions = {}): Promise<CatchUp> {
    const [pos] = await this.db.query<Position>(SQL.position, [tenant], PREPARED);
    if (!pos || Number(pos.head) <= Number(pos.through)) return { rows: 0, through: Number(pos?.through ?? 0) };
    return this.db.transaction(async (tx) => {
      const after = await lockProgress(tx, tenant);
      const [end] = await tx.query<{ through: string | null; rows: number }>(SQL.chunkEnd, [
        tenant,
        after,
        options.maxRows ?? null,
      ]);
      if (end?.through === null || end?.through === undefined) return { rows: 0, through: after };
      const through = Number(end.through);
      await tx.query(SQL.foldDaily, [tenant, after, through]);
      const [touched] = await tx.query<{ subjects: string[] }>(SQL.touchedSubjects, [tenant, after, through]);
      await refold(tx, tenant, touched?.subjects ?? [], through);
      await tx.query(SQL.progress, [tenant, through]);
      return { rows: Number(end.rows), through };
    });
  }

  /**
   * Runs a retention cut of the tenant's rows up to `through` (`cut`, in the same transaction) and
   * takes those rows out of the rollups: their daily counts are subtracted, and the cycles, decisions
   * and days of every subject that had a row among them are recomputed from what the log still holds.
   */
  async cut<T>(tenant: string, through: number, cut: (tx: SqlClient) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      const progress = await lockProgress(tx, tenant);
      const folded = Math.min(through, progress);
      const [touched] = await tx.query<{ subjects: string[] }>(SQL.touchedSubjects, [tenant, 0, folded]);
      const subjects = touched?.subjects ?? [];
      await tx.query(SQL.unfoldDaily, [tenant, 0, folded]);
      await tx.query(SQL.pruneDaily, [tenant]);
      const result = await cut(tx);
      await refold(tx, tenant, subjects, progress);
      return result;
    });
  }

  /**
   * The figures of a scope: the rollups' counts, distributions and warning counts after a catch-up.
   * An answer is kept per scope and thresholds until the tenant's log changes (its head, or its first
   * row after a retention cut), so a repeated query reads one position row.
   */
  async figures(scope: InsightsScope, thresholds: InsightThresholds): Promise<Figures> {
    const [pos] = await this.db.query<Position>(SQL.position, [scope.tenant], PREPARED);
    const key = JSON.stringify([scope, thresholds]);
    const state = `${pos?.first ?? 0}:${pos?.head ?? 0}`;
    const kept = this.answers.get(key);
    if (kept?.state === state) return kept.figures;
    if (!pos || Number(pos.head) > Number(pos.through)) await this.catchUp(scope.tenant);
    const [counts, durations, flags] = await Promise.all([
      this.counts(scope),
      this.durations(scope),
      this.flagCounts(scope, thresholds),
    ]);
    const figures = { counts, durations, flags };
    this.answers.delete(key);
    this.answers.set(key, { state, figures });
    // Oldest out first: a Map iterates in insertion order.
    if (this.answers.size > KEPT_ANSWERS) this.answers.delete(this.answers.keys().next().value!);
    return figures;
  }

  async counts(scope: InsightsScope): Promise<CountRow[]> {
    return this.db.query<CountRow>(SQL.counts, scopeParams(scope), PREPARED);
  }

  async durations(scope: InsightsScope): Promise<DurationRow[]> {
    const rows = await this.db.query<{ measure: DurationRow['measure']; bucket: string; seconds: number[] }>(
      SQL.durations,
      scopeParams(scope),
      PREPARED,
    );
    const groups = new Map<string, { measure: DurationRow['measure']; bucket: string | null; seconds: number[] }>();
    for (const r of rows)
      for (const bucket of [r.bucket, null]) {
        const key = `${r.measure}|${bucket ?? ''}`;
        const group = groups.get(key) ?? { measure: r.measure, bucket, seconds: [] };
        for (const v of r.seconds) group.seconds.push(Number(v));
        groups.set(key, group);
      }
    return [...groups.values()]
      .map(({ measure, bucket, seconds }) => {
        const sorted = Float64Array.from(seconds).sort();
        return {
          measure,
          bucket,
          n: sorted.length,
          p50: nearestRank(sorted, 0.5),
          p90: nearestRank(sorted, 0.9),
          max: sorted[sorted.length - 1]!,
        };
      })
      .sort((a, b) => a.measure.localeCompare(b.measure) || (a.bucket ?? '\uffff').localeCompare(b.bucket ?? '\uffff'));
  }

  async flagCounts(scope: InsightsScope, thresholds: InsightThresholds): Promise<FlagCountRow[]> {
    return this.db.query<FlagCountRow>(
      SQL.flagCounts,
      [...scopeParams(scope), ...thresholdParams(thresholds)],
      PREPARED,
    );
  }

  /** The flagged reinstatements themselves: personal data (subject ids), for an audited drill-down. */
  async flagged(scope: InsightsScope, thresholds: InsightThresholds): Promise<FlaggedRow[]> {
    return this.db.query<FlaggedRow>(`${SQL.flagged}\nORDER BY at, subject_id, warning`, [
      ...scopeParams(scope),
      ...thresholdParams(thresholds),
    ]);
  }

  /** Each subject's identities, from its latest event (decrypted); empty once the subject is erased. */
  async labels(tenant: string, subjectIds: readonly string[]): Promise<SubjectLabel[]> {
    if (subjectIds.length === 0) return [];
    const rows = await this.db.query<{
      subject_id: string;
      kind: SubjectKind;
      wrapped_key: Buffer | null;
      label_id: string | null;
      label_sealed: string | null;
    }>(SQL.labels, [tenant, [...subjectIds]]);
    return rows.map((r) => {
      const key = this.subjects.keyOf(tenant, r.subject_id, r.wrapped_key);
      let identities: Partial<CustomerIdentities> = {};
      if (key && r.label_id && r.label_sealed) {
        const part = JSON.parse(
          unseal(key, Buffer.from(r.label_sealed, 'base64'), sealAad(tenant, r.label_id)).toString('utf8'),
        ) as { customer?: Partial<CustomerIdentities> };
        identities = part.customer ?? {};
      }
      return { subject_id: r.subject_id, about: r.kind, erased: key === null, identities };
    });
  }
}
