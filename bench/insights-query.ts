/**
 * The insights of a 90-day range, weekly buckets (`answerInsights`: catch-up check, counts,
 * distributions, warning counts) on a tenant of about a million events, beside a customer's history
 * page on the same data, both timed in this run: once after a new event was appended (the new row is
 * folded in and the figures computed from the rollups), and once more with the log unchanged (the
 * answer kept since). The rollups are first caught up the way the scheduled job does it. Reuses the
 * history benchmark's seed (history-seed.ts) when it ran first in the same schema, else seeds it; adds
 * deactivation / request / decision / reinstatement cycles, since each filler customer of that seed
 * has events of one kind only.
 */
import { answerInsights } from '../connector/history/insights-answer.ts';
import { DEFAULT_WARNING_SETTINGS } from '../connector/history/standing-warnings.ts';
import { newSubjectKey } from '../connector/model/sealing.ts';
import { sealEvent } from '../connector/store/event-codec.ts';
import { makeEvents, type BenchCustomer } from './event-mix.ts';
import { elapsedMs, scaled, summarize, timeEach, type BenchContext, type Benchmark, type Figure } from './harness.ts';
import { seedHistory } from './history-seed.ts';

/** Goal: the insights query's p99 at most twice the history page's p99, measured in the same run. */
export const INSIGHTS_GOAL_RATIO = 2;

const TENANT = 'acme';
const TARGET: BenchCustomer = {
  zendeskUserId: '361999999999',
  email: 'target.customer@example.test',
  salesforceContactId: '003TARGET000001YPA',
};
/** Appended one before each timed query: the log changes, so the kept answer cannot serve it. */
const OTHER: BenchCustomer = {
  zendeskUserId: '361999999998',
  email: 'other.customer@example.test',
  salesforceContactId: null,
};
/** The scheduled catch-up's default chunk (STANDING_INSIGHTS_CHUNK_ROWS). */
const CHUNK_ROWS = 50_000;
const RANGE = { from: '2025-10-01', to: '2025-12-29', bucket: 'week', about: 'all' } as const;

/**
 * INSERT_CYCLES: $1 subjects. INSERT_CYCLE_EVENTS: $1 cycles, $2 subjects, $3 seq base. Cycle j of
 * subject j % subjects: a deactivation (fraud, non-payment or inactivity), a request 1-48 h later, a
 * decision 1-24 h after it (one in five denied), and for an approved one the reinstatement 1-72 h after
 * that; the first cycle of every seventh subject has no approval step. Spread over the filler's two years.
 */
const INSERT_CYCLES = `
INSERT INTO subjects (tenant, subject_id, kind, wrapped_key)
SELECT '${TENANT}', (lpad(to_hex(k), 8, '0') || '-c1c1-4c7a-8000-' || lpad(to_hex(k), 12, '0'))::uuid, 'person',
       decode(lpad(to_hex(k), 120, '0'), 'hex')
FROM generate_series(0, $1::bigint - 1) AS k;
`;
const INSERT_CYCLE_EVENTS = `
INSERT INTO standing_events
  (tenant, seq, id, kind, status_before, status_after, occurred_at, recorded_at, subject_id, public, sealed,
    prev_hash, hash)
SELECT '${TENANT}', $3::bigint + j * 4 + s.i,
       (lpad(to_hex(j), 8, '0') || '-c2c2-4e7a-8000-' || lpad(to_hex($3::bigint + j * 4 + s.i), 12, '0'))::uuid,
       s.kind, s.before, s.after, s.at, s.at + interval '3 seconds',
       (lpad(to_hex(j % $2::bigint), 8, '0') || '-c1c1-4c7a-8000-' || lpad(to_hex(j % $2::bigint), 12, '0'))::uuid,
       ('{"actor_type":"system","detected_via":"webhook","initiation":' || s.initiation || ',"reason_code":' ||
        s.reason || ',"related_ticket_ids":[],"source":{"event_id":"cycle-' || j || '-' || s.i ||
        '","id":"1","object":"user","system":"' || c.source || '"}}')::jsonb,
       decode(lpad(to_hex(j), 16, '0'), 'hex'), lpad(to_hex(j), 64, 'b'), lpad(to_hex(j * 4 + s.i), 64, 'c')
FROM generate_series(0, $1::bigint - 1) AS j
CROSS JOIN LATERAL (
  SELECT timestamptz '2024-01-01T00:00:00Z' + ((j * 2654435761) % 63072000) * interval '1 second' AS t0,
         interval '1 hour' * (1 + j % 48) AS wait_request, interval '1 hour' * (1 + j % 24) AS wait_decision,
         interval '1 hour' * (1 + j % 72) AS wait_restore, j % 5 = 4 AS denied,
         (j / $2::bigint) = 0 AND j % 7 = 0 AS unapproved,
         CASE WHEN j % 3 = 0 THEN 'salesforce' ELSE 'zendesk' END AS source,
         (ARRAY['"fraud_suspected"', '"non_payment"', '"inactivity"'])[1 + j % 3] AS reason,
         (ARRAY['{"temporary":true,"type":"automatic"}', '{"temporary":true,"type":"manual"}'])[1 + j % 2] AS initiation
) c
CROSS JOIN LATERAL (VALUES
  (0, 'deactivation', 'active', 'suspended', c.t0, c.initiation, c.reason),
  (1, 'reinstatement_requested', NULL, NULL, c.t0 + c.wait_request, 'null', 'null'),
  (2, CASE WHEN c.denied THEN 'reinstatement_denied' WHEN c.unapproved THEN 'verification_recorded'
           ELSE 'reinstatement_approved' END, NULL, NULL, c.t0 + c.wait_request + c.wait_decision, 'null', 'null'),
  (3, CASE WHEN c.denied THEN 'status_observed' ELSE 'reinstatement' END,
      CASE WHEN c.denied THEN NULL ELSE 'suspended' END, CASE WHEN c.denied THEN 'suspended' ELSE 'active' END,
      c.t0 + c.wait_request + c.wait_decision + c.wait_restore, 'null', 'null')
) AS s(i, kind, before, after, at, initiation, reason)`;

async function seed(ctx: BenchContext, fillerEvents: number, cycles: number): Promise<void> {
  const writer = ctx.newLog();
  const [present] = await ctx.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM standing_events WHERE tenant = $1 AND seq > 1000000000 AND seq < 2000000000',
    [TENANT],
  );
  if ((present?.n ?? 0) === 0) {
    const target = makeEvents({
      tenant: TENANT,
      count: 200,
      customers: [TARGET],
      seed: 7,
      eventIdPrefix: 'target',
      maxGapMs: 7 * 24 * 3600 * 1000,
    });
    const sealedBytes = sealEvent(newSubjectKey(), TENANT, target[0]!.source.event_id, target[0]!).length;
    ctx.progress(`insights: seeding the history benchmark's ${fillerEvents.toLocaleString('en-US')} filler rows`);
    await seedHistory(
      ctx.db,
      writer,
      target,
      {
        tenant: TENANT,
        fillerEvents,
        fillerSubjects: scaled(ctx, 10_000, 100) * 10,
        rounds: 100,
        sealedBytes,
        fillerSeqBase: 1_000_000_000,
      },
      ctx.progress,
    );
  } else ctx.note('insights: reused the history benchmark’s rows seeded earlier in this run');
  ctx.progress(`insights: ${cycles.toLocaleString('en-US')} cycles of 4 events`);
  const subjects = Math.max(1, Math.floor(cycles / 3));
  await ctx.db.query(INSERT_CYCLES, [subjects]);
  await ctx.db.query(INSERT_CYCLE_EVENTS, [cycles, subjects, 2_000_000_000]);
  await ctx.db.exec('ANALYZE standing_events; ANALYZE subjects; ANALYZE subject_identities');
}

export const insightsQuery: Benchmark = {
  name: 'insights',
  description: 'GET …/insights for 90 days by week on a tenant of ~1,000,000 events, beside the history page',
  async run(ctx) {
    const fillerEvents = scaled(ctx, 1_000_000, 10_000);
    const cycles = scaled(ctx, 50_000, 500);
    const queries = scaled(ctx, 1_000, 100);
    await seed(ctx, fillerEvents, cycles);
    const [size] = await ctx.db.query<{ rows: number }>(
      'SELECT count(*)::int AS rows FROM standing_events WHERE tenant = $1',
      [TENANT],
    );
    const log = ctx.newLog();
    ctx.progress(`insights: catching the rollups up in chunks of ${CHUNK_ROWS.toLocaleString('en-US')} rows`);
    let t0 = performance.now();
    while ((await log.insights.catchUp(TENANT, { maxRows: CHUNK_ROWS })).rows === CHUNK_ROWS);
    const catchUpMs = elapsedMs(t0);
    const first = await answerInsights(log.insights, TENANT, RANGE, DEFAULT_WARNING_SETTINGS);
    // What autovacuum does soon after a large catch-up: statistics, and the visibility map that lets the
    // repeated-cycles count read its partial index alone.
    await ctx.db.exec(
      'VACUUM ANALYZE insights_daily, insights_cycles, insights_decisions, insights_daily_reinstatements, ' +
        'insights_daily_durations',
    );
    ctx.settleHeap();
    // The filler rows sit above the chain's head (history-seed.ts): move the head past them, so that the
    // events appended below get a seq after every folded row, as a real log's appends do.
    await ctx.db.query(
      'UPDATE chain_heads SET seq = (SELECT max(seq) FROM standing_events WHERE tenant = $1) WHERE tenant = $1',
      [TENANT],
    );
    ctx.progress(`insights: ${queries} × (an append, two insights queries, a history page)`);
    const appended = makeEvents({
      tenant: TENANT,
      count: queries + 21,
      customers: [OTHER],
      seed: 11,
      eventIdPrefix: 'other',
      startAt: new Date('2025-11-01T00:00:00Z'),
      maxGapMs: 3600 * 1000,
    });
    const insightsMs: number[] = [];
    const keptMs: number[] = [];
    const historyMs: number[] = [];
    await log.append([appended.shift()!]);
    if ((await log.insights.catchUp(TENANT)).rows !== 1) throw new Error('insights: an appended row was not folded');
    for (let i = 0; i < 20; i++) {
      await log.append([appended.shift()!]);
      await answerInsights(log.insights, TENANT, RANGE, DEFAULT_WARNING_SETTINGS);
      await log.history(TENANT, { email: TARGET.email }, { limit: 50 });
    }
    await timeEach(queries, async () => {
      await log.append([appended.shift()!]);
      t0 = performance.now();
      const r = await answerInsights(log.insights, TENANT, RANGE, DEFAULT_WARNING_SETTINGS);
      insightsMs.push(elapsedMs(t0));
      t0 = performance.now();
      const again = await answerInsights(log.insights, TENANT, RANGE, DEFAULT_WARNING_SETTINGS);
      keptMs.push(elapsedMs(t0));
      if (JSON.stringify(again) !== JSON.stringify(r)) throw new Error('insights: the kept answer differs');
      t0 = performance.now();
      const h = await log.history(TENANT, { email: TARGET.email }, { limit: 50 });
      historyMs.push(elapsedMs(t0));
      if (h.events.length !== 50) throw new Error(`insights benchmark: history page of ${h.events.length}`);
    });
    const ins = summarize(insightsMs);
    const kept = summarize(keptMs);
    const his = summarize(historyMs);
    const t = first.totals;
    ctx.note(
      `insights: ${size?.rows.toLocaleString('en-US')} rows of tenant ${TENANT}; the catch-up folded them into ` +
        `the rollups in ${(catchUpMs / 1000).toFixed(1)} s (chunks of ${CHUNK_ROWS.toLocaleString('en-US')} rows, as ` +
        'the scheduled job does; later queries fold only new rows). ' +
        `The 90 days (${RANGE.from} to ${RANGE.to}, ${first.buckets.length} weekly buckets) hold ` +
        `${t.deactivations.total.toLocaleString('en-US')} deactivations, ` +
        `${t.reinstatements.total.toLocaleString('en-US')} reinstatements, ` +
        `${t.time_to_reinstatement.count.toLocaleString('en-US')} measured reinstatements and ` +
        `${t.time_to_decision.count.toLocaleString('en-US')} decisions. Each timed insights query is a ` +
        'catch-up check that folds the one event appended before it, then three queries side by side; the ' +
        '"unchanged log" query repeats it at once (the answer kept since). Each history call is the warm ' +
        'page of 50 events.',
    );
    const figure = (p: 'p50' | 'p99' | 'max'): Figure => ({
      name: `insights 90 days by week, after an append ${p} (n=${ins.count})`,
      value: ins[p],
      unit: 'ms',
      better: 'lower',
      baseline: { name: 'history page, warm, same run', value: his[p] },
      ...(p === 'p99' ? { goal: { limit: INSIGHTS_GOAL_RATIO, ratio: true } } : {}),
    });
    const keptFigure = (p: 'p50' | 'p99'): Figure => ({
      name: `insights 90 days by week, log unchanged ${p} (n=${kept.count})`,
      value: kept[p],
      unit: 'ms',
      better: 'lower',
      baseline: { name: 'history page, warm, same run', value: his[p] },
    });
    return [figure('p50'), figure('p99'), figure('max'), keptFigure('p50'), keptFigure('p99')];
  },
};
