/**
 * The integrator's entry point: a tenant's Salesforce subscription, ready to start in every worker
 * process. It waits for the tenant's Redis lease (one subscriber per tenant), then authenticates
 * (retrying while Salesforce is unavailable or refuses the grant, since an admin may fix it) and
 * runs the CometD subscriber; it stops when the lease is lost or on `stop()`.
 */
import type { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import {
  CometdChangeEventSubscriber,
  type ChangeEventSubscriber,
  type CometdSubscriberOptions,
  type OnMessage,
} from './cdc-subscriber.ts';
import { backoffDelay, type BackoffOptions } from './cometd-errors.ts';
import type { SalesforceAuthError, SalesforceConnectionFactory, SalesforceSettingsInput } from './connection.ts';
import type { ReplayStore } from './replay-store.ts';
import { ExclusiveSubscription, type ExclusiveSubscriptionOptions } from './tenant-lease.ts';

export interface TenantSubscriptionDeps {
  tenant: string;
  /** The tenant's Salesforce settings (validated here; secrets never logged). */
  settings: SalesforceSettingsInput;
  /** Shared by all tenants; its `onTokens` persists rotated refresh tokens. */
  connections: SalesforceConnectionFactory;
  store: ReplayStore;
  /** A connection of this process's own (the lease); commands must not wait forever. */
  redis: Redis;
  /** The deployment's Redis key prefix (`STANDING_QUEUE_PREFIX`): the lease key lives under it. */
  redisPrefix: string;
  onMessage: OnMessage;
}

export interface TenantSubscriptionOptions {
  /**
   * Channels, initial replay id, reconnect backoff of the CometD subscriber.
   * @defaultValue see `CometdSubscriberOptions`
   */
  subscriber?: CometdSubscriberOptions;
  /**
   * Lease timings (the key prefix is the deployment's, `redisPrefix`).
   * @defaultValue see `ExclusiveSubscriptionOptions`
   */
  exclusive?: Omit<ExclusiveSubscriptionOptions, 'prefix'>;
  /**
   * Delays between failed authentications.
   * @defaultValue `{ initialMs: 5_000, maxMs: 300_000, jitter: 0.3 }`
   */
  connectBackoff?: Partial<BackoffOptions>;
  /**
   * Told about every failed authentication (e.g. to show the tenant's admin that the grant was refused).
   * `invalid_settings` is final: nothing is retried until the subscription is created again.
   * @defaultValue none
   */
  onAuthFailure?: (tenant: string, error: SalesforceAuthError) => void;
  /**
   * Logger.
   * @defaultValue a silent logger
   */
  logger?: Logger;
}

export const DEFAULT_CONNECT_BACKOFF: BackoffOptions = { initialMs: 5_000, maxMs: 300_000, jitter: 0.3 };

export function createTenantSubscription(
  deps: TenantSubscriptionDeps,
  options: TenantSubscriptionOptions = {},
): ChangeEventSubscriber {
  const logger = options.logger ?? pino({ level: 'silent' });
  const connecting = new ConnectingSubscriber(deps, { ...options, logger });
  return new ExclusiveSubscription(deps.redis, deps.tenant, connecting, {
    logger,
    ...options.exclusive,
    prefix: deps.redisPrefix,
  });
}

/** Authenticates on first start (with retries), then runs the CometD subscriber; keeps the session across restarts. */
class ConnectingSubscriber implements ChangeEventSubscriber {
  private inner: CometdChangeEventSubscriber | null = null;
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private wake: AbortController = new AbortController();
  private readonly backoff: BackoffOptions;
  private readonly log: Logger;

  constructor(
    private readonly deps: TenantSubscriptionDeps,
    private readonly options: TenantSubscriptionOptions & { logger: Logger },
  ) {
    this.backoff = { ...DEFAULT_CONNECT_BACKOFF, ...options.connectBackoff };
    this.log = options.logger.child({ tenant: deps.tenant, component: 'salesforce-subscription' });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.wake = new AbortController();
    if (this.inner) this.inner.start();
    else this.loop = this.connect();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake.abort();
    await this.loop;
    await this.inner?.stop();
  }

  private async connect(): Promise<void> {
    for (let attempt = 0; this.running; attempt++) {
      const r = await this.deps.connections.connect(this.deps.tenant, this.deps.settings);
      if (r.ok) {
        this.inner = new CometdChangeEventSubscriber(
          { session: r.value, store: this.deps.store, onMessage: this.deps.onMessage },
          { logger: this.options.logger, ...this.options.subscriber },
        );
        if (this.running) this.inner.start();
        return;
      }
      this.options.onAuthFailure?.(this.deps.tenant, r.error);
      if (r.error.failure === 'invalid_settings') {
        this.log.error(
          { code: r.error.code, problem: r.error.message },
          'Salesforce settings unusable; not subscribing',
        );
        return;
      }
      const delay = backoffDelay(attempt, this.backoff);
      this.log.warn(
        { code: r.error.code, failure: r.error.failure, retry_in_ms: delay },
        'Salesforce authentication failed; retrying',
      );
      await sleep(delay, this.wake.signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}
