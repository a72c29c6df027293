/**
 * The insights' SQL on the embedded database (PGlite) too, where Standing runs without DATABASE_URL:
 * the same figures as on PostgreSQL (test/http/insights-api.integration.test.ts works them out by hand).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { answerInsights } from '../../connector/history/insights-answer.ts';
import { DEFAULT_WARNING_SETTINGS } from '../../connector/history/standing-warnings.ts';
import { openTestStore, type TestStore } from '../support/databases.ts';
import { insightsHistory, lateApproval } from '../http/insights-seed.ts';

let store: TestStore;
beforeAll(async () => {
  store = await openTestStore('embedded', 'insights_embedded');
  await store.log.append(insightsHistory('acme'));
});
afterAll(async () => {
  await store?.dispose();
});

it('gives the worked-out figures on PGlite, and takes in a late approval', async () => {
  const march = { from: '2026-03-01', to: '2026-03-31', bucket: 'week', about: 'all' } as const;
  const before = await answerInsights(store.log.insights, 'acme', march, DEFAULT_WARNING_SETTINGS);
  expect(before.buckets.map((b) => b.deactivations.total)).toEqual([0, 4, 1, 2, 0, 0]);
  expect(before.totals.time_to_reinstatement).toEqual({
    count: 6,
    p50_seconds: 24 * 3600,
    p90_seconds: 48 * 3600,
    max_seconds: 48 * 3600,
  });
  expect(before.totals.warnings).toEqual({
    reinstatement_without_approval: 6,
    reactivation_after_fraud: 1,
    repeated_cycles: 1,
  });
  await store.log.append(lateApproval('acme'));
  const after = await answerInsights(store.log.insights, 'acme', march, DEFAULT_WARNING_SETTINGS);
  expect(after.totals.warnings.reinstatement_without_approval).toBe(5);
});
