/**
 * The service's configuration: environment variables parsed once, at start, into a typed value.
 * Every default lives in CONFIG_DEFAULTS; CONFIG_REFERENCE documents each variable for the README
 * and `standing --help`. A bad value is reported as `NAME: problem`, never as a stack trace.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import type { IntakeSettings } from './intake/intake-extension.ts';
import { PROCESS_ROLES } from './ops/roles.ts';
import { ZENDESK_TEST_SECRET_REFUSED, ZENDESK_TEST_SIGNING_SECRET } from './zendesk/webhook-signature.ts';

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
  STANDING_CHECKPOINT_INTERVAL_MS: 3_600_000,
  STANDING_RETENTION_INTERVAL_MS: 86_400_000,
  STANDING_SIEM_PUSH_INTERVAL_MS: 60_000,
  STANDING_S3_REGION: 'us-east-1',
} as const satisfies Record<string, string | number>;

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
  adminToken: string | undefined;
  /** Bearer token of /metrics; `undefined`: the admin token. */
  metricsToken: string | undefined;
  logLevel: LogLevel;
  shutdownGraceMs: number;
  nodeEnv: string;
  production: boolean;
  /** Signed checkpoints: the signing key (PEM or base64 seed, checked when loaded) and where copies go. */
  checkpoints: CheckpointSettings;
  /** Zendesk intake: process role, queue, worker tuning, the env-configured `default` tenant. */
  intake: IntakeSettings;
  /** The scheduler role's compliance jobs (queue/compliance-scheduler.ts); `0` turns one off. */
  schedules: ComplianceSchedules;
}

export interface ComplianceSchedules {
  /** How often each changed chain head is checkpointed. @defaultValue 3_600_000 ms (1 h) */
  checkpointEveryMs: number;
  /** How often retention policies are applied. @defaultValue 86_400_000 ms (24 h) */
  retentionEveryMs: number;
  /** How often new log rows are pushed to each tenant's Splunk HEC target. @defaultValue 60_000 ms (1 min) */
  siemPushEveryMs: number;
}

export interface CheckpointSettings {
  /** STANDING_CHECKPOINT_KEY as given; `undefined`: generated into / read from the data directory. */
  key: string | undefined;
  /** STANDING_CHECKPOINT_EXPORT: a directory (path or file:// URL) or s3://bucket/prefix; `undefined`: none. */
  exportTarget: string | undefined;
  s3: { endpoint: string | undefined; region: string; accessKeyId: string | undefined; secretAccessKey: string | undefined; sessionToken: string | undefined };
}

export interface ConfigReferenceEntry {
  name: string;
  /** Human-readable default, or what happens when unset. */
  default: string;
  description: string;
  /** Its value must never be printed. */
  secret: boolean;
}

export const CONFIG_REFERENCE: readonly ConfigReferenceEntry[] = [
  { name: 'PORT', default: String(CONFIG_DEFAULTS.PORT), description: 'HTTP port to listen on (0: any free port).', secret: false },
  { name: 'HOST', default: CONFIG_DEFAULTS.HOST, description: 'Interface to listen on.', secret: false },
  {
    name: 'DATABASE_URL',
    default: '(unset: embedded PGlite in <STANDING_DATA_DIR>/pgdata)',
    description: 'PostgreSQL connection string, postgres://user:password@host:5432/db.',
    secret: false,
  },
  {
    name: 'DATABASE_OWNER_URL',
    default: '(unset: DATABASE_URL migrates too, and the service owns the tables)',
    description: 'Connection string of the role owning the schema, used only to migrate; DATABASE_URL is then the restricted service role (standing db grant). Only this way is the past protected from the service itself.',
    secret: false,
  },
  { name: 'DATABASE_SCHEMA', default: CONFIG_DEFAULTS.DATABASE_SCHEMA, description: 'Schema holding every table.', secret: false },
  {
    name: 'STANDING_DATA_DIR',
    default: CONFIG_DEFAULTS.STANDING_DATA_DIR,
    description: 'Local state: the embedded database (pgdata/) and, outside production, generated secrets.',
    secret: false,
  },
  { name: 'REDIS_URL', default: CONFIG_DEFAULTS.REDIS_URL, description: 'Redis for queues and coordination.', secret: false },
  {
    name: 'STANDING_MASTER_KEY',
    default: '(unset: generated into <STANDING_DATA_DIR>/master.key; required in production)',
    description: 'Base64 of 32 random bytes (openssl rand -base64 32). Protects every customer key: losing it loses the sealed data.',
    secret: true,
  },
  {
    name: 'STANDING_ADMIN_TOKEN',
    default: '(unset: generated into <STANDING_DATA_DIR>/admin-token; required in production)',
    description: 'Bearer token for the admin API (/api/v1/history, /api/v1/tenants...), at least 32 characters.',
    secret: true,
  },
  {
    name: 'STANDING_METRICS_TOKEN',
    default: '(unset: /metrics takes the admin token)',
    description: 'Bearer token of GET /metrics (Prometheus), at least 32 characters: give scrapers this rather than the admin token.',
    secret: true,
  },
  { name: 'LOG_LEVEL', default: CONFIG_DEFAULTS.LOG_LEVEL, description: `One of ${LOG_LEVELS.join(', ')}.`, secret: false },
  {
    name: 'SHUTDOWN_GRACE_MS',
    default: String(CONFIG_DEFAULTS.SHUTDOWN_GRACE_MS),
    description: 'On SIGTERM/SIGINT, how long in-flight requests may take before connections are cut.',
    secret: false,
  },
  { name: 'NODE_ENV', default: CONFIG_DEFAULTS.NODE_ENV, description: '`production` refuses to generate secrets.', secret: false },
  {
    name: 'STANDING_ROLE',
    default: CONFIG_DEFAULTS.STANDING_ROLE,
    description: '`all`: everything in one process; `api`: webhooks and the HTTP APIs; `worker`: the intake worker; `scheduler`: the sweeper, reconciliation, checkpoints, retention and the SIEM push. Every role serves /healthz, /readyz and /metrics.',
    secret: false,
  },
  { name: 'STANDING_QUEUE_PREFIX', default: CONFIG_DEFAULTS.STANDING_QUEUE_PREFIX, description: 'Redis key prefix of the BullMQ queues.', secret: false },
  {
    name: 'STANDING_WORKER_CONCURRENCY',
    default: String(CONFIG_DEFAULTS.STANDING_WORKER_CONCURRENCY),
    description: 'Intake jobs a worker holds at once (bounds the largest batch).',
    secret: false,
  },
  { name: 'STANDING_WORKER_BATCH', default: String(CONFIG_DEFAULTS.STANDING_WORKER_BATCH), description: 'Most events written to the log in one batch.', secret: false },
  {
    name: 'STANDING_WORKER_LOCK_MS',
    default: String(CONFIG_DEFAULTS.STANDING_WORKER_LOCK_MS),
    description: "How long a crashed worker's jobs stay locked before another worker takes them over.",
    secret: false,
  },
  {
    name: 'STANDING_SALESFORCE_SETTINGS_REFRESH_MS',
    default: String(CONFIG_DEFAULTS.STANDING_SALESFORCE_SETTINGS_REFRESH_MS),
    description: "How often a worker re-reads the tenants' Salesforce connections to start, restart or stop their Change Data Capture subscriptions.",
    secret: false,
  },
  {
    name: 'STANDING_COMPANION_WAIT_MS',
    default: String(CONFIG_DEFAULTS.STANDING_COMPANION_WAIT_MS),
    description: 'How long after its arrival a status change waits for its reason or approval field changed in the same update (sent as a separate event) before it is mapped without it.',
    secret: false,
  },
  {
    name: 'STANDING_INBOX_RETENTION_DAYS',
    default: String(CONFIG_DEFAULTS.STANDING_INBOX_RETENTION_DAYS),
    description: 'Days the raw payload of a stored or ignored event stays in the intake inbox (quarantined ones stay until replayed).',
    secret: false,
  },
  {
    name: 'STANDING_SWEEP_INTERVAL_MS',
    default: String(CONFIG_DEFAULTS.STANDING_SWEEP_INTERVAL_MS),
    description: 'How often the sweeper re-enqueues lost intake events and purges old payloads (its schedule is re-created if Redis lost it).',
    secret: false,
  },
  {
    name: 'STANDING_SWEEP_PENDING_MS',
    default: String(CONFIG_DEFAULTS.STANDING_SWEEP_PENDING_MS),
    description: 'How long an event stays pending before the sweeper checks that its job still exists.',
    secret: false,
  },
  {
    name: 'STANDING_SWEEP_MAX_EVENTS',
    default: String(CONFIG_DEFAULTS.STANDING_SWEEP_MAX_EVENTS),
    description: 'Most lost events the sweeper re-enqueues per sweep: bounds the recovery rate.',
    secret: false,
  },
  {
    name: 'STANDING_RECONCILE_INTERVAL_MS',
    default: String(CONFIG_DEFAULTS.STANDING_RECONCILE_INTERVAL_MS),
    description: "How often each tenant's Zendesk account (and Salesforce org, when connected) is reconciled with the log; 0 turns scheduled reconciliation off.",
    secret: false,
  },
  {
    name: 'STANDING_RECONCILE_MAX_PAGES',
    default: String(CONFIG_DEFAULTS.STANDING_RECONCILE_MAX_PAGES),
    description: 'Most provider pages a reconciliation run reads per stream; a run that reaches it ends partial and the next run resumes.',
    secret: false,
  },
  {
    name: 'STANDING_RECONCILE_SALESFORCE_QUOTA_SHARE',
    default: String(CONFIG_DEFAULTS.STANDING_RECONCILE_SALESFORCE_QUOTA_SHARE),
    description: "A Salesforce reconciliation run stops (and resumes next run) once the org's API usage is above this share of its daily quota.",
    secret: false,
  },
  {
    name: 'STANDING_CHECKPOINT_INTERVAL_MS',
    default: String(CONFIG_DEFAULTS.STANDING_CHECKPOINT_INTERVAL_MS),
    description: "How often the scheduler checkpoints each tenant's changed chain head (signed, copied to STANDING_CHECKPOINT_EXPORT); 0 turns it off.",
    secret: false,
  },
  {
    name: 'STANDING_RETENTION_INTERVAL_MS',
    default: String(CONFIG_DEFAULTS.STANDING_RETENTION_INTERVAL_MS),
    description: "How often the scheduler applies the tenants' retention policies (removing expired ranges); 0 turns it off.",
    secret: false,
  },
  {
    name: 'STANDING_SIEM_PUSH_INTERVAL_MS',
    default: String(CONFIG_DEFAULTS.STANDING_SIEM_PUSH_INTERVAL_MS),
    description: "How often the scheduler pushes new log rows to each tenant's Splunk HTTP Event Collector target; 0 turns it off.",
    secret: false,
  },
  {
    name: 'STANDING_CHECKPOINT_KEY',
    default: '(unset: generated into <STANDING_DATA_DIR>/checkpoint.key; required in production to write checkpoints or apply retention)',
    description: 'Ed25519 key signing checkpoints and retention boundaries: a PKCS#8 PEM, or the base64 of a 32-byte seed (openssl rand -base64 32).',
    secret: true,
  },
  {
    name: 'STANDING_CHECKPOINT_EXPORT',
    default: '(unset: checkpoints stay in the database only)',
    description: 'Where each new checkpoint is also written: a directory (/path or file:///path) or s3://bucket/prefix.',
    secret: false,
  },
  { name: 'STANDING_S3_ENDPOINT', default: '(unset: https://s3.<region>.amazonaws.com)', description: 'S3-compatible endpoint for an s3:// export (path-style requests).', secret: false },
  { name: 'STANDING_S3_REGION', default: CONFIG_DEFAULTS.STANDING_S3_REGION, description: 'Region the S3 requests are signed for.', secret: false },
  { name: 'AWS_ACCESS_KEY_ID', default: '(unset)', description: 'Access key of an s3:// export.', secret: false },
  { name: 'AWS_SECRET_ACCESS_KEY', default: '(unset)', description: 'Secret key of an s3:// export.', secret: true },
  { name: 'AWS_SESSION_TOKEN', default: '(unset)', description: 'Session token of temporary S3 credentials.', secret: true },
  { name: 'ZENDESK_SUBDOMAIN', default: '(unset)', description: 'The `default` tenant\'s Zendesk subdomain (acme for acme.zendesk.com).', secret: false },
  {
    name: 'ZENDESK_WEBHOOK_SECRET',
    default: '(unset: the default tenant accepts no webhooks)',
    description: 'Signing secret of the Zendesk webhook that posts to /webhooks/zendesk/default.',
    secret: true,
  },
  { name: 'ZENDESK_API_EMAIL', default: '(unset)', description: 'Zendesk user (agent/admin) owning ZENDESK_API_TOKEN, for identity look-ups.', secret: false },
  { name: 'ZENDESK_API_TOKEN', default: '(unset: no look-ups)', description: 'Zendesk API token (Admin Center > Apps and integrations > Zendesk API).', secret: true },
  {
    name: 'ZENDESK_WEBHOOK_TOLERANCE_SECONDS',
    default: String(CONFIG_DEFAULTS.ZENDESK_WEBHOOK_TOLERANCE_SECONDS),
    description: 'How far a webhook\'s signed timestamp may be from our clock before it is refused as stale or future.',
    secret: false,
  },
  {
    name: 'ZENDESK_WEBHOOK_MAX_BODY_BYTES',
    default: String(CONFIG_DEFAULTS.ZENDESK_WEBHOOK_MAX_BODY_BYTES),
    description: 'Largest webhook body accepted, after decoding any Content-Encoding (413 above).',
    secret: false,
  },
];

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

// `FOO=` in a compose file or a shell means "not set", not "the empty string".
const unsetIfEmpty = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const integerIn = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `must be an integer ${min}-${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be an integer ${min}-${max}`);

const urlWithScheme = (schemes: readonly string[], example: string) =>
  z
    .string()
    .trim()
    .refine((v) => {
      try {
        return schemes.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, `must be a URL like ${example}`);

const BASE64_32_BYTES = /^[A-Za-z0-9+/]{43}=$/;
// The same rule openDatabase applies; checked here so the error names the variable.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

const EnvSchema = z.object({
  PORT: z.preprocess(unsetIfEmpty, integerIn(0, 65_535).default(CONFIG_DEFAULTS.PORT)),
  HOST: z.preprocess(unsetIfEmpty, z.string().trim().default(CONFIG_DEFAULTS.HOST)),
  DATABASE_URL: z.preprocess(unsetIfEmpty, urlWithScheme(['postgres:', 'postgresql:'], 'postgres://user:password@host:5432/db').optional()),
  DATABASE_OWNER_URL: z.preprocess(unsetIfEmpty, urlWithScheme(['postgres:', 'postgresql:'], 'postgres://owner:password@host:5432/db').optional()),
  DATABASE_SCHEMA: z.preprocess(
    unsetIfEmpty,
    z.string().regex(SCHEMA_NAME, 'must be a lowercase SQL identifier (a-z, 0-9, _; at most 63)').default(CONFIG_DEFAULTS.DATABASE_SCHEMA),
  ),
  STANDING_DATA_DIR: z.preprocess(unsetIfEmpty, z.string().default(CONFIG_DEFAULTS.STANDING_DATA_DIR)),
  REDIS_URL: z.preprocess(unsetIfEmpty, urlWithScheme(['redis:', 'rediss:'], 'redis://host:6379').default(CONFIG_DEFAULTS.REDIS_URL)),
  STANDING_MASTER_KEY: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .trim()
      .regex(BASE64_32_BYTES, 'must be the base64 of 32 bytes (44 characters ending in =), e.g. from `openssl rand -base64 32`')
      .transform((v) => Buffer.from(v, 'base64'))
      .optional(),
  ),
  STANDING_ADMIN_TOKEN: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .trim()
      .min(32, 'must be at least 32 characters')
      .max(1024, 'must be at most 1024 characters')
      .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces (it travels in an HTTP header)')
      .optional(),
  ),
  STANDING_METRICS_TOKEN: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .trim()
      .min(32, 'must be at least 32 characters')
      .max(1024, 'must be at most 1024 characters')
      .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces (it travels in an HTTP header)')
      .optional(),
  ),
  LOG_LEVEL: z.preprocess(
    (v) => (typeof v === 'string' ? unsetIfEmpty(v.trim().toLowerCase()) : v),
    z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default(CONFIG_DEFAULTS.LOG_LEVEL),
  ),
  SHUTDOWN_GRACE_MS: z.preprocess(unsetIfEmpty, integerIn(0, 600_000).default(CONFIG_DEFAULTS.SHUTDOWN_GRACE_MS)),
  NODE_ENV: z.preprocess(unsetIfEmpty, z.string().trim().default(CONFIG_DEFAULTS.NODE_ENV)),
  STANDING_ROLE: z.preprocess(unsetIfEmpty, z.enum(PROCESS_ROLES, { error: `must be one of ${PROCESS_ROLES.join(', ')}` }).default(CONFIG_DEFAULTS.STANDING_ROLE)),
  STANDING_QUEUE_PREFIX: z.preprocess(
    unsetIfEmpty,
    z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be 1-100 letters, digits, _ or - (no colon)').default(CONFIG_DEFAULTS.STANDING_QUEUE_PREFIX),
  ),
  STANDING_WORKER_CONCURRENCY: z.preprocess(unsetIfEmpty, integerIn(1, 5000).default(CONFIG_DEFAULTS.STANDING_WORKER_CONCURRENCY)),
  STANDING_WORKER_BATCH: z.preprocess(unsetIfEmpty, integerIn(1, 5000).default(CONFIG_DEFAULTS.STANDING_WORKER_BATCH)),
  STANDING_WORKER_LOCK_MS: z.preprocess(unsetIfEmpty, integerIn(1000, 600_000).default(CONFIG_DEFAULTS.STANDING_WORKER_LOCK_MS)),
  STANDING_COMPANION_WAIT_MS: z.preprocess(unsetIfEmpty, integerIn(0, 600_000).default(CONFIG_DEFAULTS.STANDING_COMPANION_WAIT_MS)),
  STANDING_SALESFORCE_SETTINGS_REFRESH_MS: z.preprocess(unsetIfEmpty, integerIn(100, 3_600_000).default(CONFIG_DEFAULTS.STANDING_SALESFORCE_SETTINGS_REFRESH_MS)),
  STANDING_INBOX_RETENTION_DAYS: z.preprocess(unsetIfEmpty, integerIn(1, 3650).default(CONFIG_DEFAULTS.STANDING_INBOX_RETENTION_DAYS)),
  STANDING_SWEEP_INTERVAL_MS: z.preprocess(unsetIfEmpty, integerIn(100, 3_600_000).default(CONFIG_DEFAULTS.STANDING_SWEEP_INTERVAL_MS)),
  STANDING_SWEEP_PENDING_MS: z.preprocess(unsetIfEmpty, integerIn(0, 86_400_000).default(CONFIG_DEFAULTS.STANDING_SWEEP_PENDING_MS)),
  STANDING_SWEEP_MAX_EVENTS: z.preprocess(unsetIfEmpty, integerIn(1, 10_000_000).default(CONFIG_DEFAULTS.STANDING_SWEEP_MAX_EVENTS)),
  STANDING_RECONCILE_INTERVAL_MS: z.preprocess(unsetIfEmpty, integerIn(0, 7 * 86_400_000).default(CONFIG_DEFAULTS.STANDING_RECONCILE_INTERVAL_MS)),
  STANDING_RECONCILE_MAX_PAGES: z.preprocess(unsetIfEmpty, integerIn(1, 1_000_000).default(CONFIG_DEFAULTS.STANDING_RECONCILE_MAX_PAGES)),
  STANDING_RECONCILE_SALESFORCE_QUOTA_SHARE: z.preprocess(
    unsetIfEmpty,
    z.coerce.number({ error: 'must be a number between 0 and 1' }).gt(0, 'must be above 0').max(1, 'must be at most 1').default(CONFIG_DEFAULTS.STANDING_RECONCILE_SALESFORCE_QUOTA_SHARE),
  ),
  STANDING_CHECKPOINT_INTERVAL_MS: z.preprocess(unsetIfEmpty, integerIn(0, 7 * 86_400_000).default(CONFIG_DEFAULTS.STANDING_CHECKPOINT_INTERVAL_MS)),
  STANDING_RETENTION_INTERVAL_MS: z.preprocess(unsetIfEmpty, integerIn(0, 7 * 86_400_000).default(CONFIG_DEFAULTS.STANDING_RETENTION_INTERVAL_MS)),
  STANDING_SIEM_PUSH_INTERVAL_MS: z.preprocess(unsetIfEmpty, integerIn(0, 86_400_000).default(CONFIG_DEFAULTS.STANDING_SIEM_PUSH_INTERVAL_MS)),
  STANDING_CHECKPOINT_KEY: z.preprocess(unsetIfEmpty, z.string().trim().optional()),
  STANDING_CHECKPOINT_EXPORT: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .trim()
      .refine((v) => /^(s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?|file:\/\/\/.+|[^:]+)$/.test(v), 'must be a directory (/path or file:///path) or s3://bucket/prefix')
      .optional(),
  ),
  STANDING_S3_ENDPOINT: z.preprocess(unsetIfEmpty, urlWithScheme(['http:', 'https:'], 'https://s3.example.com').optional()),
  STANDING_S3_REGION: z.preprocess(unsetIfEmpty, z.string().trim().regex(/^[a-z0-9-]{1,40}$/, 'must be a region name like us-east-1').default(CONFIG_DEFAULTS.STANDING_S3_REGION)),
  AWS_ACCESS_KEY_ID: z.preprocess(unsetIfEmpty, z.string().trim().optional()),
  AWS_SECRET_ACCESS_KEY: z.preprocess(unsetIfEmpty, z.string().trim().optional()),
  AWS_SESSION_TOKEN: z.preprocess(unsetIfEmpty, z.string().trim().optional()),
  ZENDESK_SUBDOMAIN: z.preprocess(unsetIfEmpty, z.string().trim().regex(/^[a-z0-9][a-z0-9-]{0,62}$/i, 'must be the subdomain only, e.g. acme for acme.zendesk.com').optional()),
  ZENDESK_WEBHOOK_SECRET: z.preprocess(
    unsetIfEmpty,
    z.string().trim().min(16, 'must be the webhook signing secret Zendesk shows').refine((v) => v !== ZENDESK_TEST_SIGNING_SECRET, ZENDESK_TEST_SECRET_REFUSED).optional(),
  ),
  ZENDESK_API_EMAIL: z.preprocess(unsetIfEmpty, z.email({ message: 'must be an email address' }).optional()),
  ZENDESK_API_TOKEN: z.preprocess(unsetIfEmpty, z.string().trim().min(8, 'must be a Zendesk API token').optional()),
  ZENDESK_WEBHOOK_TOLERANCE_SECONDS: z.preprocess(unsetIfEmpty, integerIn(1, 86_400).default(CONFIG_DEFAULTS.ZENDESK_WEBHOOK_TOLERANCE_SECONDS)),
  ZENDESK_WEBHOOK_MAX_BODY_BYTES: z.preprocess(unsetIfEmpty, integerIn(1024, 10_485_760).default(CONFIG_DEFAULTS.ZENDESK_WEBHOOK_MAX_BODY_BYTES)),
});

/** Parses the environment. Relative STANDING_DATA_DIR is resolved against `cwd`. */
export function parseConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): ConfigResult {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? '(environment)'), message: i.message })),
    };
  }
  const e = parsed.data;
  if (e.DATABASE_OWNER_URL && !e.DATABASE_URL) {
    return { ok: false, problems: [{ variable: 'DATABASE_OWNER_URL', message: 'needs DATABASE_URL (the service role) too; the embedded database has a single user' }] };
  }
  const dataDir = resolve(cwd, e.STANDING_DATA_DIR);
  return {
    ok: true,
    config: {
      port: e.PORT,
      host: e.HOST,
      database: { url: e.DATABASE_URL, ownerUrl: e.DATABASE_OWNER_URL, schema: e.DATABASE_SCHEMA, embeddedDataDir: resolve(dataDir, 'pgdata') },
      dataDir,
      redisUrl: e.REDIS_URL,
      masterKey: e.STANDING_MASTER_KEY,
      adminToken: e.STANDING_ADMIN_TOKEN,
      metricsToken: e.STANDING_METRICS_TOKEN,
      logLevel: e.LOG_LEVEL,
      shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
      nodeEnv: e.NODE_ENV,
      checkpoints: {
        key: e.STANDING_CHECKPOINT_KEY,
        exportTarget: e.STANDING_CHECKPOINT_EXPORT,
        s3: { endpoint: e.STANDING_S3_ENDPOINT, region: e.STANDING_S3_REGION, accessKeyId: e.AWS_ACCESS_KEY_ID, secretAccessKey: e.AWS_SECRET_ACCESS_KEY, sessionToken: e.AWS_SESSION_TOKEN },
      },
      production: e.NODE_ENV === 'production',
      schedules: { checkpointEveryMs: e.STANDING_CHECKPOINT_INTERVAL_MS, retentionEveryMs: e.STANDING_RETENTION_INTERVAL_MS, siemPushEveryMs: e.STANDING_SIEM_PUSH_INTERVAL_MS },
      intake: {
        role: e.STANDING_ROLE,
        queuePrefix: e.STANDING_QUEUE_PREFIX,
        defaultTenant: { subdomain: e.ZENDESK_SUBDOMAIN, webhookSecret: e.ZENDESK_WEBHOOK_SECRET, apiEmail: e.ZENDESK_API_EMAIL, apiToken: e.ZENDESK_API_TOKEN },
        webhook: { toleranceSeconds: e.ZENDESK_WEBHOOK_TOLERANCE_SECONDS, maxBodyBytes: e.ZENDESK_WEBHOOK_MAX_BODY_BYTES },
        worker: { concurrency: e.STANDING_WORKER_CONCURRENCY, batchSize: e.STANDING_WORKER_BATCH, lockDurationMs: e.STANDING_WORKER_LOCK_MS, companionWaitMs: e.STANDING_COMPANION_WAIT_MS },
        salesforceSettingsRefreshMs: e.STANDING_SALESFORCE_SETTINGS_REFRESH_MS,
        inboxRetentionDays: e.STANDING_INBOX_RETENTION_DAYS,
        sweeper: { everyMs: e.STANDING_SWEEP_INTERVAL_MS, pendingForMs: e.STANDING_SWEEP_PENDING_MS, maxEvents: e.STANDING_SWEEP_MAX_EVENTS },
        reconciliation: { everyMs: e.STANDING_RECONCILE_INTERVAL_MS, maxPages: e.STANDING_RECONCILE_MAX_PAGES, salesforceMaxQuotaShare: e.STANDING_RECONCILE_SALESFORCE_QUOTA_SHARE },
      },
    },
  };
}

export interface ConfigRow {
  name: string;
  /** What is in force, secrets and URL passwords masked. */
  value: string;
  source: 'environment' | 'default';
  description: string;
}

/** The reference table with the values in force, for `standing config`. Never shows a secret. */
export function describeConfig(env: NodeJS.ProcessEnv = process.env): ConfigRow[] {
  return CONFIG_REFERENCE.map((entry) => {
    const raw = unsetIfEmpty(env[entry.name]);
    if (typeof raw !== 'string') return { name: entry.name, value: entry.default, source: 'default', description: entry.description };
    const value = entry.secret ? '(set, hidden)' : maskUrlPassword(raw);
    return { name: entry.name, value, source: 'environment', description: entry.description };
  });
}

/** `postgres://user:secret@host/db` -> `postgres://user:****@host/db`; anything else unchanged. */
export function maskUrlPassword(value: string): string {
  try {
    const url = new URL(value);
    if (!url.password) return value;
    url.password = '****';
    return url.toString();
  } catch {
    return value;
  }
}
