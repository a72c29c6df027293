/**
 * Where the metrics come from: probes over the database and the queue (run at scrape time),
 * the direct webhook routes (answers by code), the intake worker (batches, job latency, 429 waits)
 * and the `/metrics` route itself (a bearer token).
 */
import type { Queue, Worker } from 'bullmq';
import { Router } from 'express';
import type { DirectRoute } from '../http/direct-routes.ts';
import type { BatchSummary } from '../intake/process-intake-batch.ts';
import type { SqlClient } from '../store/database.ts';
import type { MetricsProbe, StandingMetrics } from './metrics.ts';
import type { RequestHandler } from 'express';

/** Inbox pending count and age, quarantine size, chain heads: one round trip. */
export function databaseProbe(db: SqlClient, metrics: StandingMetrics): MetricsProbe {
  return {
    dependency: 'database',
    run: async () => {
      const [inbox] = await db.query<{ pending: number; oldest_age: number | null; quarantined: number }>(
        `SELECT (SELECT count(*) FROM intake_inbox WHERE state = 'pending')::int AS pending,
                (SELECT extract(epoch FROM now() - min(received_at)) FROM intake_inbox
                  WHERE state = 'pending')::float8 AS oldest_age,
                (SELECT count(*) FROM intake_inbox WHERE state = 'quarantined')::int AS quarantined`,
      );
      const heads = await db.query<{ tenant: string; seq: number }>(
        'SELECT tenant, seq::float8 AS seq FROM chain_heads',
      );
      metrics.inboxPending.set(Number(inbox?.pending ?? 0));
      metrics.inboxOldestPendingAge.set(Math.max(0, Number(inbox?.oldest_age ?? 0)));
      metrics.quarantined.set(Number(inbox?.quarantined ?? 0));
      metrics.chainHead.reset();
      for (const h of heads) metrics.chainHead.set({ tenant: h.tenant }, Number(h.seq));
    },
  };
}

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed'] as const;

/** Queue depth by state and the age of the oldest waiting job. */
export function queueProbe(queue: Queue, metrics: StandingMetrics): MetricsProbe {
  return {
    dependency: 'redis',
    run: async () => {
      const counts = await queue.getJobCounts(...QUEUE_STATES);
      for (const state of QUEUE_STATES) metrics.queueJobs.set({ state }, counts[state] ?? 0);
      // The oldest waiting job is the last of the wait list (BullMQ pushes new jobs on the left).
      const [oldest] = await queue.getWaiting(-1, -1);
      metrics.queueOldestWaitingAge.set(oldest ? Math.max(0, (Date.now() - oldest.timestamp) / 1000) : 0);
    },
  };
}

/** The same routes, counting each answer by route and status code once it is sent. */
export function instrumentDirectRoutes(routes: readonly DirectRoute[], metrics: StandingMetrics): DirectRoute[] {
  return routes.map((route) => ({
    ...route,
    handle: (req, res, param) => {
      const started = process.hrtime.bigint();
      res.once('finish', () => {
        metrics.webhookResponses.inc({ route: route.prefix, code: String(res.statusCode) });
        metrics.webhookDuration.observe({ route: route.prefix }, Number(process.hrtime.bigint() - started) / 1e9);
      });
      return route.handle(req, res, param);
    },
  }));
}

/** A worker batch's outcome, as passed to the worker's `onBatch`. */
export function recordBatch(metrics: StandingMetrics, summary: BatchSummary, size: number): void {
  metrics.batchSize.observe(size);
  const outcomes = {
    stored: summary.stored,
    duplicate: summary.duplicates,
    ignored: summary.ignored,
    quarantined: summary.quarantined,
    deferred: summary.deferred.size,
  };
  for (const [outcome, n] of Object.entries(outcomes)) if (n > 0) metrics.intakeEvents.inc({ outcome }, n);
}

/** Job latency (enqueue to completion) and failed attempts. */
export function observeWorker(worker: Worker, metrics: StandingMetrics): void {
  worker.on('completed', (job) => {
    const seconds = Math.max(0, ((job.finishedOn ?? Date.now()) - job.timestamp) / 1000);
    // Once per event: a batch job (queue/intake-queue.ts) carries several, each waited this long.
    const events = (job.data as { keys?: unknown }).keys;
    for (let i = Array.isArray(events) ? events.length : 1; i > 0; i--) metrics.jobLatency.observe(seconds);
  });
  worker.on('failed', () => metrics.jobsFailed.inc());
}

/** `GET /metrics`, for whoever presents the metrics token. */
export function metricsRoutes(metrics: StandingMetrics, authenticate: RequestHandler): Router {
  const router = Router();
  router.get('/metrics', authenticate, async (_req, res, next) => {
    try {
      const body = await metrics.scrape();
      res.set('Content-Type', metrics.contentType).set('Cache-Control', 'no-store').send(body);
    } catch (err) {
      next(err);
    }
  });
  return router;
}

/** A reconciliation run's outcome, drift and appended events; a completed run moves the lag clock. */
export function recordReconciliationRun(
  metrics: StandingMetrics,
  run: { tenant: string; source: string; state: string; counters: { drift_found: number; events_appended: number } },
): void {
  const labels = { source: run.source, tenant: run.tenant };
  metrics.reconciliationRuns.inc({ ...labels, state: run.state });
  metrics.reconciliationDrift.inc(labels, run.counters.drift_found);
  metrics.reconciliationAppended.inc(labels, run.counters.events_appended);
  if (run.state === 'completed') metrics.reconciliationLastSuccess.set(labels, Date.now() / 1000);
}
