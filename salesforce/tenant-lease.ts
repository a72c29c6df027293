/**
 * One subscription per tenant across worker processes: a Redis lease (SET NX PX with a random
 * token), renewed while held and released only by its holder (token-checked Lua scripts in
 * `lua/`). The subscriber runs only while the lease is held; when the holder dies, the lease
 * expires and another process takes over within `ttlMs + acquireEveryMs`.
 *
 * A lease is not a fence: a holder stalled longer than `ttlMs` (a long GC pause) may overlap the
 * next holder briefly. Both then write the same durable events (the inbox dedupes) and the same
 * replay ids, so an overlap costs duplicates, never losses.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import type { ChangeEventSubscriber } from './cdc-subscriber.ts';
import { StandingError } from '../connector/lib/errors.ts';

const lua = (name: string) => readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8');
const SCRIPTS = { renew: lua('renew-lock'), release: lua('release-lock') };

export class LeaseCommandTimeoutError extends StandingError {
  override name = 'LeaseCommandTimeoutError';
}

/** A lease on one Redis key. */
export class RedisLease {
  private readonly token = randomBytes(16).toString('hex');

  constructor(
    private readonly redis: Redis,
    readonly key: string,
    private readonly ttlMs: number,
  ) {}

  async acquire(): Promise<boolean> {
    return (await this.redis.set(this.key, this.token, 'PX', this.ttlMs, 'NX')) === 'OK';
  }

  /** False when the lease expired or another process holds it. */
  async renew(): Promise<boolean> {
    return Number(await this.redis.eval(SCRIPTS.renew, 1, this.key, this.token, this.ttlMs)) === 1;
  }

  async release(): Promise<boolean> {
    return Number(await this.redis.eval(SCRIPTS.release, 1, this.key, this.token)) === 1;
  }
}

export interface ExclusiveSubscriptionOptions {
  /**
   * The deployment's Redis key prefix (`STANDING_QUEUE_PREFIX`, no colon); the lease key is
   * `<prefix>:salesforce:subscription:<tenant>`, so deployments sharing a Redis never share a lease.
   * @defaultValue `standing`
   */
  prefix?: string;
  /**
   * Lease time to live: how long after its holder died another process may take over.
   * @defaultValue 15_000 ms
   */
  ttlMs?: number;
  /**
   * How often the holder renews the lease (keep well under `ttlMs`).
   * @defaultValue a third of `ttlMs`
   */
  renewEveryMs?: number;
  /**
   * How often a process without the lease tries to take it.
   * @defaultValue 5_000 ms
   */
  acquireEveryMs?: number;
  /**
   * Logger.
   * @defaultValue a silent logger
   */
  logger?: Logger;
  /**
   * Told when this process starts or stops holding the tenant's subscription.
   * @defaultValue none
   */
  onHolding?: (holding: boolean) => void;
}

export const DEFAULT_EXCLUSIVE_OPTIONS = { prefix: 'standing', ttlMs: 15_000, acquireEveryMs: 5_000 } as const;

/** The Redis key of a tenant's subscription lease, under the deployment's prefix. */
export const subscriptionLeaseKey = (prefix: string, tenant: string) => `${prefix}:salesforce:subscription:${tenant}`;

/**
 * Runs `subscriber` only while this process holds the tenant's lease. Itself a
 * `ChangeEventSubscriber`: start it in every worker process, and one of them subscribes.
 */
export class ExclusiveSubscription implements ChangeEventSubscriber {
  private readonly lease: RedisLease;
  private readonly ttlMs: number;
  private readonly renewEveryMs: number;
  private readonly acquireEveryMs: number;
  private readonly log: Logger;
  private running = false;
  private holding = false;
  private lastRenewedAt = 0;
  private timer: NodeJS.Timeout | null = null;
  /** Serializes ticks and stop: no acquire races a release. */
  private busy: Promise<void> = Promise.resolve();

  constructor(
    redis: Redis,
    readonly tenant: string,
    private readonly subscriber: ChangeEventSubscriber,
    private readonly options: ExclusiveSubscriptionOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? DEFAULT_EXCLUSIVE_OPTIONS.ttlMs;
    this.renewEveryMs = options.renewEveryMs ?? Math.max(Math.floor(this.ttlMs / 3), 1);
    this.acquireEveryMs = options.acquireEveryMs ?? DEFAULT_EXCLUSIVE_OPTIONS.acquireEveryMs;
    this.lease = new RedisLease(
      redis,
      subscriptionLeaseKey(options.prefix ?? DEFAULT_EXCLUSIVE_OPTIONS.prefix, tenant),
      this.ttlMs,
    );
    this.log = (options.logger ?? pino({ level: 'silent' })).child({ tenant, component: 'salesforce-lease' });
  }

  get isHolding(): boolean {
    return this.holding;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops the subscriber and releases the lease, so another process takes over at its next try. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await (this.busy = this.busy.then(async () => {
      if (!this.holding) return;
      await this.letGo('stopped');
      await this.lease
        .release()
        .catch((e: unknown) => this.log.warn({ err: e }, 'lease release failed; it expires by itself'));
    }));
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.busy = this.busy
        .then(() => this.tick())
        .then(() => this.schedule(this.holding ? this.renewEveryMs : this.acquireEveryMs));
    }, delayMs);
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    try {
      if (!this.holding) {
        if (await this.bounded(this.lease.acquire())) {
          this.holding = true;
          this.lastRenewedAt = Date.now();
          this.log.info('holding the Salesforce subscription');
          this.options.onHolding?.(true);
          this.subscriber.start();
        }
        return;
      }
      if (await this.bounded(this.lease.renew())) {
        this.lastRenewedAt = Date.now();
        return;
      }
      await this.letGo('lease taken over');
    } catch (e) {
      // Redis unreachable: keep going only while the lease cannot have expired yet.
      this.log.warn({ err: e }, 'lease check failed');
      if (this.holding && Date.now() - this.lastRenewedAt >= this.ttlMs - this.renewEveryMs)
        await this.letGo('lease unverifiable');
    }
  }

  /** A Redis command that hangs (offline queue, dead connection) counts as failed after `renewEveryMs`. */
  private bounded<T>(command: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new LeaseCommandTimeoutError(`Redis did not answer within ${this.renewEveryMs} ms`)),
        this.renewEveryMs,
      );
    });
    return Promise.race([command, timeout]).finally(() => clearTimeout(timer));
  }

  private async letGo(reason: string): Promise<void> {
    this.holding = false;
    this.log.warn({ reason }, 'no longer holding the Salesforce subscription');
    await this.subscriber.stop();
    this.options.onHolding?.(false);
  }
}
