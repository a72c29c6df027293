/**
 * Alerting as the service uses it: the scheduled run (scan the log into the outbox, then deliver
 * what is due), the admin's test-send, and the reads the admin API shows. docs/alerts.md.
 */
import { randomUUID } from 'node:crypto';
import type { WarningSettings } from '../contracts/index.ts';
import { StandingError } from '../lib/errors.ts';
import type { MasterKeys } from '../model/sealing.ts';
import type { SqlClient } from '../store/database.ts';
import type { StandingLog } from '../store/standing-log.ts';
import { AlertChannels } from './alert-channels.ts';
import {
  attempt,
  DEFAULT_ALERT_DELIVERY,
  deliverDueAlerts,
  resolveDeliveryOptions,
  type AlertDeliveryOptions,
  type DeliveryResult,
  type NoteSender,
} from './alert-delivery.ts';
import { AlertOutbox } from './alert-outbox.ts';
import { testAlertPayload, type AlertChannelKind } from './alert-payload.ts';
import { scanForAlerts, type AlertScanOptions, type AlertScanOutcome } from './alert-scan.ts';

export interface AlertsDeps {
  db: SqlClient;
  log: StandingLog;
  keys: MasterKeys;
  /** The tenant's warning thresholds. */
  settings: (tenant: string) => Promise<WarningSettings>;
  /** The Zendesk seam for private notes. @defaultValue none: note alerts fail, saying so */
  note?: NoteSender;
  /** Told of every attempt (metrics). */
  onAttempt?: (r: DeliveryResult) => void;
}

export interface AlertsOptions {
  scan?: AlertScanOptions;
  delivery?: AlertDeliveryOptions;
  /** How long the delivery log and settled alerts are kept. @defaultValue 90 days */
  keepDays?: number;
  /** Delivery batches per run at most (each of `delivery.batchSize`), while full ones come back. @defaultValue 10 */
  maxDeliveryBatches?: number;
}

export const DEFAULT_ALERT_KEEP_DAYS = 90;
const DAY_MS = 86_400_000;
/** The delivery log is pruned at most this often per process. */
const PRUNE_EVERY_MS = 3_600_000;

export interface AlertsRun {
  scanned: AlertScanOutcome[];
  delivered: DeliveryResult[];
}

export class TestSendError extends StandingError {
  override name = 'TestSendError';
}

export class Alerts {
  readonly channels: AlertChannels;
  readonly outbox: AlertOutbox;
  private prunedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly deps: AlertsDeps,
    private readonly options: AlertsOptions = {},
  ) {
    this.channels = new AlertChannels(deps.db, deps.keys);
    this.outbox = new AlertOutbox(deps.db);
  }

  private get delivery() {
    return { outbox: this.outbox, channels: (t: string) => this.channels.deliverable(t), note: this.deps.note };
  }

  /** One scheduled run: new warnings into the outbox, then every due alert sent once. */
  async run(now?: () => Date): Promise<AlertsRun> {
    const clock = now ? { now } : {};
    const scanned = await scanForAlerts(
      { log: this.deps.log, channels: this.channels, outbox: this.outbox, settings: this.deps.settings },
      { ...this.options.scan, ...clock },
    );
    const delivered: DeliveryResult[] = [];
    const batchSize = this.options.delivery?.batchSize ?? DEFAULT_ALERT_DELIVERY.batchSize;
    for (let batch = 0; batch < (this.options.maxDeliveryBatches ?? 10); batch++) {
      const sent = await deliverDueAlerts(this.delivery, { ...this.options.delivery, ...clock });
      for (const r of sent) this.deps.onAttempt?.(r);
      delivered.push(...sent);
      if (sent.length < batchSize) break;
    }
    const at = (now ?? (() => new Date()))().getTime();
    if (at - this.prunedAt >= PRUNE_EVERY_MS) {
      this.prunedAt = at;
      await this.outbox.prune(new Date(at - (this.options.keepDays ?? DEFAULT_ALERT_KEEP_DAYS) * DAY_MS));
    }
    return { scanned, delivered };
  }

  /**
   * Sends a test alert to one channel now and answers what the receiver said. It goes through the
   * outbox (marked `test`) like any alert, so a failure is retried and everything is in the log.
   */
  async test(tenant: string, kind: AlertChannelKind, ticketId: string | null): Promise<DeliveryResult> {
    const o = resolveDeliveryOptions(this.options.delivery);
    const channel = (await this.channels.deliverable(tenant)).find((c) => c.kind === kind);
    if (!channel) throw new TestSendError(`no ${kind} channel is configured`);
    if (kind === 'zendesk_note' && !ticketId) throw new TestSendError('ticket_id: a test note needs a ticket');
    const key = `test_${randomUUID()}`;
    const payload = testAlertPayload(tenant, key, o.now());
    const now = o.now();
    // Due only after the lease: the scheduled deliverer leaves it to this attempt.
    const held = new Date(now.getTime() + o.leaseMs);
    await this.outbox.enqueue(
      { tenant, alert_key: key, channel: kind, payload, ticket_id: ticketId, test: true },
      now,
      held,
    );
    const alert = {
      tenant,
      alert_key: key,
      channel: kind,
      code: payload.code,
      payload,
      ticket_id: ticketId,
      test: true,
    };
    const result = await attempt(this.delivery, { ...alert, attempts: 0 }, channel, o);
    this.deps.onAttempt?.(result);
    return result;
  }
}
