/**
 * What the insights API and the Zendesk app's admin page answer (docs/insights.md): the query's
 * validation, the figures per bucket from the store's rollups, and the drill-down to the customers
 * a warning concerns, which is a read of personal data recorded in the read audit before it is served.
 */
import type { Response } from 'express';
import { z } from 'zod';
import type { Principal } from '../access/principal.ts';
import type { AccessAudit } from '../audit/access-audit.ts';
import { recordReadOrRefuse } from '../audit/read-audit.ts';
import {
  INSIGHT_BUCKETS,
  INSIGHT_WARNINGS,
  type ChangeCounts,
  type Distribution,
  type InsightCustomer,
  type InsightCustomers,
  type InsightFigures,
  type Insights,
  type WarningCounts,
} from '../contracts/index.ts';
import { ValidationError } from '../lib/errors.ts';
import { once } from '../lib/query-once.ts';
import { INITIATION_TYPES, SOURCE_SYSTEMS } from '../model/standing-event.ts';
import type { CountRow, DurationRow, FlagCountRow, InsightsScope, InsightsStore } from '../store/insights.ts';
import type { WarningSettings } from './standing-warnings.ts';

/** Longest range one query covers, and most buckets: a chart of more says nothing more. */
export const INSIGHTS_LIMITS = { maxDays: 731, maxBuckets: 400, customers: 500 } as const;

const DAY_MS = 86_400_000;
const day = z.iso.date({ error: 'must be a day, YYYY-MM-DD (UTC)' });
const scopeShape = {
  from: once(day),
  to: once(day),
  source: once(z.enum(SOURCE_SYSTEMS, { error: `must be one of ${SOURCE_SYSTEMS.join(', ')}` }).optional()),
  about: once(z.enum(['all', 'person', 'account'], { error: 'must be all, person or account' }).default('all')),
};
const bucketsBetween = (from: string, to: string, bucket: string) => {
  const days = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
  return bucket === 'day' ? days : bucket === 'week' ? Math.ceil(days / 7) + 1 : Math.ceil(days / 28) + 1;
};
function checkRange(q: { from: string; to: string; bucket?: string }, ctx: z.RefinementCtx): void {
  const days = (Date.parse(q.to) - Date.parse(q.from)) / DAY_MS + 1;
  if (days < 1) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
  else if (days > INSIGHTS_LIMITS.maxDays)
    ctx.addIssue({
      code: 'custom',
      path: ['to'],
      message: `must be at most ${INSIGHTS_LIMITS.maxDays} days after from`,
    });
  else if (q.bucket && bucketsBetween(q.from, q.to, q.bucket) > INSIGHTS_LIMITS.maxBuckets)
    ctx.addIssue({
      code: 'custom',
      path: ['bucket'],
      message: `gives more than ${INSIGHTS_LIMITS.maxBuckets} buckets: choose week or month`,
    });
}

export const InsightsQuery = z
  .strictObject({
    ...scopeShape,
    bucket: once(z.enum(INSIGHT_BUCKETS, { error: 'must be day, week or month' }).default('week')),
  })
  .superRefine(checkRange);
export type InsightsQuery = z.output<typeof InsightsQuery>;

export const InsightCustomersQuery = z
  .strictObject({
    ...scopeShape,
    warning: once(z.enum(INSIGHT_WARNINGS, { error: `must be one of ${INSIGHT_WARNINGS.join(', ')}` })),
  })
  .superRefine(checkRange);

/** Parses a query string; a bad one is the caller's 400 naming each field. */
export function parseInsightsQuery<T extends z.ZodType>(schema: T, query: unknown): z.output<T> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw ValidationError.fromZod('invalid query parameters', parsed.error);
  return parsed.data;
}

/** Every bucket's first day from `from`'s bucket to `to`'s, as PostgreSQL's date_trunc gives them (ISO weeks). */
export function bucketStarts(from: string, to: string, bucket: InsightsScope['bucket']): string[] {
  const start = new Date(`${from}T00:00:00Z`);
  if (bucket === 'week') start.setUTCDate(start.getUTCDate() - ((start.getUTCDay() + 6) % 7));
  if (bucket === 'month') start.setUTCDate(1);
  const end = Date.parse(`${to}T00:00:00Z`);
  const out: string[] = [];
  for (const d = start; d.getTime() <= end;) {
    out.push(d.toISOString().slice(0, 10));
    if (bucket === 'day') d.setUTCDate(d.getUTCDate() + 1);
    else if (bucket === 'week') d.setUTCDate(d.getUTCDate() + 7);
    else d.setUTCMonth(d.getUTCMonth() + 1);
  }
  return out;
}

function changeCounts(rows: readonly CountRow[]): ChangeCounts {
  const sum = (pick: (r: CountRow) => string) => {
    const m = new Map<string, number>();
    for (const r of rows) m.set(pick(r), (m.get(pick(r)) ?? 0) + r.events);
    return [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  };
  const reasons = (list: readonly CountRow[]) =>
    [...new Set(list.map((r) => r.reason_code))]
      .map((code) => ({
        reason_code: code === '' ? null : code,
        events: list.filter((r) => r.reason_code === code).reduce((n, r) => n + r.events, 0),
      }))
      .sort((a, b) => b.events - a.events || (a.reason_code ?? '').localeCompare(b.reason_code ?? ''));
  return {
    total: rows.reduce((n, r) => n + r.events, 0),
    by_reason: reasons(rows),
    by_initiation: INITIATION_TYPES.flatMap((kind) => {
      const of = rows.filter((r) => r.initiation === kind);
      return of.length === 0
        ? []
        : [{ initiation: kind, events: of.reduce((n, r) => n + r.events, 0), by_reason: reasons(of) }];
    }),
    by_source: sum((r) => r.source)
      .filter((e): e is [(typeof SOURCE_SYSTEMS)[number], number] => SOURCE_SYSTEMS.some((s) => s === e[0]))
      .map(([source, events]) => ({ source, events })),
  };
}

const NO_DURATION: Distribution = { count: 0, p50_seconds: null, p90_seconds: null, max_seconds: null };
const distribution = (r: DurationRow | undefined): Distribution =>
  r ? { count: r.n, p50_seconds: r.p50, p90_seconds: r.p90, max_seconds: r.max } : NO_DURATION;

function figures(
  counts: readonly CountRow[],
  durations: readonly DurationRow[],
  flags: readonly FlagCountRow[],
  bucket: string | null,
): InsightFigures {
  const inBucket = counts.filter((r) => bucket === null || r.bucket === bucket);
  const flag = (w: keyof WarningCounts) => flags.find((f) => f.warning === w && f.bucket === bucket)?.n ?? 0;
  return {
    deactivations: changeCounts(inBucket.filter((r) => r.change === 'deactivation')),
    reinstatements: changeCounts(inBucket.filter((r) => r.change === 'reinstatement')),
    time_to_reinstatement: distribution(durations.find((d) => d.measure === 'reinstatement' && d.bucket === bucket)),
    time_to_decision: distribution(durations.find((d) => d.measure === 'decision' && d.bucket === bucket)),
    warnings: {
      reinstatement_without_approval: flag('reinstatement_without_approval'),
      reactivation_after_fraud: flag('reactivation_after_fraud'),
      repeated_cycles: flag('repeated_cycles'),
    },
  };
}

/** The figures of a tenant over a range, per bucket and in total. Counts only: nothing names a customer. */
export async function answerInsights(
  store: InsightsStore,
  tenant: string,
  q: InsightsQuery,
  settings: WarningSettings,
): Promise<Insights> {
  const scope: InsightsScope = { tenant, ...q, source: q.source ?? null };
  const { counts, durations, flags } = await store.figures(scope, settings);
  return {
    tenant,
    from: q.from,
    to: q.to,
    bucket: q.bucket,
    source: q.source ?? null,
    about: q.about,
    buckets: bucketStarts(q.from, q.to, q.bucket).map((start) => ({
      start,
      ...figures(counts, durations, flags, start),
    })),
    totals: figures(counts, durations, flags, null),
  };
}

export interface InsightCustomersRead {
  tenant: string;
  principal: Principal;
  /** How the read-audit row names the route. */
  path: string;
  query: z.output<typeof InsightCustomersQuery>;
  settings: WarningSettings;
}

/**
 * The customers a warning flags in the range, each named by its latest event's identities. A read of
 * personal data: recorded in the read audit (or refused with a 503) before it is answered.
 */
export async function answerInsightCustomers(
  store: InsightsStore,
  audit: AccessAudit,
  res: Response,
  ask: InsightCustomersRead,
): Promise<InsightCustomers> {
  const { tenant, query: q } = ask;
  await store.catchUp(tenant);
  const rows = (await store.flagged({ tenant, ...q, bucket: 'day', source: q.source ?? null }, ask.settings)).filter(
    (r) => r.warning === q.warning,
  );
  const bySubject = new Map<string, InsightCustomer['flagged']>();
  for (const r of rows) {
    const list = bySubject.get(r.subject_id) ?? [];
    if (list.length === 0) {
      if (bySubject.size === INSIGHTS_LIMITS.customers) continue;
      bySubject.set(r.subject_id, list);
    }
    list.push({ at: r.at, event_ids: r.event_ids, cycles: r.cycles });
  }
  const subjectIds = [...bySubject.keys()];
  await recordReadOrRefuse(audit, res, {
    tenant,
    principal: ask.principal,
    action: 'insights.customers',
    path: ask.path,
    subject_ids: subjectIds,
    detail: { warning: q.warning, from: q.from, to: q.to, customers: subjectIds.length },
  });
  const labels = new Map((await store.labels(tenant, subjectIds)).map((l) => [l.subject_id, l]));
  return {
    tenant,
    from: q.from,
    to: q.to,
    warning: q.warning,
    customers: subjectIds.map((id) => {
      const l = labels.get(id);
      return {
        subject_id: id,
        about: l?.about ?? rows.find((r) => r.subject_id === id)!.about,
        erased: l?.erased ?? true,
        identities: l?.identities ?? {},
        flagged: bySubject.get(id)!,
      };
    }),
    truncated: new Set(rows.map((r) => r.subject_id)).size > subjectIds.length,
  };
}
