/**
 * Keeping the insights' rollups caught up outside requests, and true to the log after a retention cut
 * (docs/insights.md), on the real PostgreSQL: the scheduled job's catch-up folds a tenant in chunks, after
 * which a request folds nothing (or only the rows appended since) and gives the figures a single fold
 * gives; a retention cut takes the removed rows out of the rollups, giving the figures a rebuild from
 * the remaining log gives.
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { answerInsights } from '../../connector/history/insights-answer.ts';
import { DEFAULT_WARNING_SETTINGS } from '../../connector/history/standing-warnings.ts';
import { parseCheckpointKey } from '../../connector/model/checkpoint.ts';
import { Retention, applyRetention } from '../../connector/store/retention.ts';
import { StandingLog } from '../../connector/store/standing-log.ts';
import { runInsightsCatchUp } from '../../queue/compliance-runs.ts';
import { openTestStore, type TestStore } from '../support/databases.ts';
import { insightsHistory, lateApproval } from '../http/insights-seed.ts';

const DAY = 86_400_000;
const MARCH = { from: '2026-03-01', to: '2026-03-31', bucket: 'week', about: 'all' } as const;
const key = parseCheckpointKey(randomBytes(32).toString('base64'));
const tenantOf = (label: string) => `${label}-${randomBytes(3).toString('hex')}`;

let store: TestStore;
beforeAll(async () => {
  store = await openTestStore('postgres', 'insights_upkeep');
});
afterAll(async () => {
  await store?.dispose();
});

/** The figures as a fresh reader (no kept answers) gives them. */
const answer = (tenant: string, log = new StandingLog(store.db, store.master)) =>
  answerInsights(log.insights, tenant, MARCH, DEFAULT_WARNING_SETTINGS);

it('catches a tenant up in chunks, after which a request folds only what was appended since', async () => {
  const chunked = tenantOf('chunked');
  const whole = tenantOf('whole');
  await store.log.append(insightsHistory(chunked));
  await store.log.append(insightsHistory(whole));
  const logger = pino({ level: 'silent' });
  expect(await runInsightsCatchUp({ log: store.log, logger, now: () => new Date(), chunkRows: 4 })).toBe('ok');

  expect(await store.log.insights.catchUp(chunked)).toEqual({ rows: 0, through: 20 });
  expect(await store.log.insights.catchUp(whole)).toEqual({ rows: 0, through: 20 });
  const figures = await answer(chunked);
  expect(figures.buckets.map((b) => b.deactivations.total)).toEqual([0, 4, 1, 2, 0, 0]);
  expect(figures.totals.time_to_reinstatement.count).toBe(6);
  expect(figures.totals.warnings.reinstatement_without_approval).toBe(6);
  // A chunk boundary inside a subject's cycles changes nothing: a second tenant, folded by one request.
  const single = tenantOf('single');
  await store.log.append(insightsHistory(single));
  expect({ ...(await answer(single)), tenant: chunked }).toEqual(figures);

  await store.log.append(lateApproval(chunked));
  expect(await store.log.insights.catchUp(chunked)).toEqual({ rows: 1, through: 21 });
  expect((await answer(chunked)).totals.warnings.reinstatement_without_approval).toBe(5);
});

it('keeps an answer until the log changes', async () => {
  const tenant = tenantOf('kept');
  await store.log.append(insightsHistory(tenant));
  const reader = new StandingLog(store.db, store.master);
  const first = await answer(tenant, reader);
  expect(first.totals.warnings.reinstatement_without_approval).toBe(6);
  await store.log.append(lateApproval(tenant));
  expect((await answer(tenant, reader)).totals.warnings.reinstatement_without_approval).toBe(5);
});

it('takes the rows a retention cut removes out of the figures', async () => {
  const tenant = tenantOf('cut');
  const history = insightsHistory(tenant);
  // The first seven rows (A's and B's cycles, C's first deactivation) recorded two days ago.
  const earlier = new StandingLog(store.db, store.master, { clock: () => new Date(Date.now() - 2 * DAY) });
  await earlier.append(history.slice(0, 7));
  await store.log.append(history.slice(7));
  const reader = store.log;
  expect((await answer(tenant, reader)).totals.deactivations.total).toBe(7);
  await new Retention(store.db).setPolicy(tenant, { category: 'custom', keep_days: 1 }, 'dpo@example.com');
  const [cut] = await applyRetention(store.log, key, { tenants: [tenant] });
  expect(cut).toMatchObject({ status: 'removed', removed: 7, through: 7 });

  const after = await answer(tenant, reader);
  expect(after.buckets.map((b) => b.deactivations.total)).toEqual([0, 1, 1, 2, 0, 0]);
  // C's first reinstatement now undoes no deactivation the log holds: C (twice) and E are measured.
  expect(after.totals.time_to_reinstatement.count).toBe(3);
  expect(after.totals.reinstatements.total).toBe(5);
  // The same as rollups rebuilt from what the log holds now.
  for (const table of ['daily', 'cycles', 'decisions', 'daily_reinstatements', 'daily_durations', 'progress'])
    await store.db.query(`DELETE FROM insights_${table} WHERE tenant = $1`, [tenant]);
  expect(await answer(tenant)).toEqual(after);
});
