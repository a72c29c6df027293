/**
 * Compliance variables: the scheduler's checkpoint, retention, SIEM and alert jobs, the checkpoint key and
 * where copies go.
 */
import { z } from 'zod';
import { CONFIG_DEFAULTS } from './defaults.ts';
import { envInteger, unsetIfEmpty, urlWithScheme } from './env-values.ts';

export interface ComplianceSchedules {
  /** How often each changed chain head is checkpointed. @defaultValue 3_600_000 ms (1 h) */
  checkpointEveryMs: number;
  /** How often retention policies are applied. @defaultValue 86_400_000 ms (24 h) */
  retentionEveryMs: number;
  /** How often new log rows are pushed to each tenant's Splunk HEC target. @defaultValue 60_000 ms (1 min) */
  siemPushEveryMs: number;
  /** How often new log rows are pushed to each tenant's Loggly target. @defaultValue 60_000 ms (1 min) */
  logglyPushEveryMs: number;
  /** How often new warnings become alerts and due alerts are sent. @defaultValue 10_000 ms (10 s) */
  alertsEveryMs: number;
  /** How often the insights' rollups are caught up with each tenant's log. @defaultValue 60_000 ms (1 min) */
  insightsEveryMs: number;
  /** Most log rows folded into the insights' rollups per transaction of that job. @defaultValue 50_000 */
  insightsChunkRows: number;
}

export interface CheckpointSettings {
  /** STANDING_CHECKPOINT_KEY as given; `undefined`: generated into / read from the data directory. */
  key: string | undefined;
  /** STANDING_CHECKPOINT_EXPORT: a directory (path or file:// URL) or s3://bucket/prefix; `undefined`: none. */
  exportTarget: string | undefined;
  s3: {
    endpoint: string | undefined;
    region: string;
    accessKeyId: string | undefined;
    secretAccessKey: string | undefined;
    sessionToken: string | undefined;
  };
}

export const COMPLIANCE_ENV = {
  STANDING_CHECKPOINT_INTERVAL_MS: envInteger(0, 7 * 86_400_000, CONFIG_DEFAULTS.STANDING_CHECKPOINT_INTERVAL_MS),
  STANDING_RETENTION_INTERVAL_MS: envInteger(0, 7 * 86_400_000, CONFIG_DEFAULTS.STANDING_RETENTION_INTERVAL_MS),
  STANDING_SIEM_PUSH_INTERVAL_MS: envInteger(0, 86_400_000, CONFIG_DEFAULTS.STANDING_SIEM_PUSH_INTERVAL_MS),
  STANDING_LOGGLY_PUSH_INTERVAL_MS: envInteger(0, 86_400_000, CONFIG_DEFAULTS.STANDING_LOGGLY_PUSH_INTERVAL_MS),
  STANDING_ALERTS_INTERVAL_MS: envInteger(0, 3_600_000, CONFIG_DEFAULTS.STANDING_ALERTS_INTERVAL_MS),
  STANDING_INSIGHTS_INTERVAL_MS: envInteger(0, 86_400_000, CONFIG_DEFAULTS.STANDING_INSIGHTS_INTERVAL_MS),
  STANDING_INSIGHTS_CHUNK_ROWS: envInteger(1_000, 1_000_000, CONFIG_DEFAULTS.STANDING_INSIGHTS_CHUNK_ROWS),
  STANDING_CHECKPOINT_KEY: z.preprocess(unsetIfEmpty, z.string().trim().optional()),
  STANDING_CHECKPOINT_EXPORT: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .trim()
      .refine(
        (v) => /^(s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?|file:\/\/\/.+|[^:]+)$/.test(v),
        'must be a directory (/path or file:///path) or s3://bucket/prefix',
      )
      .optional(),
  ),
  STANDING_S3_ENDPOINT: z.preprocess(
    unsetIfEmpty,
    urlWithScheme(['http:', 'https:'], 'https://s3.example.com').optional(),
  ),
  STANDING_S3_REGION: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .trim()
      .regex(/^[a-z0-9-]{1,40}$/, 'must be a region name like us-east-1')
      .default(CONFIG_DEFAULTS.STANDING_S3_REGION),
  ),
  AWS_ACCESS_KEY_ID: z.preprocess(unsetIfEmpty, z.string().trim().optional()),
  AWS_SECRET_ACCESS_KEY: z.preprocess(unsetIfEmpty, z.string().trim().optional()),
  AWS_SESSION_TOKEN: z.preprocess(unsetIfEmpty, z.string().trim().optional()),
};
