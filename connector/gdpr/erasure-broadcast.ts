/**
 * After an erasure, every process drops what it remembers of the person: cached subject keys and
 * identity look-ups (connector/store/subject-resolver.ts), Zendesk user details looked up for
 * identities, the Zendesk app's ticket look-ups. The process that erased publishes a notice on a
 * Redis channel; every process subscribes and runs its listeners. Writers do not depend on it (they
 * check the subject row under the chain-head lock), but nothing readable may linger in memory.
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';

export const ErasureNotice = z.strictObject({
  tenant: z.string().min(1).max(63),
  subject_ids: z.array(z.string().uuid()).max(1000),
});
export type ErasureNotice = z.infer<typeof ErasureNotice>;

export type ErasureListener = (notice: ErasureNotice) => void;

/** The channel of the deployment's queue prefix. */
export const erasureChannel = (queuePrefix: string) => `${queuePrefix}:erasures`;

export class ErasureBroadcast {
  private readonly listeners: ErasureListener[] = [];
  private subscriber: Redis | undefined;

  constructor(
    private readonly redisUrl: string,
    private readonly channel: string,
    private readonly logger?: Logger,
  ) {}

  /** Runs `listener` for every erasure, in this process or announced by another. */
  onErasure(listener: ErasureListener): void {
    this.listeners.push(listener);
  }

  /**
   * Subscribes to the channel. Does not wait for Redis: the service starts while Redis is down, and
   * ioredis subscribes once connected (and again after every reconnect).
   */
  start(): void {
    const subscriber = new Redis(this.redisUrl, { maxRetriesPerRequest: null });
    subscriber.on('error', () => undefined);
    subscriber.on('message', (_channel: string, message: string) => {
      let parsed: ErasureNotice;
      try {
        parsed = ErasureNotice.parse(JSON.parse(message));
      } catch {
        this.logger?.warn('ignored a malformed erasure notice');
        return;
      }
      this.notifyHere(parsed);
    });
    this.subscriber = subscriber;
    subscriber
      .subscribe(this.channel)
      .catch((err: unknown) =>
        this.logger?.warn(
          { err },
          'erasure notices: not subscribed (Redis unavailable); caches expire by themselves meanwhile',
        ),
      );
  }

  /** Runs the listeners of this process. */
  notifyHere(notice: ErasureNotice): void {
    for (const listener of this.listeners) {
      try {
        listener(notice);
      } catch (err) {
        this.logger?.error({ err }, 'an erasure listener failed');
      }
    }
  }

  /** This process at once, then every other through Redis (best effort: caches also expire by themselves). */
  async publish(notice: ErasureNotice, publisher: Pick<Redis, 'publish'>): Promise<boolean> {
    this.notifyHere(notice);
    return publishErasure(publisher, this.channel, notice);
  }

  async close(): Promise<void> {
    const s = this.subscriber;
    this.subscriber = undefined;
    if (!s) return;
    if (s.status === 'ready') await s.quit().catch(() => s.disconnect());
    else s.disconnect();
  }
}

/** Announces an erasure to every process; false when Redis did not take it. */
export async function publishErasure(
  publisher: Pick<Redis, 'publish'>,
  channel: string,
  notice: ErasureNotice,
): Promise<boolean> {
  return publisher.publish(channel, JSON.stringify(notice)).then(
    () => true,
    () => false,
  );
}
