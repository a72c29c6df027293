/** The service's own variables: listening, database, Redis, its secrets, logging and shutdown. */
import { z } from 'zod';
import { CONFIG_DEFAULTS, LOG_LEVELS, OPERATOR_AUDITOR_KEY_POLICIES } from './defaults.ts';
import { envInteger, unsetIfEmpty, urlWithScheme } from './env-values.ts';

const BASE64_32_BYTES = /^[A-Za-z0-9+/]{43}=$/;
// The same rule openDatabase applies; checked here so the error names the variable.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** A token presented as `Authorization: Bearer …` (the operator's, the metrics scraper's). */
const bearerToken = z.preprocess(
  unsetIfEmpty,
  z
    .string()
    .trim()
    .min(32, 'must be at least 32 characters')
    .max(1024, 'must be at most 1024 characters')
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces (it travels in an HTTP header)')
    .optional(),
);

export const SERVICE_ENV = {
  PORT: envInteger(0, 65_535, CONFIG_DEFAULTS.PORT),
  HOST: z.preprocess(unsetIfEmpty, z.string().trim().default(CONFIG_DEFAULTS.HOST)),
  DATABASE_URL: z.preprocess(
    unsetIfEmpty,
    urlWithScheme(['postgres:', 'postgresql:'], 'postgres://user:password@host:5432/db').optional(),
  ),
  DATABASE_OWNER_URL: z.preprocess(
    unsetIfEmpty,
    urlWithScheme(['postgres:', 'postgresql:'], 'postgres://owner:password@host:5432/db').optional(),
  ),
  DATABASE_SCHEMA: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(SCHEMA_NAME, 'must be a lowercase SQL identifier (a-z, 0-9, _; at most 63)')
      .default(CONFIG_DEFAULTS.DATABASE_SCHEMA),
  ),
  STANDING_DATA_DIR: z.preprocess(unsetIfEmpty, z.string().default(CONFIG_DEFAULTS.STANDING_DATA_DIR)),
  REDIS_URL: z.preprocess(
    unsetIfEmpty,
    urlWithScheme(['redis:', 'rediss:'], 'redis://host:6379').default(CONFIG_DEFAULTS.REDIS_URL),
  ),
  STANDING_MASTER_KEY: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .trim()
      .regex(
        BASE64_32_BYTES,
        'must be the base64 of 32 bytes (44 characters ending in =), e.g. from `openssl rand -base64 32`',
      )
      .transform((v) => Buffer.from(v, 'base64'))
      .optional(),
  ),
  STANDING_OPERATOR_TOKEN: bearerToken,
  /** The operator token's former name, still read (deprecated): see config.ts. */
  STANDING_ADMIN_TOKEN: bearerToken,
  STANDING_METRICS_TOKEN: bearerToken,
  STANDING_APP_DIR: z.preprocess(unsetIfEmpty, z.string().trim().optional()),
  // No default here: it depends on NODE_ENV (OPERATOR_AUDITOR_KEYS_DEFAULT), decided in parseConfig.
  STANDING_OPERATOR_AUDITOR_KEYS: z.preprocess(
    (v) => (typeof v === 'string' ? unsetIfEmpty(v.trim().toLowerCase()) : v),
    z
      .enum(OPERATOR_AUDITOR_KEY_POLICIES, { error: `must be one of ${OPERATOR_AUDITOR_KEY_POLICIES.join(', ')}` })
      .optional(),
  ),
  LOG_LEVEL: z.preprocess(
    (v) => (typeof v === 'string' ? unsetIfEmpty(v.trim().toLowerCase()) : v),
    z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default(CONFIG_DEFAULTS.LOG_LEVEL),
  ),
  SHUTDOWN_GRACE_MS: envInteger(0, 600_000, CONFIG_DEFAULTS.SHUTDOWN_GRACE_MS),
  NODE_ENV: z.preprocess(unsetIfEmpty, z.string().trim().default(CONFIG_DEFAULTS.NODE_ENV)),
};
