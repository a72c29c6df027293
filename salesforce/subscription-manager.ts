/**
 * Runs one Change Data Capture subscription per tenant whose Salesforce connection is complete, in
 * every worker process (the Redis lease in tenant-subscription.ts lets one of them subscribe), and
 * follows setting changes: a tenant added, changed or removed is subscribed, restarted or stopped
 * within `refreshEveryMs`. Each message is made durable in the intake inbox before its replay id is
 * stored (acceptChangeEvent); a message the subscriber could not read is kept for an admin.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { InboxEntry, InboxKey } from '../connector/intake/intake-inbox.ts';
import type { ChangeEventSubscriber, OnMessage } from './cdc-subscriber.ts';
import { acceptChangeEvent } from './change-event-intake.ts';
import type { SalesforceConnectionFactory } from './connection.ts';
import type { ReplayStore } from './replay-store.ts';
import { connectionSettingsOf, type SalesforceSettingsStore } from './tenant-settings.ts';
import { createTenantSubscription, type TenantSubscriptionOptions } from './tenant-subscription.ts';

export interface SubscriptionManagerOptions {
  /**
   * How often the tenants' settings are re-read to start, restart or stop subscriptions.
   * @defaultValue 30_000 ms
   */
  refreshEveryMs?: number;
  /**
   * Options of each tenant's subscription (channels, backoff, lease).
   * @defaultValue the subscription's defaults (Account and Contact change events)
   */
  subscription?: TenantSubscriptionOptions;
}

export interface SubscriptionManagerDeps {
  settings: SalesforceSettingsStore;
  connections: SalesforceConnectionFactory;
  store: ReplayStore;
  /** This process's own Redis connection for the leases. */
  redis: Redis;
  /** The deployment's Redis key prefix (`STANDING_QUEUE_PREFIX`): the leases live under it. */
  redisPrefix: string;
  accept(entry: InboxEntry): Promise<{ duplicate: boolean }>;
  enqueue(keys: InboxKey[]): Promise<void>;
  logger: Logger;
}

export class SalesforceSubscriptionManager {
  private readonly running = new Map<string, { fingerprint: string; subscriber: ChangeEventSubscriber }>();
  private timer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly refreshEveryMs: number;

  constructor(
    private readonly deps: SubscriptionManagerDeps,
    private readonly options: SubscriptionManagerOptions = {},
  ) {
    this.refreshEveryMs = options.refreshEveryMs ?? 30_000;
  }

  start(): void {
    const tick = () => {
      this.syncing = this.syncing
        .then(() => this.sync())
        .catch((err: unknown) =>
          this.deps.logger.warn(
            { err: (err as Error).message },
            'salesforce subscriptions: could not read the tenants; retrying',
          ),
        );
      if (!this.stopped) this.timer = setTimeout(tick, this.refreshEveryMs);
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.syncing;
    await Promise.all([...this.running.values()].map((r) => r.subscriber.stop()));
    this.running.clear();
  }

  /** Tenants with a running subscription (tests, /readyz). */
  tenants(): string[] {
    return [...this.running.keys()];
  }

  private async sync(): Promise<void> {
    if (this.stopped) return;
    const wanted = new Map<string, string>();
    for (const tenant of await this.deps.settings.tenants()) {
      const stored = await this.deps.settings.get(tenant);
      const conn = stored ? connectionSettingsOf(stored) : null;
      if (conn?.ok)
        wanted.set(
          tenant,
          createHash('sha256')
            .update(JSON.stringify([conn.settings, stored?.cdc_channels]))
            .digest('hex'),
        );
    }
    for (const [tenant, r] of this.running) {
      if (wanted.get(tenant) === r.fingerprint) continue;
      await r.subscriber.stop();
      this.running.delete(tenant);
    }
    for (const [tenant, fingerprint] of wanted) {
      if (this.running.has(tenant) || this.stopped) continue;
      const stored = await this.deps.settings.get(tenant);
      const conn = stored ? connectionSettingsOf(stored) : null;
      if (!conn?.ok) continue;
      const subscriber = createTenantSubscription(
        {
          tenant,
          settings: conn.settings,
          connections: this.deps.connections,
          store: this.deps.store,
          redis: this.deps.redis,
          redisPrefix: this.deps.redisPrefix,
          onMessage: this.onMessage,
        },
        {
          logger: this.deps.logger,
          onAuthFailure: (t, e) =>
            this.deps.logger.error(
              { tenant: t, code: e.code },
              'salesforce: the connection settings cannot sign in; fix them (PUT /api/v1/tenants/{tenant}/salesforce)',
            ),
          ...this.options.subscription,
          ...(stored?.cdc_channels
            ? { subscriber: { ...this.options.subscription?.subscriber, channels: stored.cdc_channels } }
            : {}),
        },
      );
      subscriber.start();
      this.running.set(tenant, { fingerprint, subscriber });
    }
  }

  /** Resolves once the message is durable in the inbox: only then is its replay id stored. */
  private readonly onMessage: OnMessage = async (tenant, channel, message) => {
    const intake = {
      accept: (e: InboxEntry) => this.deps.accept(e),
      enqueue: (keys: InboxKey[]) => this.deps.enqueue(keys),
    };
    if (message.kind === 'change_event') {
      await acceptChangeEvent(intake, tenant, channel, message.message);
      return;
    }
    const key = `${channel}:${
      message.replayId ??
      createHash('sha256')
        .update(JSON.stringify(message.kind === 'invalid' ? message.raw : message.message))
        .digest('hex')
        .slice(0, 32)
    }`;
    const body =
      message.kind === 'platform_event'
        ? { kind: 'platform_event', channel, message: message.message }
        : { kind: 'invalid_message', channel, problems: message.problems, raw: message.raw };
    const entry: InboxEntry = {
      tenant,
      source: 'salesforce',
      event_id: key.slice(0, 255),
      body,
      meta: { channel: channel.slice(0, 255) },
    };
    const { duplicate } = await this.deps.accept(entry);
    if (!duplicate)
      await this.deps.enqueue([{ tenant, source: 'salesforce', event_id: entry.event_id }]).catch(() => undefined);
  };
}
