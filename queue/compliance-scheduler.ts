/**
 * The scheduler role's compliance jobs, each a BullMQ job scheduler on one queue:
 *   `compliance-checkpoint`  writeCheckpoints: sign each changed chain head, copy it to the export;
 *   `compliance-retention`   applyRetention: remove expired ranges, leaving signed boundaries;
 *   `compliance-siem_push`   pushSiemTargets: new log rows to each tenant's Splunk HEC target;
 *   `compliance-loggly_push` pushLogglyTargets: the same to each tenant's Loggly bulk endpoint;
 *   `compliance-alerts`      Alerts.run: new warnings into the alert outbox, then the due alerts sent;
 *   `compliance-insights`    catchUpInsights: each tenant's new log rows into the insights' rollups.
 * Upserting a schedule is harmless, so every scheduler process does it at start, and a schedule lost
 * with Redis's data is re-created within 10 s. One job runs at a time per process. Checkpoints and
 * retention need the signing key: without one (production with no STANDING_CHECKPOINT_KEY) they are
 * not scheduled, which is logged once and reported by /readyz and `standing_scheduled_job_enabled`.
 */
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Logger } from 'pino';
import type { CheckpointKey } from '../connector/model/checkpoint.ts';
import type { StandingMetrics } from '../connector/ops/metrics.ts';
import type { CheckpointExporter } from '../connector/store/checkpoint-export.ts';
import type { StandingLog } from '../connector/store/standing-log.ts';
import type { SiemPushOptions } from '../connector/siem/siem-push.ts';
import type { SplunkTargets } from '../connector/siem/splunk-targets.ts';
import type { Alerts } from '../connector/alerts/alerts.ts';
import type { LogglyTargets } from '../connector/siem/loggly-targets.ts';
import { logErrorsOnce } from './intake-queue.ts';
import {
  runAlerts,
  runCheckpoint,
  runInsightsCatchUp,
  runLogglyPush,
  runRetention,
  runSiemPush,
  type ComplianceRunOutcome,
} from './compliance-runs.ts';
import { closeWorker, DEFAULT_WORKER_CLOSE_GRACE_MS, within } from './close-worker.ts';

export const COMPLIANCE_QUEUE_NAME = 'standing-compliance';
export const COMPLIANCE_JOBS = ['checkpoint', 'retention', 'siem_push', 'loggly_push', 'alerts', 'insights'] as const;
export type ComplianceJob = (typeof COMPLIANCE_JOBS)[number];
export const complianceSchedulerId = (job: ComplianceJob) => `compliance-${job}`;

/** Longest a schedule may be missing before it is re-created. */
const SCHEDULE_CHECK_MAX_MS = 10_000;

export interface ComplianceSchedulerDeps {
  log: StandingLog;
  targets: SplunkTargets;
  /** Each tenant's Loggly target. @defaultValue none: the Loggly push is not scheduled */
  loggly?: LogglyTargets;
  /** Alerting (connector/alerts). @defaultValue none: alerts are not scheduled */
  alerts?: Pick<Alerts, 'run'>;
  logger: Logger;
  /** The signing key; `null`: checkpoints and retention cannot run and are not scheduled. */
  checkpointKey: CheckpointKey | null;
  /** Why there is no key (a message naming the variable, never the key). @defaultValue a generic message */
  checkpointKeyProblem?: string;
  /** Where checkpoints are copied. @defaultValue none (the database only) */
  exporter?: CheckpointExporter;
  /** @defaultValue none: nothing counted */
  metrics?: StandingMetrics;
}

export interface ComplianceSchedulerOptions {
  connection: ConnectionOptions;
  /** @defaultValue `standing` */
  prefix?: string;
  /** `0`: off. @defaultValue 3_600_000 ms */
  checkpointEveryMs?: number;
  /** `0`: off. @defaultValue 86_400_000 ms */
  retentionEveryMs?: number;
  /** `0`: off. @defaultValue 60_000 ms */
  siemPushEveryMs?: number;
  /** The Loggly push; `0`: off. @defaultValue 60_000 ms */
  logglyPushEveryMs?: number;
  /** The alert scan and delivery; `0`: off. @defaultValue 10_000 ms */
  alertsEveryMs?: number;
  /** The insights' catch-up (docs/insights.md); `0`: off. @defaultValue 60_000 ms */
  insightsEveryMs?: number;
  /** Most log rows that catch-up folds per transaction. @defaultValue 50_000 */
  insightsChunkRows?: number;
  /** The clock the jobs use (tests move it forward to expire rows). @defaultValue () => new Date() */
  now?: () => Date;
  /** Batching of the SIEM push. */
  siemPush?: SiemPushOptions;
}

export const DEFAULT_COMPLIANCE_SCHEDULER_OPTIONS = {
  prefix: 'standing',
  checkpointEveryMs: 3_600_000,
  retentionEveryMs: 86_400_000,
  siemPushEveryMs: 60_000,
  logglyPushEveryMs: 60_000,
  alertsEveryMs: 10_000,
  insightsEveryMs: 60_000,
  insightsChunkRows: 50_000,
} as const;

export type { ComplianceRunOutcome } from './compliance-runs.ts';

export interface ComplianceScheduler {
  /** The jobs this process schedules. */
  readonly scheduled: readonly ComplianceJob[];
  /** Runs one job now, the way the worker would (tests, operators). */
  run(job: ComplianceJob): Promise<ComplianceRunOutcome>;
  /** Rejects when the signing key is missing or a schedule is gone from Redis (a readiness check). */
  checkScheduled(): Promise<void>;
  close(): Promise<void>;
}

export async function startComplianceScheduler(
  deps: ComplianceSchedulerDeps,
  options: ComplianceSchedulerOptions,
): Promise<ComplianceScheduler> {
  const o = { ...DEFAULT_COMPLIANCE_SCHEDULER_OPTIONS, ...options };
  const now = o.now ?? (() => new Date());
  const { logger, metrics } = deps;
  const every: Record<ComplianceJob, number> = {
    checkpoint: o.checkpointEveryMs,
    retention: o.retentionEveryMs,
    siem_push: o.siemPushEveryMs,
    loggly_push: deps.loggly ? o.logglyPushEveryMs : 0,
    alerts: deps.alerts ? o.alertsEveryMs : 0,
    insights: o.insightsEveryMs,
  };
  const needsKey = (job: ComplianceJob) => job === 'checkpoint' || job === 'retention';
  const wanted = COMPLIANCE_JOBS.filter((job) => every[job] > 0);
  const scheduled = wanted.filter((job) => !needsKey(job) || deps.checkpointKey !== null);
  const keyProblem = deps.checkpointKeyProblem ?? 'no checkpoint signing key';
  if (scheduled.length < wanted.length)
    logger.error(
      { jobs: wanted.filter((j) => !scheduled.includes(j)) },
      `checkpoints and retention are not scheduled: ${keyProblem}`,
    );
  for (const job of COMPLIANCE_JOBS) metrics?.scheduledJobEnabled.set({ job }, scheduled.includes(job) ? 1 : 0);

  const queue = new Queue(COMPLIANCE_QUEUE_NAME, { connection: o.connection, prefix: o.prefix });
  const queueErrors = logErrorsOnce(queue, logger, 'compliance queue');
  const schedule = (job: ComplianceJob) =>
    queue.upsertJobScheduler(
      complianceSchedulerId(job),
      { every: every[job] },
      { name: job, opts: { removeOnComplete: 100, removeOnFail: 100, attempts: 1 } },
    );
  for (const job of scheduled) await schedule(job);
  // A schedule left from an earlier configuration would keep producing jobs: remove what is off here.
  for (const job of COMPLIANCE_JOBS.filter((j) => !scheduled.includes(j)))
    await queue.removeJobScheduler(complianceSchedulerId(job));

  const jobs: Record<ComplianceJob, () => Promise<ComplianceRunOutcome>> = {
    checkpoint: () => runCheckpoint({ ...deps, checkpointKey: deps.checkpointKey!, now }),
    retention: () => runRetention({ ...deps, checkpointKey: deps.checkpointKey!, now }),
    siem_push: () => runSiemPush({ ...deps, now, options: o.siemPush }),
    loggly_push: () => runLogglyPush({ ...deps, now, options: o.siemPush }),
    alerts: () => runAlerts({ ...deps, now }),
    insights: () => runInsightsCatchUp({ ...deps, now, chunkRows: o.insightsChunkRows }),
  };
  const run = async (job: ComplianceJob): Promise<ComplianceRunOutcome> => {
    if (needsKey(job) && !deps.checkpointKey) throw new Error(`${job}: ${keyProblem}`);
    let outcome: ComplianceRunOutcome;
    try {
      outcome = await jobs[job]();
    } catch (err) {
      metrics?.scheduledJobRuns.inc({ job, outcome: 'failed' });
      throw err;
    }
    metrics?.scheduledJobRuns.inc({ job, outcome });
    if (outcome === 'ok') metrics?.scheduledJobLastSuccess.set({ job }, Date.now() / 1000);
    return outcome;
  };

  const worker = new Worker(
    COMPLIANCE_QUEUE_NAME,
    async (j) => {
      const job = COMPLIANCE_JOBS.find((name) => name === j.name);
      if (!job) return 'unknown job';
      return run(job);
    },
    // One at a time: a long retention run delays the push, it never runs beside it. A run may take
    // minutes (a large first push, a 100,000-row cut): keep the lock renewed.
    { connection: o.connection, prefix: o.prefix, concurrency: 1, lockDuration: 120_000 },
  );
  logErrorsOnce(worker, logger, 'compliance worker');
  worker.on('failed', (j, err) =>
    logger.error(
      { job: j?.name, err: { message: err.message } },
      'compliance job failed; it runs again at the next tick',
    ),
  );

  const missing = async (): Promise<ComplianceJob[]> => {
    const found = await Promise.all(scheduled.map((job) => queue.getJobScheduler(complianceSchedulerId(job))));
    return scheduled.filter((_, i) => !found[i]);
  };
  let checking = false;
  const timer =
    scheduled.length === 0
      ? undefined
      : setInterval(
          () => {
            if (checking) return;
            checking = true;
            missing()
              .then(async (gone) => {
                queueErrors.recovered();
                for (const job of gone) await schedule(job);
                if (gone.length > 0)
                  logger.warn({ jobs: gone }, 'compliance schedules were missing (Redis lost its data?); re-created');
              })
              .catch(() => undefined) // Redis unreachable: the queue's error listener said so.
              .finally(() => {
                checking = false;
              });
          },
          Math.min(SCHEDULE_CHECK_MAX_MS, ...scheduled.map((j) => every[j])),
        );
  timer?.unref();

  return {
    scheduled,
    run,
    checkScheduled: async () => {
      if (scheduled.length < wanted.length)
        throw new Error(`checkpoints and retention are not scheduled: ${keyProblem}`);
      const gone = await missing();
      if (gone.length > 0) throw new Error(`the ${gone.join(', ')} schedule is missing from Redis`);
    },
    close: async () => {
      clearInterval(timer);
      await closeWorker(worker);
      await within(queue.close(), DEFAULT_WORKER_CLOSE_GRACE_MS);
    },
  };
}
