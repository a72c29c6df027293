/**
 * The intake's settings, parsed from the environment (intake-env.ts): process role, queues,
 * worker tuning, the `default` tenant.
 */
import type { ProcessRole } from './roles.ts';

export interface ZendeskWebhookOptions {
  /**
   * Largest accepted body; larger ones get 413. Zendesk event payloads are a few KiB.
   * @defaultValue 262_144 bytes
   */
  maxBodyBytes?: number;
  /**
   * How far the signed timestamp may be from our clock, either way.
   * @defaultValue 300 s
   */
  toleranceSeconds?: number;
}

export interface IntakeSettings {
  /**
   * What this process does (connector/config/roles.ts).
   * @defaultValue `all`
   */
  role: ProcessRole;
  /** Redis key prefix of the queues. @defaultValue `standing` */
  queuePrefix: string;
  /** The `default` tenant's Zendesk settings from the environment (any may be absent). */
  defaultTenant: {
    subdomain?: string;
    /** `ZENDESK_API_URL`: the API base when not `https://<subdomain>.zendesk.com`. */
    apiUrl?: string;
    webhookSecret?: string;
    apiEmail?: string;
    apiToken?: string;
  };
  webhook: ZendeskWebhookOptions;
  /** Worker tuning (see IntakeWorkerOptions). */
  worker: { concurrency: number; batchSize: number; lockDurationMs: number; companionWaitMs: number };
  /** How often a worker re-reads the Salesforce connections (subscriptions). @defaultValue 30_000 ms */
  salesforceSettingsRefreshMs: number;
  /** Days stored/ignored events' raw payloads stay in the inbox. @defaultValue 30 */
  inboxRetentionDays: number;
  /** The sweeper (see IntakeSweeperOptions): how often, after how long pending, how many events per sweep. */
  sweeper: { everyMs: number; pendingForMs: number; maxEvents: number };
  /**
   * Scheduled reconciliation (see ReconciliationSchedulerOptions; the quota share is the Salesforce
   * reconciler's); `everyMs: 0` turns it off.
   */
  reconciliation: { everyMs: number; maxPages: number; salesforceMaxQuotaShare: number };
  /**
   * Attribution (connector/zendesk/attribution.ts): how often tenants behind are queued again (0: attribution
   * off) and the match window around an event.
   */
  attribution: { sweepEveryMs: number; windowSeconds: number };
}
