/**
 * The compliance jobs' runs (compliance-scheduler.ts schedules them): checkpoints, retention, the
 * Splunk and Loggly pushes, the alert run and the insights' catch-up. The pushes and the alert run
 * count their outcomes in the metrics; failures are logged with the receiver's reason only (never a
 * token, a secret or an alert's content).
 */
import type { Logger } from 'pino';
import type { Alerts } from '../connector/alerts/alerts.ts';
import type { CheckpointKey } from '../connector/model/checkpoint.ts';
import type { StandingMetrics } from '../connector/ops/metrics.ts';
import { pushLogglyTargets } from '../connector/siem/loggly-push.ts';
import type { LogglyTargets } from '../connector/siem/loggly-targets.ts';
import { pushSiemTargets, type SiemPushOptions, type SiemPushOutcome } from '../connector/siem/siem-push.ts';
import type { SplunkTargets } from '../connector/siem/splunk-targets.ts';
import type { CheckpointExporter } from '../connector/store/checkpoint-export.ts';
import { writeCheckpoints } from '../connector/store/checkpoints.ts';
import { applyRetention } from '../connector/store/retention.ts';
import type { StandingLog } from '../connector/store/standing-log.ts';

export type ComplianceRunOutcome = 'ok' | 'refused' | 'export_failed' | 'partial' | 'failed';
type Outcome = 'ok' | 'partial' | 'failed';

interface RunDeps {
  log: StandingLog;
  logger: Logger;
  metrics?: StandingMetrics;
  now: () => Date;
}

export async function runCheckpoint(
  deps: RunDeps & { checkpointKey: CheckpointKey; exporter?: CheckpointExporter },
): Promise<ComplianceRunOutcome> {
  const { logger } = deps;
  const outcomes = await writeCheckpoints(deps.log, deps.checkpointKey, { exporter: deps.exporter, now: deps.now });
  let result: ComplianceRunOutcome = 'ok';
  for (const c of outcomes) {
    if (c.status === 'refused') {
      logger.error(
        { tenant: c.tenant, seq: c.broken.seq, problem: c.broken.problem },
        'checkpoint refused: the rows since the last checkpoint do not check out; run standing verify',
      );
      result = 'refused';
    } else if ((c.status === 'written' || c.status === 'unchanged') && deps.exporter && c.exported !== true) {
      logger.warn(
        { tenant: c.tenant, number: c.number, target: deps.exporter.target, error: c.export_error },
        'checkpoint not copied to the export; retried next run',
      );
      if (result === 'ok') result = 'export_failed';
    } else if (c.status === 'written')
      logger.info({ tenant: c.tenant, number: c.number, seq: c.seq }, 'checkpoint written');
  }
  return result;
}

export async function runRetention(deps: RunDeps & { checkpointKey: CheckpointKey }): Promise<ComplianceRunOutcome> {
  const { logger } = deps;
  for (const r of await applyRetention(deps.log, deps.checkpointKey, { now: deps.now })) {
    if (r.status === 'removed' || (r.status === 'held' && r.removed > 0))
      logger.info(
        { tenant: r.tenant, through: r.through, removed: r.removed, cutoff: r.cutoff },
        'retention removed an expired range',
      );
    if (r.status === 'held')
      logger.info({ tenant: r.tenant, held_from: r.held_from }, 'retention stopped by a legal hold');
  }
  return 'ok';
}

export async function runSiemPush(
  deps: RunDeps & { targets: SplunkTargets; options?: SiemPushOptions },
): Promise<Outcome> {
  const outcomes = await pushSiemTargets(deps.log, deps.targets, { ...deps.options, now: deps.now });
  const m = deps.metrics;
  return tallyPushes(
    outcomes,
    deps.logger,
    'Splunk',
    m && {
      pushed: m.siemEventsPushed,
      failures: m.siemPushFailures,
      lastSuccess: m.siemLastSuccess,
    },
  );
}

export async function runLogglyPush(
  deps: RunDeps & { loggly?: LogglyTargets; options?: SiemPushOptions },
): Promise<Outcome> {
  if (!deps.loggly) return 'ok';
  const outcomes = await pushLogglyTargets(deps.log, deps.loggly, { ...deps.options, now: deps.now });
  const m = deps.metrics;
  return tallyPushes(
    outcomes,
    deps.logger,
    'Loggly',
    m && {
      pushed: m.logglyEventsPushed,
      failures: m.logglyPushFailures,
    },
  );
}

interface PushMetrics {
  pushed: StandingMetrics['siemEventsPushed'];
  failures: StandingMetrics['siemPushFailures'];
  /** Splunk only: when a target was last known to be current. */
  lastSuccess?: StandingMetrics['siemLastSuccess'];
}

/** Counts one push run's outcomes per tenant and logs each failure with the receiver's reason only. */
function tallyPushes(
  outcomes: SiemPushOutcome<string>[],
  logger: Logger,
  target: string,
  metrics: PushMetrics | undefined,
): Outcome {
  let failed = 0;
  for (const p of outcomes) {
    if (p.status === 'sent' || p.status === 'raced') metrics?.pushed.inc({ tenant: p.tenant }, p.events);
    if (p.status === 'sent' || p.status === 'up_to_date')
      metrics?.lastSuccess?.set({ tenant: p.tenant }, Date.now() / 1000);
    if (p.status !== 'failed') continue;
    failed++;
    metrics?.failures.inc({ tenant: p.tenant, reason: p.reason });
    if (p.events > 0) metrics?.pushed.inc({ tenant: p.tenant }, p.events);
    // The receiver's text and code only: never the token or the events.
    logger.warn(
      { tenant: p.tenant, reason: p.reason, retry: p.retry, wait_ms: p.wait_ms, error: p.error, last_seq: p.last_seq },
      `SIEM push to ${target} failed; the batch is sent again later`,
    );
  }
  return failed === 0 ? 'ok' : failed === outcomes.length ? 'failed' : 'partial';
}

export async function runAlerts(deps: RunDeps & { alerts?: Pick<Alerts, 'run'> }): Promise<Outcome> {
  if (!deps.alerts) return 'ok';
  const { scanned, delivered } = await deps.alerts.run(deps.now);
  for (const s of scanned)
    for (const q of s.queued) deps.metrics?.alertsQueued.inc({ tenant: s.tenant, channel: q.channel, code: q.code });
  let failed = 0;
  for (const { alert, record } of delivered) {
    if (record.outcome === 'sent') continue;
    failed++;
    // The alert's key, code and the receiver's short answer: no secret, no personal data.
    deps.logger.warn(
      {
        tenant: alert.tenant,
        channel: alert.channel,
        alert: alert.alert_key,
        code: alert.code,
        outcome: record.outcome,
        status: record.status,
        answer: record.answer,
      },
      record.outcome === 'retrying' ? 'alert not delivered; it is sent again later' : 'alert not delivered; given up',
    );
  }
  return failed === 0 ? 'ok' : failed === delivered.length ? 'failed' : 'partial';
}

/**
 * Folds each tenant's new log rows into the insights' rollups (docs/insights.md), `chunkRows` per
 * transaction until the tenant is caught up, so that an insights request folds only the rows appended
 * since. A tenant that fails is logged and the others go on; it is caught up at the next run.
 */
export async function runInsightsCatchUp(deps: RunDeps & { chunkRows: number }): Promise<Outcome> {
  const tenants = await deps.log.db.query<{ tenant: string }>('SELECT tenant FROM chain_heads ORDER BY tenant');
  let failed = 0;
  for (const { tenant } of tenants) {
    try {
      let rows = 0;
      for (;;) {
        const step = await deps.log.insights.catchUp(tenant, { maxRows: deps.chunkRows });
        rows += step.rows;
        if (step.rows < deps.chunkRows) break;
      }
      if (rows > 0) deps.logger.debug({ tenant, rows }, 'insights rollups caught up');
    } catch (err) {
      failed++;
      deps.logger.warn(
        { tenant, err: { message: (err as Error).message } },
        'insights catch-up failed; retried next run',
      );
    }
  }
  return failed === 0 ? 'ok' : failed === tenants.length ? 'failed' : 'partial';
}
