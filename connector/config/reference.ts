/**
 * The reference of every variable (docs/configuration.md, `standing --help`) and the values in force
 * (`standing config`).
 */
import { CONFIG_DEFAULTS, LOG_LEVELS, OPERATOR_AUDITOR_KEYS_DEFAULT } from './defaults.ts';
import { unsetIfEmpty } from './env-values.ts';

export interface ConfigReferenceEntry {
  name: string;
  /** Human-readable default, or what happens when unset. */
  default: string;
  description: string;
  /** Its value must never be printed. */
  secret: boolean;
}

export const CONFIG_REFERENCE: readonly ConfigReferenceEntry[] = [
  {
    name: 'PORT',
    default: String(CONFIG_DEFAULTS.PORT),
    description: 'HTTP port to listen on (0: any free port).',
    secret: false,
  },
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
    description:
      'Connection string of the role owning the schema, used only to migrate (and to register the checkpoint ' +
      'key: standing checkpoint register-key); DATABASE_URL is then the restricted service role (standing db ' +
      'grant). Only this way is the past protected from the service itself. Needs DATABASE_URL.',
    secret: false,
  },
  {
    name: 'DATABASE_SCHEMA',
    default: CONFIG_DEFAULTS.DATABASE_SCHEMA,
    description: 'Schema holding every table.',
    secret: false,
  },
  {
    name: 'STANDING_DATA_DIR',
    default: CONFIG_DEFAULTS.STANDING_DATA_DIR,
    description: 'Local state: the embedded database (pgdata/) and, outside production, generated secrets.',
    secret: false,
  },
  {
    name: 'REDIS_URL',
    default: CONFIG_DEFAULTS.REDIS_URL,
    description: 'Redis for queues and coordination. Use maxmemory-policy noeviction.',
    secret: false,
  },
  {
    name: 'STANDING_MASTER_KEY',
    default: '(unset: generated into <STANDING_DATA_DIR>/master.key; required in production)',
    description:
      'Base64 of 32 random bytes (openssl rand -base64 32). Protects every customer key and tenant secret: ' +
      'losing it loses the sealed data.',
    secret: true,
  },
  {
    name: 'STANDING_OPERATOR_TOKEN',
    default: '(unset: generated into <STANDING_DATA_DIR>/admin-token; required in production)',
    description:
      "The operator's token (provisioning: tenants and their API keys; metrics, queue dashboard), at least " +
      "32 characters. Tenants' data is read with their API keys.",
    secret: true,
  },
  {
    name: 'STANDING_ADMIN_TOKEN',
    default: '(unset: STANDING_OPERATOR_TOKEN)',
    description: 'Deprecated: the former name of STANDING_OPERATOR_TOKEN, still read when that is unset.',
    secret: true,
  },
  {
    name: 'STANDING_API_KEY',
    default: '(unset: CLI commands run as the operator)',
    description:
      "A tenant's API key (stk_...) the CLI acts with: its role and tenant decide which commands may run " +
      '(exit 4 otherwise).',
    secret: true,
  },
  {
    name: 'STANDING_METRICS_TOKEN',
    default: '(unset: /metrics takes the operator token)',
    description:
      'Bearer token of GET /metrics (Prometheus), at least 32 characters: give scrapers this rather than the ' +
      'operator token.',
    secret: true,
  },
  {
    name: 'STANDING_OPERATOR_AUDITOR_KEYS',
    default:
      `(unset: ${OPERATOR_AUDITOR_KEYS_DEFAULT.production} when NODE_ENV=production, else ` +
      `${OPERATOR_AUDITOR_KEYS_DEFAULT.otherwise})`,
    description:
      "Whether the operator's token may issue auditor keys (which read every history): first-only, only a " +
      "tenant's first one ever (break-glass), further ones are issued by that tenant's auditors; always, any " +
      "number. Every key issued or revoked is recorded in the tenant's read audit either way.",
    secret: false,
  },
  {
    name: 'LOG_LEVEL',
    default: CONFIG_DEFAULTS.LOG_LEVEL,
    description: `One of ${LOG_LEVELS.join(', ')}.`,
    secret: false,
  },
  {
    name: 'SHUTDOWN_GRACE_MS',
    default: String(CONFIG_DEFAULTS.SHUTDOWN_GRACE_MS),
    description: 'On SIGTERM/SIGINT, how long in-flight requests may take before connections are cut.',
    secret: false,
  },
  {
    name: 'NODE_ENV',
    default: CONFIG_DEFAULTS.NODE_ENV,
    description:
      '`production` refuses to generate secrets and makes STANDING_OPERATOR_AUDITOR_KEYS default to first-only.',
    secret: false,
  },
  {
    name: 'STANDING_ROLE',
    default: CONFIG_DEFAULTS.STANDING_ROLE,
    description:
      '`all`: everything in one process; `api`: webhooks and the HTTP APIs; `worker`: the intake worker, the ' +
      'attribution job and the Salesforce Change Data Capture subscriptions; `scheduler`: the sweeper, ' +
      'reconciliation, checkpoints, retention, the SIEM pushes (Splunk, Loggly), alerts and the attribution ' +
      'sweep. Every role serves /healthz, /readyz and /metrics.',
    secret: false,
  },
  {
    name: 'STANDING_QUEUE_PREFIX',
    default: CONFIG_DEFAULTS.STANDING_QUEUE_PREFIX,
    description:
      'Redis key prefix of every key and channel the deployment writes (queues, leases, locks, the erasure ' +
      'channel); deployments sharing a Redis need different prefixes.',
    secret: false,
  },
  {
    name: 'STANDING_WORKER_CONCURRENCY',
    default: String(CONFIG_DEFAULTS.STANDING_WORKER_CONCURRENCY),
    description:
      'Intake jobs a worker holds at once. A batch job carries up to 500 freshly accepted events; replayed, ' +
      'swept and waiting events have a job each, so for them it bounds the largest batch: keep it at least ' +
      'twice STANDING_WORKER_BATCH.',
    secret: false,
  },
  {
    name: 'STANDING_WORKER_BATCH',
    default: String(CONFIG_DEFAULTS.STANDING_WORKER_BATCH),
    description: 'Most events written to the log in one batch (two batches are in flight at once).',
    secret: false,
  },
  {
    name: 'STANDING_WORKER_LOCK_MS',
    default: String(CONFIG_DEFAULTS.STANDING_WORKER_LOCK_MS),
    description: "How long a crashed worker's jobs stay locked before another worker takes them over.",
    secret: false,
  },
  {
    name: 'STANDING_SALESFORCE_SETTINGS_REFRESH_MS',
    default: String(CONFIG_DEFAULTS.STANDING_SALESFORCE_SETTINGS_REFRESH_MS),
    description:
      "How often a worker re-reads the tenants' Salesforce connections to start, restart or stop their " +
      'Change Data Capture subscriptions.',
    secret: false,
  },
  {
    name: 'STANDING_COMPANION_WAIT_MS',
    default: String(CONFIG_DEFAULTS.STANDING_COMPANION_WAIT_MS),
    description:
      'How long after its arrival a status change waits for its reason or approval field changed in the same ' +
      'Zendesk update (sent as a separate event, in either order) before it is mapped without it; 0 never ' +
      'waits.',
    secret: false,
  },
  {
    name: 'STANDING_INBOX_RETENTION_DAYS',
    default: String(CONFIG_DEFAULTS.STANDING_INBOX_RETENTION_DAYS),
    description:
      'Days the raw payload of a stored or ignored event stays in the intake inbox (quarantined ones stay ' +
      'until replayed).',
    secret: false,
  },
  {
    name: 'STANDING_SWEEP_INTERVAL_MS',
    default: String(CONFIG_DEFAULTS.STANDING_SWEEP_INTERVAL_MS),
    description:
      'How often the sweeper re-enqueues lost intake events and purges old payloads (its schedule is ' +
      're-created within 10 s if Redis lost it).',
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
    name: 'STANDING_ATTRIBUTION_SWEEP_MS',
    default: String(CONFIG_DEFAULTS.STANDING_ATTRIBUTION_SWEEP_MS),
    description:
      "How often tenants whose events were not yet attributed (Zendesk's audit log and ticket audits, see " +
      'docs/attribution.md) are queued again, besides after each intake batch; 0 turns attribution off.',
    secret: false,
  },
  {
    name: 'STANDING_ATTRIBUTION_WINDOW_SECONDS',
    default: String(CONFIG_DEFAULTS.STANDING_ATTRIBUTION_WINDOW_SECONDS),
    description:
      'How far from an event an audit log entry or a ticket audit may be and still count as its record; ' +
      'none within it leaves the event unknown, saying so.',
    secret: false,
  },
  {
    name: 'STANDING_RECONCILE_INTERVAL_MS',
    default: String(CONFIG_DEFAULTS.STANDING_RECONCILE_INTERVAL_MS),
    description:
      "How often each tenant's Zendesk account (and Salesforce org, when connected) is reconciled with the " +
      'log; 0 turns scheduled reconciliation off.',
    secret: false,
  },
  {
    name: 'STANDING_RECONCILE_MAX_PAGES',
    default: String(CONFIG_DEFAULTS.STANDING_RECONCILE_MAX_PAGES),
    description:
      'Most provider pages a reconciliation run reads per stream; a run that reaches it ends partial and the ' +
      'next run resumes.',
    secret: false,
  },
  {
    name: 'STANDING_RECONCILE_SALESFORCE_QUOTA_SHARE',
    default: String(CONFIG_DEFAULTS.STANDING_RECONCILE_SALESFORCE_QUOTA_SHARE),
    description:
      "A Salesforce reconciliation run stops (partial, resumed next run) once the org's API usage (asked of " +
      'the limits resource before the first page, then Sforce-Limit-Info) is above this share of its daily ' +
      'quota.',
    secret: false,
  },
  {
    name: 'STANDING_CHECKPOINT_INTERVAL_MS',
    default: String(CONFIG_DEFAULTS.STANDING_CHECKPOINT_INTERVAL_MS),
    description:
      "How often the scheduler checkpoints each tenant's changed chain head (signed, copied to " +
      'STANDING_CHECKPOINT_EXPORT); 0 turns it off.',
    secret: false,
  },
  {
    name: 'STANDING_RETENTION_INTERVAL_MS',
    default: String(CONFIG_DEFAULTS.STANDING_RETENTION_INTERVAL_MS),
    description:
      "How often the scheduler applies the tenants' retention policies (removing expired ranges); 0 turns it off.",
    secret: false,
  },
  {
    name: 'STANDING_APP_DIR',
    default: '(unset: the app page is not served, and the sidebar cannot record steps)',
    description:
      "The built Zendesk app's assets (zendesk-app/dist/assets after `npm run build:app`): served as the app's " +
      "signed-URL page, which proves the acting agent for the sidebar's actions (docs/zendesk-app.md).",
    secret: false,
  },
  {
    name: 'STANDING_SIEM_PUSH_INTERVAL_MS',
    default: String(CONFIG_DEFAULTS.STANDING_SIEM_PUSH_INTERVAL_MS),
    description:
      "How often the scheduler pushes new log rows to each tenant's Splunk HTTP Event Collector target; 0 " +
      'turns it off.',
    secret: false,
  },
  {
    name: 'STANDING_LOGGLY_PUSH_INTERVAL_MS',
    default: String(CONFIG_DEFAULTS.STANDING_LOGGLY_PUSH_INTERVAL_MS),
    description: "How often the scheduler pushes new log rows to each tenant's Loggly target; 0 turns it off.",
    secret: false,
  },
  {
    name: 'STANDING_ALERTS_INTERVAL_MS',
    default: String(CONFIG_DEFAULTS.STANDING_ALERTS_INTERVAL_MS),
    description:
      'How often the scheduler turns new warnings into alerts and sends the due ones (docs/alerts.md); 0 turns ' +
      'alerting off.',
    secret: false,
  },
  {
    name: 'STANDING_INSIGHTS_INTERVAL_MS',
    default: String(CONFIG_DEFAULTS.STANDING_INSIGHTS_INTERVAL_MS),
    description:
      "How often the scheduler folds each tenant's new log rows into the insights' rollups (docs/insights.md), " +
      'so that a query folds only the rows appended since; 0 turns it off (queries then fold them all).',
    secret: false,
  },
  {
    name: 'STANDING_INSIGHTS_CHUNK_ROWS',
    default: String(CONFIG_DEFAULTS.STANDING_INSIGHTS_CHUNK_ROWS),
    description:
      "Most log rows that job folds into the insights' rollups in one transaction (1,000 to 1,000,000); a " +
      'tenant further behind is caught up in several.',
    secret: false,
  },
  {
    name: 'STANDING_CHECKPOINT_KEY',
    default:
      '(unset: generated into <STANDING_DATA_DIR>/checkpoint.key by the first command or scheduler process ' +
      'that signs; required in production to write checkpoints or apply retention, by command or on schedule)',
    description:
      'Ed25519 key signing checkpoints and retention boundaries: a PKCS#8 PEM (openssl genpkey -algorithm ' +
      'ed25519), or the base64 of a 32-byte seed (openssl rand -base64 32).',
    secret: true,
  },
  {
    name: 'STANDING_CHECKPOINT_EXPORT',
    default: '(unset: checkpoints stay in the database only)',
    description:
      'Where each new checkpoint is also written: a directory (/path or file:///path) or s3://bucket/prefix.',
    secret: false,
  },
  {
    name: 'STANDING_S3_ENDPOINT',
    default: '(unset: https://s3.<region>.amazonaws.com)',
    description: 'S3-compatible endpoint for an s3:// export (path-style requests).',
    secret: false,
  },
  {
    name: 'STANDING_S3_REGION',
    default: CONFIG_DEFAULTS.STANDING_S3_REGION,
    description: 'Region the S3 requests are signed for.',
    secret: false,
  },
  { name: 'AWS_ACCESS_KEY_ID', default: '(unset)', description: 'Access key of an s3:// export.', secret: false },
  { name: 'AWS_SECRET_ACCESS_KEY', default: '(unset)', description: 'Secret key of an s3:// export.', secret: true },
  {
    name: 'AWS_SESSION_TOKEN',
    default: '(unset)',
    description: 'Session token of temporary S3 credentials.',
    secret: true,
  },
  {
    name: 'ZENDESK_SUBDOMAIN',
    default: '(unset)',
    description: "The `default` tenant's Zendesk subdomain (acme for acme.zendesk.com).",
    secret: false,
  },
  {
    name: 'ZENDESK_API_URL',
    default: '(unset: https://<ZENDESK_SUBDOMAIN>.zendesk.com)',
    description:
      "The `default` tenant's Zendesk API base, for every Zendesk API call (look-ups, exports, audit log, ticket " +
      'audits): a proxy, or a local stand-in. Plain http only to 127.0.0.1 or localhost, and not when ' +
      'NODE_ENV=production.',
    secret: false,
  },
  {
    name: 'ZENDESK_WEBHOOK_SECRET',
    default: '(unset: the default tenant accepts no webhooks)',
    description: 'Signing secret of the Zendesk webhook that posts to /webhooks/zendesk/default.',
    secret: true,
  },
  {
    name: 'ZENDESK_API_EMAIL',
    default: '(unset)',
    description:
      'Zendesk user (agent/admin) owning ZENDESK_API_TOKEN, for the API reads: identity look-ups, ticket ' +
      'confirmations, attribution (the audit log needs an admin) and alert notes.',
    secret: false,
  },
  {
    name: 'ZENDESK_API_TOKEN',
    default: '(unset: no look-ups)',
    description:
      'Zendesk API token for those API reads (Admin Center > Apps and integrations > Zendesk API); unset, the ' +
      'default tenant makes none, and who made its changes stays unknown (no_api_credentials).',
    secret: true,
  },
  {
    name: 'ZENDESK_WEBHOOK_TOLERANCE_SECONDS',
    default: String(CONFIG_DEFAULTS.ZENDESK_WEBHOOK_TOLERANCE_SECONDS),
    description: "How far a webhook's signed timestamp may be from our clock before it is refused as stale or future.",
    secret: false,
  },
  {
    name: 'ZENDESK_WEBHOOK_MAX_BODY_BYTES',
    default: String(CONFIG_DEFAULTS.ZENDESK_WEBHOOK_MAX_BODY_BYTES),
    description: 'Largest webhook body accepted, after decoding any Content-Encoding (413 above).',
    secret: false,
  },
];

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
    if (typeof raw !== 'string')
      return { name: entry.name, value: entry.default, source: 'default', description: entry.description };
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
