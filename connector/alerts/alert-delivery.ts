/**
 * Sends due alerts from the outbox: a signed POST to the webhook (alert-signing.ts) or a private
 * note through the Zendesk seam (`NoteSender`, implemented in connector/zendesk/alert-note.ts).
 * Whether to try again is the pure retry decision (lib/retry-decision.ts): a network failure, a 429
 * (after its Retry-After) and a 5xx are retried with exponential backoff up to `maxAttempts`;
 * anything else fails at once. Every attempt is a row of the delivery log.
 */
import { decideRetry } from '../lib/retry-decision.ts';
import type { DeliverableChannel } from './alert-channels.ts';
import type { AlertOutbox, AttemptRecord, OutboxAlert } from './alert-outbox.ts';
import { noteBody } from './alert-payload.ts';
import { ALERT_ID_HEADER, ALERT_SIGNATURE_HEADER, ALERT_TIMESTAMP_HEADER, signAlert } from './alert-signing.ts';

/** What a channel's receiver answered; never throws. */
export interface DeliveryAnswer {
  /** HTTP status, or null when no answer arrived. */
  status: number | null;
  retryAfter: string | null;
  /** Short: the receiver's reason or the network error; never a secret. */
  text: string;
}

/** Adds a private (internal) note to a ticket of the tenant's Zendesk. */
export type NoteSender = (tenant: string, ticketId: string, body: string) => Promise<DeliveryAnswer>;

export interface AlertDeliveryOptions {
  /** Alerts taken per run. @defaultValue 100 */
  batchSize?: number;
  /** Attempts before an alert is given up as failed. @defaultValue 8 */
  maxAttempts?: number;
  /** Wait after the first failed attempt, doubled after each. @defaultValue 30_000 ms */
  baseBackoffMs?: number;
  /** @defaultValue 3_600_000 ms */
  maxBackoffMs?: number;
  /** How long a taken alert is left to its deliverer before another may take it. @defaultValue 120_000 ms */
  leaseMs?: number;
  /** Per request. @defaultValue 10_000 ms */
  timeoutMs?: number;
  /** @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
  /** @defaultValue () => new Date() */
  now?: () => Date;
}

export const DEFAULT_ALERT_DELIVERY = {
  batchSize: 100,
  maxAttempts: 8,
  baseBackoffMs: 30_000,
  maxBackoffMs: 3_600_000,
  leaseMs: 120_000,
  timeoutMs: 10_000,
} as const;

type Options = Required<Omit<AlertDeliveryOptions, 'fetch'>> & Pick<AlertDeliveryOptions, 'fetch'>;

export const resolveDeliveryOptions = (options: AlertDeliveryOptions = {}): Options => ({
  ...DEFAULT_ALERT_DELIVERY,
  now: () => new Date(),
  ...options,
});

/** The wait after the `attempt`-th failed attempt (1-based): base, 2 base, 4 base, ... at most max. */
export const backoffMs = (attempt: number, base: number, max: number) => Math.min(max, base * 2 ** (attempt - 1));

export interface DeliveryDeps {
  outbox: AlertOutbox;
  /** The tenant's channels with their secrets. */
  channels: (tenant: string) => Promise<DeliverableChannel[]>;
  note?: NoteSender;
}

export interface DeliveryResult {
  alert: OutboxAlert;
  record: AttemptRecord;
}

/** Sends what is due once; one alert's failure does not stop the others. */
export async function deliverDueAlerts(
  deps: DeliveryDeps,
  options: AlertDeliveryOptions = {},
): Promise<DeliveryResult[]> {
  const o = resolveDeliveryOptions(options);
  const due = await deps.outbox.claim(o.now(), o.batchSize, o.leaseMs);
  const channelsOf = new Map<string, DeliverableChannel[]>();
  const out: DeliveryResult[] = [];
  for (const alert of due) {
    let channels = channelsOf.get(alert.tenant);
    if (!channels) channelsOf.set(alert.tenant, (channels = await deps.channels(alert.tenant)));
    out.push(
      await attempt(
        deps,
        alert,
        channels.find((c) => c.kind === alert.channel),
        o,
      ),
    );
  }
  return out;
}

/** One attempt of one alert, recorded in the outbox and the delivery log. */
export async function attempt(
  deps: DeliveryDeps,
  alert: OutboxAlert,
  channel: DeliverableChannel | undefined,
  o: Options,
): Promise<DeliveryResult> {
  const answer = await send(deps, alert, channel, o);
  const now = o.now();
  const decision = decideRetry({ status: answer.status, retryAfter: answer.retryAfter, now: now.getTime() });
  const tried = alert.attempts + 1;
  const short = `${answer.status === null ? 'no answer' : `HTTP ${answer.status}`}: ${answer.text}`;
  let record: AttemptRecord;
  // decideRetry counts any status below 400 as done; a redirect (not followed) is not a delivery.
  const delivered = answer.status !== null && answer.status >= 200 && answer.status < 300;
  if (delivered) record = { outcome: 'sent', status: answer.status, answer: short };
  else if (decision.retry && tried < o.maxAttempts) {
    const wait = decision.wait ?? backoffMs(tried, o.baseBackoffMs, o.maxBackoffMs);
    record = {
      outcome: 'retrying',
      nextAt: new Date(now.getTime() + wait),
      status: answer.status,
      answer: `${short} (${decision.reason}; next attempt in ${Math.ceil(wait / 1000)} s)`,
    };
  } else {
    const reason = decision.reason === 'ok' ? 'not delivered (redirects are not followed)' : decision.reason;
    const why = decision.retry ? `gave up after ${tried} attempts` : reason;
    record = { outcome: 'failed', status: answer.status, answer: `${short} (${why})` };
  }
  await deps.outbox.settle(alert, record, now);
  return { alert, record };
}

async function send(
  deps: DeliveryDeps,
  alert: OutboxAlert,
  channel: DeliverableChannel | undefined,
  o: Options,
): Promise<DeliveryAnswer> {
  // A 4xx-like answer of our own: not retried, and the log says why.
  const refuse = (text: string): DeliveryAnswer => ({ status: 422, retryAfter: null, text });
  if (!channel) return refuse('the channel was removed');
  if (!channel.enabled && !alert.test) return refuse('the channel is disabled');
  if (alert.channel === 'zendesk_note') {
    if (!deps.note) return refuse('this process cannot reach Zendesk');
    if (!alert.ticket_id) return refuse('the warning names no related Zendesk ticket');
    return deps.note(alert.tenant, alert.ticket_id, noteBody(alert.payload));
  }
  return postWebhook(channel.url!, channel.secret!, alert, o);
}

async function postWebhook(url: string, secret: string, alert: OutboxAlert, o: Options): Promise<DeliveryAnswer> {
  const body = JSON.stringify(alert.payload);
  const timestamp = o.now().toISOString();
  try {
    const res = await (o.fetch ?? fetch)(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Standing-Alerts/1',
        [ALERT_ID_HEADER]: alert.alert_key,
        [ALERT_TIMESTAMP_HEADER]: timestamp,
        [ALERT_SIGNATURE_HEADER]: signAlert(secret, timestamp, body),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(o.timeoutMs),
    });
    const text = (await res.text().catch(() => '')).replace(/\s+/g, ' ').trim().slice(0, 120);
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      text: text || res.statusText || 'no body',
    };
  } catch (err) {
    const e = err as Error;
    return { status: null, retryAfter: null, text: e.name === 'TimeoutError' ? 'timed out' : e.message.slice(0, 120) };
  }
}
