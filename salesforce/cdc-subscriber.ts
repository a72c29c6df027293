/**
 * Subscribes a tenant to Salesforce streaming channels (Change Data Capture `/data/*ChangeEvent`,
 * Platform Events `/event/*`) and hands every message, in arrival order, to `onMessage`. The
 * message's replay id is stored only after `onMessage` resolved, so a subscription always resumes
 * after the last message whose event is durable: a crash, a rejected callback or a reconnect
 * re-delivers, never skips (consumers dedupe on the event).
 *
 * The CometD implementation reconnects with capped exponential backoff when the server drops the
 * client, gets a new access token and a new client on `401::Authentication invalid`, and on a
 * replay id Salesforce no longer retains (events are kept 72 hours) records a gap for
 * reconciliation and resubscribes from -2 (every retained event).
 * https://developer.salesforce.com/docs/atlas.en-us.change_data_capture.meta/change_data_capture/cdc_subscribe_cometd.htm
 */
import { pino, type Logger } from 'pino';
import { parseSubscribedMessage, type SubscribedMessage } from './change-event.ts';
import {
  CommittedReplay,
  FailureMonitor,
  closeCometdClient,
  createCometdClient,
  type FayeClient,
} from './cometd-client.ts';
import {
  backoffDelay,
  classifyCometdError,
  cometdErrorText,
  type BackoffOptions,
  type CometdFailure,
} from './cometd-errors.ts';
import type { SalesforceSession } from './connection.ts';
import type { ReplayGap, ReplayStore } from './replay-store.ts';

/** A tenant's subscription to Salesforce events, whatever the protocol (CometD now, gRPC Pub/Sub later). */
export interface ChangeEventSubscriber {
  /** Starts subscribing in the background; failures are retried, never thrown. */
  start(): void;
  /** Unsubscribes, stops reconnecting and waits for the `onMessage` call in progress. */
  stop(): Promise<void>;
}

/**
 * Makes the event durable (e.g. writes it to the intake inbox) and resolves afterwards. A rejection
 * leaves the replay id where it was: the subscription restarts from there and re-delivers.
 */
export type OnMessage = (tenant: string, channel: string, message: SubscribedMessage) => Promise<void>;

/** Optional notifications, for metrics and tests. */
export interface SubscriberObserver {
  subscribed?(channel: string, fromReplayId: number): void;
  stored?(channel: string, replayId: number): void;
  connectionLost?(
    reason: CometdFailure | 'transport_down' | 'callback_failed' | 'store_failed' | 'token_refreshed',
    retryInMs: number,
  ): void;
  gap?(gap: Omit<ReplayGap, 'detectedAt'>): void;
}

export const DEFAULT_CHANNELS = ['/data/AccountChangeEvent', '/data/ContactChangeEvent'] as const;

export interface CometdSubscriberOptions {
  /**
   * Channels to subscribe to, e.g. add a Platform Event `/event/Account_Status__e`.
   * @defaultValue `['/data/AccountChangeEvent', '/data/ContactChangeEvent']`
   */
  channels?: readonly string[];
  /**
   * Where a channel with no stored replay id starts: -2 every retained event (up to 72 hours), -1
   * only new ones. -2 loses nothing if the process stops before the first message was stored.
   * @defaultValue -2
   */
  initialReplayId?: -1 | -2;
  /**
   * Reconnect delays: `initialMs * 2^attempt` up to `maxMs`, minus up to `jitter` of it at random.
   * The attempt count resets once every channel is subscribed.
   * @defaultValue `{ initialMs: 1000, maxMs: 60_000, jitter: 0.3 }`
   */
  backoff?: Partial<BackoffOptions>;
  /**
   * How long a `/meta/subscribe` may stay unanswered before the client is recreated.
   * @defaultValue 30_000 ms
   */
  subscribeTimeoutMs?: number;
  /**
   * Logger; gets tenant, channel and replay ids, never message bodies or tokens.
   * @defaultValue a silent logger
   */
  logger?: Logger;
  /**
   * Notifications for metrics and tests.
   * @defaultValue none
   */
  observer?: SubscriberObserver;
}

export const DEFAULT_SUBSCRIBER_OPTIONS = {
  channels: DEFAULT_CHANNELS,
  initialReplayId: -2,
  backoff: { initialMs: 1000, maxMs: 60_000, jitter: 0.3 },
  subscribeTimeoutMs: 30_000,
} as const;

export interface CometdSubscriberDeps {
  session: SalesforceSession;
  store: ReplayStore;
  onMessage: OnMessage;
}

type Failure = Parameters<NonNullable<SubscriberObserver['connectionLost']>>[0];

export class CometdChangeEventSubscriber implements ChangeEventSubscriber {
  private readonly tenant: string;
  private readonly channels: readonly string[];
  private readonly initialReplayId: number;
  private readonly backoff: BackoffOptions;
  private readonly subscribeTimeoutMs: number;
  private readonly log: Logger;
  private readonly observer: SubscriberObserver;
  /** Replay id per channel of the last durable message (what a subscribe resumes from). */
  private readonly positions = new Map<string, number>();

  private running = false;
  /** Incremented whenever a client is torn down: work of an older client is dropped. */
  private generation = 0;
  private client: FayeClient | null = null;
  private ended: AbortController = new AbortController();
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  /** Messages are handled one at a time, in arrival order. */
  private chain: Promise<void> = Promise.resolve();
  private refreshingOurselves = false;
  private unlistenRefresh: (() => void) | null = null;

  constructor(
    private readonly deps: CometdSubscriberDeps,
    options: CometdSubscriberOptions = {},
  ) {
    this.tenant = deps.session.tenant;
    this.channels = [...new Set(options.channels ?? DEFAULT_SUBSCRIBER_OPTIONS.channels)];
    this.initialReplayId = options.initialReplayId ?? DEFAULT_SUBSCRIBER_OPTIONS.initialReplayId;
    this.backoff = { ...DEFAULT_SUBSCRIBER_OPTIONS.backoff, ...options.backoff };
    this.subscribeTimeoutMs = options.subscribeTimeoutMs ?? DEFAULT_SUBSCRIBER_OPTIONS.subscribeTimeoutMs;
    this.log = (options.logger ?? pino({ level: 'silent' })).child({
      tenant: this.tenant,
      component: 'salesforce-cometd',
    });
    this.observer = options.observer ?? {};
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    // jsforce refreshed the session (a REST call got 401): the client's Authorization header is stale.
    this.unlistenRefresh = this.deps.session.onRefresh(() => {
      if (!this.refreshingOurselves && this.client)
        void this.fail(this.generation, 'token_refreshed', 'access token refreshed');
    });
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unlistenRefresh?.();
    this.unlistenRefresh = null;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.teardown();
    await this.chain;
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect(this.generation);
    }, delayMs);
  }

  /** Ends the current client; returns the new generation. */
  private teardown(): number {
    this.generation++;
    this.ended.abort();
    this.ended = new AbortController();
    if (this.client) closeCometdClient(this.client);
    this.client = null;
    return this.generation;
  }

  private async fail(gen: number, reason: Failure, detail: string): Promise<void> {
    if (gen !== this.generation || !this.running) return;
    this.teardown();
    if (reason === 'unauthorized') {
      this.refreshingOurselves = true;
      try {
        const r = await this.deps.session.refresh();
        if (!r.ok) this.log.warn({ code: r.error.code, failure: r.error.failure }, 'Salesforce token refresh failed');
      } finally {
        this.refreshingOurselves = false;
      }
    }
    const delay = reason === 'token_refreshed' ? 0 : backoffDelay(this.attempt++, this.backoff);
    this.log.warn(
      { reason, detail: detail.slice(0, 300), retry_in_ms: delay },
      'Salesforce streaming connection lost; reconnecting',
    );
    this.observer.connectionLost?.(reason, delay);
    this.schedule(delay);
  }

  private async connect(gen: number): Promise<void> {
    if (gen !== this.generation || !this.running) return;
    // A message still being handled stores its replay id first, so we resume after it.
    await this.chain;
    let stored: Map<string, number>;
    try {
      stored = await this.deps.store.load(this.tenant, this.channels);
    } catch (e) {
      return this.fail(gen, 'store_failed', e instanceof Error ? e.message : String(e));
    }
    if (gen !== this.generation || !this.running) return;
    for (const ch of this.channels) this.positions.set(ch, stored.get(ch) ?? this.initialReplayId);

    const monitor = new FailureMonitor(
      (f) =>
        void this.fail(
          gen,
          classifyCometdError(f.error, f.sfdcFailureReason),
          `${f.channel}: ${cometdErrorText(f.error)}`,
        ),
    );
    const replays = this.channels.map(
      (ch) => new CommittedReplay(ch, () => this.positions.get(ch) ?? this.initialReplayId),
    );
    const client = createCometdClient(this.deps.session.connection, [monitor, ...replays]);
    this.client = client;
    client.on('transport:down', () => void this.fail(gen, 'transport_down', 'transport down'));

    for (const channel of this.channels) {
      if (!(await this.subscribe(gen, client, channel))) return;
    }
    this.attempt = 0;
  }

  /** Subscribes one channel, handling a refused replay id; false when the client was given up. */
  private async subscribe(gen: number, client: FayeClient, channel: string): Promise<boolean> {
    for (let tries = 0; tries < 2; tries++) {
      const from = this.positions.get(channel) ?? this.initialReplayId;
      const outcome = await this.awaitSubscription(
        client.subscribe(channel, (data) => this.enqueue(gen, channel, data)),
      );
      if (gen !== this.generation || !this.running) return false;
      if (outcome.ok) {
        this.log.info({ channel, from_replay_id: from }, 'subscribed');
        this.observer.subscribed?.(channel, from);
        return true;
      }
      const failure = outcome.timedOut ? 'other' : classifyCometdError(outcome.error);
      const text = outcome.timedOut ? 'subscribe unanswered' : cometdErrorText(outcome.error);
      if (failure !== 'replay_id_invalid' || from < 0) {
        await this.fail(gen, failure, `/meta/subscribe ${channel}: ${text}`);
        return false;
      }
      // Salesforce no longer has events after `from`: whatever happened since may be lost.
      const gap = { tenant: this.tenant, channel, fromReplayId: from, reason: text };
      try {
        await this.deps.store.recordGap(gap, -2);
      } catch (e) {
        await this.fail(gen, 'store_failed', e instanceof Error ? e.message : String(e));
        return false;
      }
      this.positions.set(channel, -2);
      this.log.warn(
        { channel, from_replay_id: from },
        'replay id no longer retained: gap recorded, resubscribing from -2',
      );
      this.observer.gap?.(gap);
    }
    await this.fail(gen, 'other', `/meta/subscribe ${channel}: refused twice`);
    return false;
  }

  private awaitSubscription(
    sub: PromiseLike<unknown>,
  ): Promise<{ ok: true } | { ok: false; timedOut: boolean; error?: unknown }> {
    const ended = this.ended.signal;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ ok: false, timedOut: true }), this.subscribeTimeoutMs);
      const done = (v: { ok: true } | { ok: false; timedOut: boolean; error?: unknown }) => {
        clearTimeout(timer);
        resolve(v);
      };
      ended.addEventListener('abort', () => done({ ok: false, timedOut: false, error: 'client closed' }), {
        once: true,
      });
      sub.then(
        () => done({ ok: true }),
        (error: unknown) => done({ ok: false, timedOut: false, error }),
      );
    });
  }

  private enqueue(gen: number, channel: string, data: unknown): void {
    this.chain = this.chain.then(() => this.handle(gen, channel, data));
  }

  private async handle(gen: number, channel: string, data: unknown): Promise<void> {
    // A torn-down client's queued messages are re-delivered by the next subscription.
    if (gen !== this.generation || !this.running) return;
    const message = parseSubscribedMessage(channel, data);
    if (message.kind === 'invalid')
      this.log.warn(
        { channel, replay_id: message.replayId, problems: message.problems.slice(0, 5) },
        'invalid streaming message',
      );
    try {
      await this.deps.onMessage(this.tenant, channel, message);
    } catch (e) {
      return this.fail(
        gen,
        'callback_failed',
        `onMessage rejected (replay id ${String(message.replayId)}): ${e instanceof Error ? e.name : typeof e}`,
      );
    }
    // Durable now: even if the client was torn down meanwhile, moving past it is right.
    if (message.replayId === null) return;
    try {
      await this.deps.store.save(this.tenant, channel, message.replayId);
    } catch (e) {
      return this.fail(gen, 'store_failed', e instanceof Error ? e.message : String(e));
    }
    this.positions.set(channel, message.replayId);
    this.observer.stored?.(channel, message.replayId);
  }
}
