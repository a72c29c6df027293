/**
 * The service's configuration: environment variables parsed once, at start, into a typed value.
 * Every default lives in CONFIG_DEFAULTS; CONFIG_REFERENCE documents each variable for docs/configuration.md
 * and `standing --help`. A bad value is reported as `NAME: problem`, never as a stack trace.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import type { IntakeSettings } from './intake-settings.ts';
import { COMPLIANCE_ENV, type CheckpointSettings, type ComplianceSchedules } from './compliance-env.ts';
import { OPERATOR_AUDITOR_KEYS_DEFAULT, type LogLevel, type OperatorAuditorKeyPolicy } from './defaults.ts';
import { INTAKE_ENV, ZENDESK_ENV } from './intake-env.ts';
import { SERVICE_ENV } from './service-env.ts';

export {
  CONFIG_DEFAULTS,
  LOG_LEVELS,
  OPERATOR_AUDITOR_KEY_POLICIES,
  type LogLevel,
  type OperatorAuditorKeyPolicy,
} from './defaults.ts';
export type { CheckpointSettings, ComplianceSchedules } from './compliance-env.ts';
export {
  CONFIG_REFERENCE,
  describeConfig,
  maskUrlPassword,
  type ConfigReferenceEntry,
  type ConfigRow,
} from './reference.ts';

export interface StandingConfig {
  port: number;
  host: string;
  /** Options for `openDatabase`: `url` unset means the embedded database in `embeddedDataDir`. */
  database: { url: string | undefined; ownerUrl: string | undefined; schema: string; embeddedDataDir: string };
  /** Absolute path of STANDING_DATA_DIR: embedded database and generated secrets. */
  dataDir: string;
  redisUrl: string;
  /** 32 bytes, or `undefined` when it is to be generated / read from the data directory. */
  masterKey: Buffer | undefined;
  /**
   * STANDING_OPERATOR_TOKEN (or its former name STANDING_ADMIN_TOKEN); `undefined`: generated / read from the data
   * directory.
   */
  operatorToken: string | undefined;
  /** Bearer token of /metrics; `undefined`: the operator token (`ops.read`). */
  metricsToken: string | undefined;
  /**
   * STANDING_APP_DIR, absolute: the built Zendesk app's assets, served as its signed-URL page (the sidebar's
   * actions). `undefined`: the page is not served.
   */
  appDir: string | undefined;
  logLevel: LogLevel;
  shutdownGraceMs: number;
  nodeEnv: string;
  production: boolean;
  /**
   * STANDING_OPERATOR_AUDITOR_KEYS: `first-only`, the operator's token may issue a tenant's first
   * `auditor` key only (further ones come from that tenant's auditors); `always`, any number.
   * @defaultValue `first-only` when NODE_ENV=production, else `always`
   */
  operatorAuditorKeys: OperatorAuditorKeyPolicy;
  /** Signed checkpoints: the signing key (PEM or base64 seed, checked when loaded) and where copies go. */
  checkpoints: CheckpointSettings;
  /** Zendesk intake: process role, queue, worker tuning, the env-configured `default` tenant. */
  intake: IntakeSettings;
  /** The scheduler role's compliance jobs (queue/compliance-scheduler.ts); `0` turns one off. */
  schedules: ComplianceSchedules;
}

/** One configuration problem, naming the variable. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

export type ConfigResult = { ok: true; config: StandingConfig } | { ok: false; problems: ConfigProblem[] };

/** `NAME: problem` lines, for a person reading a terminal or a container log. */
export function formatConfigProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((p) => `${p.variable}: ${p.message}`).join('\n');
}

// Key order is the order problems are reported in.
const EnvSchema = z.object({ ...SERVICE_ENV, ...INTAKE_ENV, ...COMPLIANCE_ENV, ...ZENDESK_ENV });

/** Parses the environment. Relative STANDING_DATA_DIR is resolved against `cwd`. */
export function parseConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): ConfigResult {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => ({
        variable: String(i.path[0] ?? '(environment)'),
        message: i.message,
      })),
    };
  }
  const e = parsed.data;
  if (e.DATABASE_OWNER_URL && !e.DATABASE_URL) {
    return {
      ok: false,
      problems: [
        {
          variable: 'DATABASE_OWNER_URL',
          message: 'needs DATABASE_URL (the service role) too; the embedded database has a single user',
        },
      ],
    };
  }
  if (
    e.STANDING_OPERATOR_TOKEN !== undefined &&
    e.STANDING_ADMIN_TOKEN !== undefined &&
    e.STANDING_OPERATOR_TOKEN !== e.STANDING_ADMIN_TOKEN
  ) {
    return {
      ok: false,
      problems: [
        {
          variable: 'STANDING_ADMIN_TOKEN',
          message:
            'is the former name of STANDING_OPERATOR_TOKEN, and both are set to different values: keep only ' +
            'STANDING_OPERATOR_TOKEN',
        },
      ],
    };
  }
  const dataDir = resolve(cwd, e.STANDING_DATA_DIR);
  return {
    ok: true,
    config: {
      port: e.PORT,
      host: e.HOST,
      database: {
        url: e.DATABASE_URL,
        ownerUrl: e.DATABASE_OWNER_URL,
        schema: e.DATABASE_SCHEMA,
        embeddedDataDir: resolve(dataDir, 'pgdata'),
      },
      dataDir,
      redisUrl: e.REDIS_URL,
      masterKey: e.STANDING_MASTER_KEY,
      operatorToken: e.STANDING_OPERATOR_TOKEN ?? e.STANDING_ADMIN_TOKEN,
      metricsToken: e.STANDING_METRICS_TOKEN,
      appDir: e.STANDING_APP_DIR === undefined ? undefined : resolve(cwd, e.STANDING_APP_DIR),
      logLevel: e.LOG_LEVEL,
      shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
      nodeEnv: e.NODE_ENV,
      checkpoints: {
        key: e.STANDING_CHECKPOINT_KEY,
        exportTarget: e.STANDING_CHECKPOINT_EXPORT,
        s3: {
          endpoint: e.STANDING_S3_ENDPOINT,
          region: e.STANDING_S3_REGION,
          accessKeyId: e.AWS_ACCESS_KEY_ID,
          secretAccessKey: e.AWS_SECRET_ACCESS_KEY,
          sessionToken: e.AWS_SESSION_TOKEN,
        },
      },
      production: e.NODE_ENV === 'production',
      operatorAuditorKeys:
        e.STANDING_OPERATOR_AUDITOR_KEYS ??
        (e.NODE_ENV === 'production'
          ? OPERATOR_AUDITOR_KEYS_DEFAULT.production
          : OPERATOR_AUDITOR_KEYS_DEFAULT.otherwise),
      schedules: {
        checkpointEveryMs: e.STANDING_CHECKPOINT_INTERVAL_MS,
        retentionEveryMs: e.STANDING_RETENTION_INTERVAL_MS,
        siemPushEveryMs: e.STANDING_SIEM_PUSH_INTERVAL_MS,
        logglyPushEveryMs: e.STANDING_LOGGLY_PUSH_INTERVAL_MS,
        alertsEveryMs: e.STANDING_ALERTS_INTERVAL_MS,
        insightsEveryMs: e.STANDING_INSIGHTS_INTERVAL_MS,
        insightsChunkRows: e.STANDING_INSIGHTS_CHUNK_ROWS,
      },
      intake: {
        role: e.STANDING_ROLE,
        queuePrefix: e.STANDING_QUEUE_PREFIX,
        defaultTenant: {
          subdomain: e.ZENDESK_SUBDOMAIN,
          apiUrl: e.ZENDESK_API_URL,
          webhookSecret: e.ZENDESK_WEBHOOK_SECRET,
          apiEmail: e.ZENDESK_API_EMAIL,
          apiToken: e.ZENDESK_API_TOKEN,
        },
        webhook: {
          toleranceSeconds: e.ZENDESK_WEBHOOK_TOLERANCE_SECONDS,
          maxBodyBytes: e.ZENDESK_WEBHOOK_MAX_BODY_BYTES,
        },
        worker: {
          concurrency: e.STANDING_WORKER_CONCURRENCY,
          batchSize: e.STANDING_WORKER_BATCH,
          lockDurationMs: e.STANDING_WORKER_LOCK_MS,
          companionWaitMs: e.STANDING_COMPANION_WAIT_MS,
        },
        salesforceSettingsRefreshMs: e.STANDING_SALESFORCE_SETTINGS_REFRESH_MS,
        inboxRetentionDays: e.STANDING_INBOX_RETENTION_DAYS,
        sweeper: {
          everyMs: e.STANDING_SWEEP_INTERVAL_MS,
          pendingForMs: e.STANDING_SWEEP_PENDING_MS,
          maxEvents: e.STANDING_SWEEP_MAX_EVENTS,
        },
        attribution: {
          sweepEveryMs: e.STANDING_ATTRIBUTION_SWEEP_MS,
          windowSeconds: e.STANDING_ATTRIBUTION_WINDOW_SECONDS,
        },
        reconciliation: {
          everyMs: e.STANDING_RECONCILE_INTERVAL_MS,
          maxPages: e.STANDING_RECONCILE_MAX_PAGES,
          salesforceMaxQuotaShare: e.STANDING_RECONCILE_SALESFORCE_QUOTA_SHARE,
        },
      },
    },
  };
}
