/**
 * The insights API over a small history (insights-seed.ts) whose every figure is worked out by hand
 * below; the drill-down is recorded in the read audit and refused to every role but the auditor.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyStore } from '../../connector/access/api-keys.ts';
import { createAuthorizer } from '../../connector/access/authorize.ts';
import { AccessAudit } from '../../connector/audit/access-audit.ts';
import { INSIGHT_WARNINGS, InsightCustomers, Insights } from '../../connector/contracts/index.ts';
import { createApp } from '../../connector/http/app.ts';
import { createLogger } from '../../connector/http/logging.ts';
import { AppSettingsStore } from '../../connector/history/app-settings.ts';
import { bearer, tenantKey } from '../support/access.ts';
import { openTestStore, type TestStore } from '../support/databases.ts';
import { A, C, F, insightsHistory, lateApproval } from './insights-seed.ts';

const OPERATOR = 'test-operator-token-0123456789abcdef-XYZ';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const H = 3600;
const MARCH = 'from=2026-03-01&to=2026-03-31';

let store: TestStore;
let redis: Redis;
let server: Server;
let url: string;
let settings: AppSettingsStore;
const keys: Record<'agent' | 'admin' | 'auditor' | 'operator', Record<string, string>> = {
  agent: {},
  admin: {},
  auditor: {},
  operator: bearer(OPERATOR),
};

async function get(path: string, who: keyof typeof keys) {
  const res = await fetch(`${url}${path}`, { headers: keys[who] });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const insights = async (query: string, who: keyof typeof keys = 'admin') => {
  const { status, body } = await get(`/api/v1/tenants/acme/insights?${query}`, who);
  expect(status, JSON.stringify(body)).toBe(200);
  return Insights.parse(body);
};

beforeAll(async () => {
  store = await openTestStore('postgres', 'insights_api');
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  await store.log.append(insightsHistory('acme'));
  for (const role of ['agent', 'admin', 'auditor'] as const)
    Object.assign(keys[role], bearer(await tenantKey(store.db, 'acme', role)));
  const authorize = createAuthorizer({
    operatorToken: OPERATOR,
    keys: new ApiKeyStore(store.db),
    denials: { recordDenied: async () => undefined },
  });
  const logger = createLogger('silent');
  settings = new AppSettingsStore(store.db);
  server = createServer(
    createApp({
      log: store.log,
      db: store.db,
      redis,
      authorize,
      logger,
      appSettings: settings,
      readinessTimeoutMs: 1000,
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await redis?.quit();
  await store?.dispose();
});

describe('GET /api/v1/tenants/{tenant}/insights', () => {
  it('counts by week, reason, initiation and source, exactly as worked out by hand', async () => {
    const r = await insights(`${MARCH}&bucket=week`);
    expect(r.buckets.map((b) => b.start)).toEqual([
      '2026-02-23',
      '2026-03-02',
      '2026-03-09',
      '2026-03-16',
      '2026-03-23',
      '2026-03-30',
    ]);
    // Deactivations: A, B, C1, E in the week of 03-02; C2; C3 and D. G (February) is outside.
    expect(r.buckets.map((b) => b.deactivations.total)).toEqual([0, 4, 1, 2, 0, 0]);
    // Reinstatements: A, B, C1, E; C2; C3; F (a status change to active). F's second observation is none.
    expect(r.buckets.map((b) => b.reinstatements.total)).toEqual([0, 4, 1, 1, 1, 0]);
    expect(r.totals.deactivations).toEqual({
      total: 7,
      by_reason: [
        { reason_code: 'inactivity', events: 3 },
        { reason_code: 'non_payment', events: 3 },
        { reason_code: 'fraud_suspected', events: 1 },
      ],
      by_initiation: [
        { initiation: 'manual', events: 3, by_reason: [{ reason_code: 'non_payment', events: 3 }] },
        {
          initiation: 'automatic',
          events: 4,
          by_reason: [
            { reason_code: 'inactivity', events: 3 },
            { reason_code: 'fraud_suspected', events: 1 },
          ],
        },
      ],
      by_source: [
        { source: 'zendesk', events: 4 },
        { source: 'salesforce', events: 3 },
      ],
    });
    expect(r.totals.reinstatements.by_initiation).toEqual([
      { initiation: 'unknown', events: 7, by_reason: [{ reason_code: null, events: 7 }] },
    ]);
  });

  it('gives time to reinstatement and to decision as nearest-rank p50, p90 and max', async () => {
    const r = await insights(`${MARCH}&bucket=week`);
    // Deactivation -> reinstatement: A 24 h, B 6 h, C 6 h, 24 h, 48 h, E 24 h (F undid no deactivation).
    // Sorted 6, 6, 24, 24, 24, 48 h: p50 is the 3rd (50 % of 6), p90 the 6th (ceil(5.4)).
    expect(r.totals.time_to_reinstatement).toEqual({
      count: 6,
      p50_seconds: 24 * H,
      p90_seconds: 48 * H,
      max_seconds: 48 * H,
    });
    // Week of 03-02: 6, 6, 24, 24 h: p50 the 2nd, p90 the 4th.
    expect(r.buckets[1]!.time_to_reinstatement).toEqual({
      count: 4,
      p50_seconds: 6 * H,
      p90_seconds: 24 * H,
      max_seconds: 24 * H,
    });
    expect(r.buckets[3]!.time_to_reinstatement).toEqual({
      count: 1,
      p50_seconds: 48 * H,
      p90_seconds: 48 * H,
      max_seconds: 48 * H,
    });
    expect(r.buckets[0]!.time_to_reinstatement).toEqual({
      count: 0,
      p50_seconds: null,
      p90_seconds: null,
      max_seconds: null,
    });
    // Request -> decision: B approved after 2 h (week of 03-02), D denied after 6 h (decided 03-21).
    expect(r.totals.time_to_decision).toEqual({ count: 2, p50_seconds: 2 * H, p90_seconds: 6 * H, max_seconds: 6 * H });
    expect(r.buckets.map((b) => b.time_to_decision.count)).toEqual([0, 1, 0, 1, 0, 0]);
  });

  it("flags what the warnings flag, with the tenant's settings, and takes in a late approval", async () => {
    // Unapproved: A, C x3, E, F (B had an approval step). Fraud window: B (6 h after fraud_suspected).
    // Repeated cycles: C's third cycle within 90 days, on 03-18.
    const before = await insights(`${MARCH}&bucket=week`);
    expect(before.totals.warnings).toEqual({
      reinstatement_without_approval: 6,
      reactivation_after_fraud: 1,
      repeated_cycles: 1,
    });
    expect(before.buckets.map((b) => b.warnings.reinstatement_without_approval)).toEqual([0, 3, 1, 1, 1, 0]);
    expect(before.buckets.map((b) => b.warnings.repeated_cycles)).toEqual([0, 0, 0, 1, 0, 0]);
    // E's approval arrives later but happened between its deactivation and reinstatement.
    await store.log.append(lateApproval('acme'));
    const after = await insights(`${MARCH}&bucket=week`);
    expect(after.totals.warnings.reinstatement_without_approval).toBe(5);
    expect(after.buckets.map((b) => b.warnings.reinstatement_without_approval)).toEqual([0, 2, 1, 1, 1, 0]);
    // The approval has no request before it: no time to decision measured.
    expect(after.totals.time_to_decision.count).toBe(2);
    // Exempting non_payment spares A; a 4-cycle threshold spares C.
    await settings.setWarnings('acme', {
      unapproved_reinstatement: { exempt_reason_codes: ['non_payment'] },
      repeated_cycles: { min_cycles: 4 },
    });
    const exempt = await insights(`${MARCH}&bucket=month`);
    expect(exempt.totals.warnings).toEqual({
      reinstatement_without_approval: 4,
      reactivation_after_fraud: 1,
      repeated_cycles: 0,
    });
    await settings.setWarnings('acme', {});
  });

  it('filters by source and by what the events are about', async () => {
    const salesforce = await insights(`${MARCH}&bucket=month&source=salesforce`);
    expect(salesforce.buckets.map((b) => b.start)).toEqual(['2026-03-01']);
    expect(salesforce.totals.deactivations.total).toBe(3);
    expect(salesforce.totals.reinstatements.total).toBe(3);
    expect(salesforce.totals.time_to_reinstatement.max_seconds).toBe(48 * H);
    const accounts = await insights(`${MARCH}&bucket=day&about=account`);
    expect(accounts.buckets).toHaveLength(31);
    expect(accounts.totals.deactivations.total).toBe(1);
    expect(accounts.totals.reinstatements.total).toBe(0);
    expect(accounts.totals.time_to_decision).toEqual({
      count: 1,
      p50_seconds: 6 * H,
      p90_seconds: 6 * H,
      max_seconds: 6 * H,
    });
  });

  it('answers the auditor and the operator (counts only) and refuses an agent key', async () => {
    expect((await insights(MARCH, 'auditor')).totals.deactivations.total).toBe(7);
    expect((await insights(MARCH, 'operator')).totals.deactivations.total).toBe(7);
    expect((await get(`/api/v1/tenants/acme/insights?${MARCH}`, 'agent')).status).toBe(403);
    expect((await get(`/api/v1/tenants/other/insights?${MARCH}`, 'admin')).status).toBe(403);
  });

  it.each([
    ['bucket=year', 'bucket', 'must be day, week or month'],
    ['to=2026-03-31', 'from', 'must be a day, YYYY-MM-DD (UTC)'],
    ['from=2026-03-31&to=2026-03-01', 'to', 'must not be before from'],
    ['from=2024-01-01&to=2026-03-01', 'to', 'must be at most 731 days after from'],
    ['from=2025-01-01&to=2026-03-01&bucket=day', 'bucket', 'gives more than 400 buckets: choose week or month'],
    [`${MARCH}&source=freshdesk`, 'source', 'must be one of zendesk, salesforce'],
    [`${MARCH}&about=team`, 'about', 'must be all, person or account'],
    [`${MARCH}&colour=red`, '(root)', 'Unrecognized key: "colour"'],
  ])('refuses %s, naming %s', async (query, path, message) => {
    const { status, body } = await get(`/api/v1/tenants/acme/insights?${query}`, 'admin');
    expect(status).toBe(400);
    const details = (body.error as { details: { path: string; message: string }[] }).details;
    expect(details).toContainEqual({ path, message });
  });
});

describe('GET /api/v1/tenants/{tenant}/insights/customers', () => {
  const path = `/api/v1/tenants/acme/insights/customers?${MARCH}&warning=reinstatement_without_approval`;

  it('lists the customers concerned to an auditor key, and records the read', async () => {
    const audit = new AccessAudit(store.db);
    const { status, body } = await get(path, 'auditor');
    expect(status).toBe(200);
    const answer = InsightCustomers.parse(body);
    expect(answer.customers.map((c) => c.identities)).toEqual([A, C, F]);
    expect(answer.customers.map((c) => c.flagged.length)).toEqual([1, 3, 1]);
    expect(answer.truncated).toBe(false);
    const [row] = (await audit.list('acme', { action: 'insights.customers' })).entries;
    expect(row).toMatchObject({
      action: 'insights.customers',
      path: 'GET /api/v1/tenants/acme/insights/customers',
      outcome: 'allowed',
      detail: { warning: 'reinstatement_without_approval', customers: 3 },
    });
    expect([...row!.subject_ids].sort()).toEqual(answer.customers.map((c) => c.subject_id).sort());
  });

  it('lists as many reinstatements (customers, for repeated cycles) as the counts say, for every warning', async () => {
    const totals = (await insights(MARCH)).totals.warnings;
    for (const warning of INSIGHT_WARNINGS) {
      const { body } = await get(`/api/v1/tenants/acme/insights/customers?${MARCH}&warning=${warning}`, 'auditor');
      const listed = InsightCustomers.parse(body).customers;
      const n = warning === 'repeated_cycles' ? listed.length : listed.reduce((k, c) => k + c.flagged.length, 0);
      expect(n, warning).toBe(totals[warning]);
    }
  });

  it('refuses an agent key, an admin key and the operator: they see counts only', async () => {
    for (const who of ['agent', 'admin', 'operator'] as const) {
      const { status, body } = await get(path, who);
      expect(status, who).toBe(403);
      expect(JSON.stringify(body)).not.toContain('ada@example.test');
    }
  });

  it('names the warning it needs', async () => {
    const { status, body } = await get(`/api/v1/tenants/acme/insights/customers?${MARCH}&warning=late`, 'auditor');
    expect(status).toBe(400);
    expect(JSON.stringify(body)).toContain('"path":"warning"');
  });
});

describe('catching up', () => {
  it("folds a tenant's whole log in once when its first readers come at the same time", async () => {
    await store.log.append(insightsHistory('beta'));
    const answers = await Promise.all(
      [1, 2, 3].map(() => get(`/api/v1/tenants/beta/insights?${MARCH}&bucket=month`, 'operator')),
    );
    expect(answers.map((a) => Insights.parse(a.body).totals.deactivations.total)).toEqual([7, 7, 7]);
  });

  it('folds a new event in once, however many readers catch up at the same time', async () => {
    const late = insightsHistory('acme').filter((e) => e.kind === 'deactivation' && e.occurred_at < '2026-03')[0]!;
    await store.log.append([
      { ...late, occurred_at: '2026-03-31T23:59:59.000Z', source: { ...late.source, event_id: 'x' } },
    ]);
    const answers = await Promise.all([1, 2, 3].map(() => insights(`${MARCH}&bucket=month`)));
    expect(answers.map((a) => a.totals.deactivations.total)).toEqual([8, 8, 8]);
  });
});
