/**
 * Prometheus metrics of one service instance. Each instance owns its Registry (never prom-client's
 * global one), so tests can run several services in one process. Counters and histograms are
 * updated where things happen (webhook answers, worker batches, jobs); gauges about shared state
 * (inbox, quarantine, queue, chain heads) are refreshed by probes when `/metrics` is scraped.
 * Labels carry tenant ids, sources, routes and codes only: never emails, user ids or secrets.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from 'pino';

/** Refreshes some gauges before a scrape; throws when its dependency cannot be reached. */
export interface MetricsProbe {
  /** The dependency it reads (`database`, `redis`): `standing_dependency_up{dependency}`. */
  dependency: string;
  run(): Promise<void>;
}

export interface StandingMetricsOptions {
  /**
   * How long a probe may take during a scrape before its dependency is reported down.
   * @defaultValue 2000 ms
   */
  probeTimeoutMs?: number;
  /**
   * Node.js process metrics (memory, event-loop lag, GC, handles) from prom-client.
   * @defaultValue true
   */
  processMetrics?: boolean;
  /** Where failing probes are logged (once per outage). @defaultValue undefined: not logged */
  logger?: Logger;
}

export const DEFAULT_METRICS_OPTIONS = { probeTimeoutMs: 2000, processMetrics: true } as const;

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const JOB_LATENCY_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800];
const BATCH_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000];

export class StandingMetrics {
  readonly registry = new Registry();
  readonly webhookResponses: Counter<'route' | 'code'>;
  readonly webhookDuration: Histogram<'route'>;
  readonly intakeEvents: Counter<'outcome'>;
  readonly batchSize: Histogram;
  readonly jobLatency: Histogram;
  readonly jobsFailed: Counter;
  readonly rateLimitWaits: Counter<'source' | 'tenant'>;
  readonly rateLimitWaitSeconds: Counter<'source' | 'tenant'>;
  readonly dependencyUp: Gauge<'dependency'>;
  readonly inboxPending: Gauge;
  readonly inboxOldestPendingAge: Gauge;
  readonly quarantined: Gauge;
  readonly chainHead: Gauge<'tenant'>;
  readonly queueJobs: Gauge<'state'>;
  readonly queueOldestWaitingAge: Gauge;
  readonly reconciliationRuns: Counter<'source' | 'tenant' | 'state'>;
  readonly reconciliationDrift: Counter<'source' | 'tenant'>;
  readonly reconciliationAppended: Counter<'source' | 'tenant'>;
  readonly reconciliationLastSuccess: Gauge<'source' | 'tenant'>;
  readonly scheduledJobRuns: Counter<'job' | 'outcome'>;
  readonly scheduledJobLastSuccess: Gauge<'job'>;
  readonly scheduledJobEnabled: Gauge<'job'>;
  readonly siemEventsPushed: Counter<'tenant'>;
  readonly siemPushFailures: Counter<'tenant' | 'reason'>;
  readonly siemLastSuccess: Gauge<'tenant'>;
  readonly logglyEventsPushed: Counter<'tenant'>;
  readonly logglyPushFailures: Counter<'tenant' | 'reason'>;
  readonly alertsQueued: Counter<'tenant' | 'channel' | 'code'>;
  readonly alertDeliveries: Counter<'tenant' | 'channel' | 'outcome'>;
  private readonly probes: MetricsProbe[] = [];
  private readonly failing = new Set<string>();
  private readonly o: Required<Omit<StandingMetricsOptions, 'logger'>> & { logger?: Logger };

  constructor(options: StandingMetricsOptions = {}) {
    this.o = { ...DEFAULT_METRICS_OPTIONS, ...options };
    const registers = [this.registry];
    this.reconciliationRuns = new Counter({
      name: 'standing_reconciliation_runs_total',
      help: 'Reconciliation runs by outcome (completed, partial, failed).',
      labelNames: ['source', 'tenant', 'state'],
      registers,
    });
    this.reconciliationDrift = new Counter({
      name: 'standing_reconciliation_drift_total',
      help: 'Findings the log lacked or contradicted (each appended); what it already held is not counted.',
      labelNames: ['source', 'tenant'],
      registers,
    });
    this.reconciliationAppended = new Counter({
      name: 'standing_reconciliation_events_appended_total',
      help: 'Events reconciliation appended to the log.',
      labelNames: ['source', 'tenant'],
      registers,
    });
    this.reconciliationLastSuccess = new Gauge({
      name: 'standing_reconciliation_last_success_timestamp_seconds',
      help: 'When the last completed reconciliation run ended (lag: now minus this).',
      labelNames: ['source', 'tenant'],
      registers,
    });
    this.scheduledJobRuns = new Counter({
      name: 'standing_scheduled_job_runs_total',
      help: 'Runs of the scheduled compliance jobs (checkpoint, retention, siem_push, loggly_push, alerts) by outcome.',
      labelNames: ['job', 'outcome'],
      registers,
    });
    this.scheduledJobLastSuccess = new Gauge({
      name: 'standing_scheduled_job_last_success_timestamp_seconds',
      help: 'When each scheduled compliance job last succeeded (lag: now minus this).',
      labelNames: ['job'],
      registers,
    });
    this.scheduledJobEnabled = new Gauge({
      name: 'standing_scheduled_job_enabled',
      help: '1 when this process schedules the job, 0 when it is off or cannot run (e.g. no checkpoint key).',
      labelNames: ['job'],
      registers,
    });
    this.siemEventsPushed = new Counter({
      name: 'standing_siem_events_pushed_total',
      help: 'Log rows Splunk HEC accepted.',
      labelNames: ['tenant'],
      registers,
    });
    this.siemPushFailures = new Counter({
      name: 'standing_siem_push_failures_total',
      help: 'Batches Splunk HEC did not accept, by reason.',
      labelNames: ['tenant', 'reason'],
      registers,
    });
    this.siemLastSuccess = new Gauge({
      name: 'standing_siem_last_success_timestamp_seconds',
      help: "When each tenant's Splunk target last accepted a batch or was found up to date.",
      labelNames: ['tenant'],
      registers,
    });
    this.logglyEventsPushed = new Counter({
      name: 'standing_loggly_events_pushed_total',
      help: 'Log rows Loggly accepted.',
      labelNames: ['tenant'],
      registers,
    });
    this.logglyPushFailures = new Counter({
      name: 'standing_loggly_push_failures_total',
      help: 'Batches Loggly did not accept, by reason.',
      labelNames: ['tenant', 'reason'],
      registers,
    });
    this.alertsQueued = new Counter({
      name: 'standing_alerts_queued_total',
      help: 'Alerts put in the outbox (one per warning and channel), by channel and warning code.',
      labelNames: ['tenant', 'channel', 'code'],
      registers,
    });
    this.alertDeliveries = new Counter({
      name: 'standing_alert_deliveries_total',
      help: 'Alert delivery attempts by outcome (sent, retrying, failed).',
      labelNames: ['tenant', 'channel', 'outcome'],
      registers,
    });
    this.webhookResponses = new Counter({
      name: 'standing_webhook_responses_total',
      help: 'Webhook answers by route and HTTP status code.',
      labelNames: ['route', 'code'],
      registers,
    });
    this.webhookDuration = new Histogram({
      name: 'standing_webhook_duration_seconds',
      help: 'Time to answer a webhook.',
      labelNames: ['route'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.intakeEvents = new Counter({
      name: 'standing_intake_events_total',
      help: 'Inbox events processed by this worker, by outcome (stored, duplicate, ignored, quarantined, deferred).',
      labelNames: ['outcome'],
      registers,
    });
    this.batchSize = new Histogram({
      name: 'standing_intake_batch_size',
      help: 'Events per log batch.',
      buckets: BATCH_BUCKETS,
      registers,
    });
    this.jobLatency = new Histogram({
      name: 'standing_intake_job_latency_seconds',
      help: 'From enqueue to completion of an intake job.',
      buckets: JOB_LATENCY_BUCKETS,
      registers,
    });
    this.jobsFailed = new Counter({
      name: 'standing_intake_jobs_failed_total',
      help: 'Intake job attempts that failed (each retried or swept later).',
      registers,
    });
    this.rateLimitWaits = new Counter({
      name: 'standing_provider_rate_limit_waits_total',
      help: 'Times a provider answered 429 and a tenant had to wait.',
      labelNames: ['source', 'tenant'],
      registers,
    });
    this.rateLimitWaitSeconds = new Counter({
      name: 'standing_provider_rate_limit_wait_seconds_total',
      help: 'Seconds of waiting a provider asked for.',
      labelNames: ['source', 'tenant'],
      registers,
    });
    this.dependencyUp = new Gauge({
      name: 'standing_dependency_up',
      help: "1 when the dependency answered the last scrape's probe, 0 otherwise.",
      labelNames: ['dependency'],
      registers,
    });
    this.inboxPending = new Gauge({
      name: 'standing_inbox_pending',
      help: 'Inbox events accepted and not yet processed (all tenants).',
      registers,
    });
    this.inboxOldestPendingAge = new Gauge({
      name: 'standing_inbox_oldest_pending_age_seconds',
      help: 'Age of the oldest pending inbox event (0 when none).',
      registers,
    });
    this.quarantined = new Gauge({
      name: 'standing_inbox_quarantined',
      help: 'Inbox events quarantined (waiting for a mapping fix and a replay).',
      registers,
    });
    this.chainHead = new Gauge({
      name: 'standing_chain_head_seq',
      help: "Sequence number of each tenant's chain head.",
      labelNames: ['tenant'],
      registers,
    });
    this.queueJobs = new Gauge({
      name: 'standing_queue_jobs',
      help: 'Intake queue jobs by state.',
      labelNames: ['state'],
      registers,
    });
    this.queueOldestWaitingAge = new Gauge({
      name: 'standing_queue_oldest_waiting_age_seconds',
      help: 'Age of the oldest waiting intake job (0 when none).',
      registers,
    });
    if (this.o.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  addProbe(probe: MetricsProbe): void {
    this.probes.push(probe);
    this.dependencyUp.set({ dependency: probe.dependency }, 1);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Runs the probes (each bounded by `probeTimeoutMs`), then renders the text exposition format. */
  async scrape(): Promise<string> {
    const outcomes = await Promise.all(
      this.probes.map((p) =>
        withTimeout(p.run(), this.o.probeTimeoutMs).then(
          () => null,
          (err: unknown) => err,
        ),
      ),
    );
    const down = new Set<string>();
    this.probes.forEach((p, i) => {
      if (outcomes[i] !== null) down.add(p.dependency);
    });
    for (const dependency of new Set(this.probes.map((p) => p.dependency))) {
      const isDown = down.has(dependency);
      this.dependencyUp.set({ dependency }, isDown ? 0 : 1);
      if (isDown && !this.failing.has(dependency))
        this.o.logger?.warn({ dependency }, 'metrics: dependency unreachable; its gauges are stale');
      if (!isDown && this.failing.has(dependency))
        this.o.logger?.info({ dependency }, 'metrics: dependency reachable again');
      if (isDown) this.failing.add(dependency);
      else this.failing.delete(dependency);
    }
    return this.registry.metrics();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`probe timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
