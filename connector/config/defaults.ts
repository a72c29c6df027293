/** Log levels and every configuration default. */

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The one place defaults are set. Secrets and DATABASE_URL have none on purpose. */
export const CONFIG_DEFAULTS = {
  PORT: 8080,
  HOST: '0.0.0.0',
  DATABASE_SCHEMA: 'standing',
  STANDING_DATA_DIR: '.standing',
  REDIS_URL: 'redis://127.0.0.1:6379',
  LOG_LEVEL: 'info',
  SHUTDOWN_GRACE_MS: 10_000,
  NODE_ENV: 'development',
  STANDING_ROLE: 'all',
  STANDING_QUEUE_PREFIX: 'standing',
  STANDING_WORKER_CONCURRENCY: 500,
  STANDING_WORKER_BATCH: 250,
  STANDING_WORKER_LOCK_MS: 30_000,
  STANDING_COMPANION_WAIT_MS: 10_000,
  STANDING_SALESFORCE_SETTINGS_REFRESH_MS: 30_000,
  ZENDESK_WEBHOOK_TOLERANCE_SECONDS: 300,
  ZENDESK_WEBHOOK_MAX_BODY_BYTES: 262_144,
  STANDING_INBOX_RETENTION_DAYS: 30,
  STANDING_SWEEP_INTERVAL_MS: 60_000,
  STANDING_SWEEP_PENDING_MS: 120_000,
  STANDING_SWEEP_MAX_EVENTS: 50_000,
  STANDING_RECONCILE_INTERVAL_MS: 900_000,
  STANDING_RECONCILE_MAX_PAGES: 1000,
  STANDING_RECONCILE_SALESFORCE_QUOTA_SHARE: 0.5,
  STANDING_ATTRIBUTION_SWEEP_MS: 60_000,
  STANDING_ATTRIBUTION_WINDOW_SECONDS: 60,
  STANDING_CHECKPOINT_INTERVAL_MS: 3_600_000,
  STANDING_RETENTION_INTERVAL_MS: 86_400_000,
  STANDING_SIEM_PUSH_INTERVAL_MS: 60_000,
  STANDING_LOGGLY_PUSH_INTERVAL_MS: 60_000,
  STANDING_ALERTS_INTERVAL_MS: 10_000,
  STANDING_INSIGHTS_INTERVAL_MS: 60_000,
  STANDING_INSIGHTS_CHUNK_ROWS: 50_000,
  STANDING_S3_REGION: 'us-east-1',
} as const satisfies Record<string, string | number>;

/**
 * STANDING_OPERATOR_AUDITOR_KEYS: whether the operator's token may issue a tenant's `auditor` keys
 * (which read every customer's history) beyond the tenant's first one.
 */
export const OPERATOR_AUDITOR_KEY_POLICIES = ['first-only', 'always'] as const;
export type OperatorAuditorKeyPolicy = (typeof OPERATOR_AUDITOR_KEY_POLICIES)[number];
/** Its default depends on NODE_ENV: a production deployment does not let its operator read in secret. */
export const OPERATOR_AUDITOR_KEYS_DEFAULT = {
  production: 'first-only',
  otherwise: 'always',
} as const satisfies Record<string, OperatorAuditorKeyPolicy>;
