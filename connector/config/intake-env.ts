/**
 * Intake variables: process role, queue, worker, sweeper, reconciliation, and the env-configured `default` Zendesk
 * tenant.
 */
import { z } from 'zod';
import { PROCESS_ROLES } from './roles.ts';
import { ZENDESK_TEST_SECRET_REFUSED, ZENDESK_TEST_SIGNING_SECRET } from './zendesk-test-secret.ts';
import { CONFIG_DEFAULTS } from './defaults.ts';
import { envInteger, unsetIfEmpty } from './env-values.ts';

export const INTAKE_ENV = {
  STANDING_ROLE: z.preprocess(
    unsetIfEmpty,
    z
      .enum(PROCESS_ROLES, { error: `must be one of ${PROCESS_ROLES.join(', ')}` })
      .default(CONFIG_DEFAULTS.STANDING_ROLE),
  ),
  STANDING_QUEUE_PREFIX: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be 1-100 letters, digits, _ or - (no colon)')
      .default(CONFIG_DEFAULTS.STANDING_QUEUE_PREFIX),
  ),
  STANDING_WORKER_CONCURRENCY: envInteger(1, 5000, CONFIG_DEFAULTS.STANDING_WORKER_CONCURRENCY),
  STANDING_WORKER_BATCH: envInteger(1, 5000, CONFIG_DEFAULTS.STANDING_WORKER_BATCH),
  STANDING_WORKER_LOCK_MS: envInteger(1000, 600_000, CONFIG_DEFAULTS.STANDING_WORKER_LOCK_MS),
  STANDING_COMPANION_WAIT_MS: envInteger(0, 600_000, CONFIG_DEFAULTS.STANDING_COMPANION_WAIT_MS),
  STANDING_SALESFORCE_SETTINGS_REFRESH_MS: envInteger(
    100,
    3_600_000,
    CONFIG_DEFAULTS.STANDING_SALESFORCE_SETTINGS_REFRESH_MS,
  ),
  STANDING_INBOX_RETENTION_DAYS: envInteger(1, 3650, CONFIG_DEFAULTS.STANDING_INBOX_RETENTION_DAYS),
  STANDING_SWEEP_INTERVAL_MS: envInteger(100, 3_600_000, CONFIG_DEFAULTS.STANDING_SWEEP_INTERVAL_MS),
  STANDING_SWEEP_PENDING_MS: envInteger(0, 86_400_000, CONFIG_DEFAULTS.STANDING_SWEEP_PENDING_MS),
  STANDING_SWEEP_MAX_EVENTS: envInteger(1, 10_000_000, CONFIG_DEFAULTS.STANDING_SWEEP_MAX_EVENTS),
  STANDING_ATTRIBUTION_SWEEP_MS: envInteger(0, 86_400_000, CONFIG_DEFAULTS.STANDING_ATTRIBUTION_SWEEP_MS),
  STANDING_ATTRIBUTION_WINDOW_SECONDS: envInteger(1, 3600, CONFIG_DEFAULTS.STANDING_ATTRIBUTION_WINDOW_SECONDS),
  STANDING_RECONCILE_INTERVAL_MS: envInteger(0, 7 * 86_400_000, CONFIG_DEFAULTS.STANDING_RECONCILE_INTERVAL_MS),
  STANDING_RECONCILE_MAX_PAGES: envInteger(1, 1_000_000, CONFIG_DEFAULTS.STANDING_RECONCILE_MAX_PAGES),
  STANDING_RECONCILE_SALESFORCE_QUOTA_SHARE: z.preprocess(
    unsetIfEmpty,
    z.coerce
      .number({ error: 'must be a number between 0 and 1' })
      .gt(0, 'must be above 0')
      .max(1, 'must be at most 1')
      .default(CONFIG_DEFAULTS.STANDING_RECONCILE_SALESFORCE_QUOTA_SHARE),
  ),
};

export const ZENDESK_ENV = {
  ZENDESK_SUBDOMAIN: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .trim()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/i, 'must be the subdomain only, e.g. acme for acme.zendesk.com')
      .optional(),
  ),
  ZENDESK_API_URL: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .trim()
      .refine(
        (u) =>
          /^https:\/\/[^\s?#]+$/i.test(u) || /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/[^\s?#]*)?$/i.test(u),
        'must be an https URL (plain http only to 127.0.0.1 or localhost), e.g. https://acme.zendesk.com',
      )
      .optional(),
  ),
  ZENDESK_WEBHOOK_SECRET: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .trim()
      .min(16, 'must be the webhook signing secret Zendesk shows')
      .refine((v) => v !== ZENDESK_TEST_SIGNING_SECRET, ZENDESK_TEST_SECRET_REFUSED)
      .optional(),
  ),
  ZENDESK_API_EMAIL: z.preprocess(unsetIfEmpty, z.email({ message: 'must be an email address' }).optional()),
  ZENDESK_API_TOKEN: z.preprocess(unsetIfEmpty, z.string().trim().min(8, 'must be a Zendesk API token').optional()),
  ZENDESK_WEBHOOK_TOLERANCE_SECONDS: envInteger(1, 86_400, CONFIG_DEFAULTS.ZENDESK_WEBHOOK_TOLERANCE_SECONDS),
  ZENDESK_WEBHOOK_MAX_BODY_BYTES: envInteger(1024, 10_485_760, CONFIG_DEFAULTS.ZENDESK_WEBHOOK_MAX_BODY_BYTES),
};
