/**
 * The SIEM push: for each enabled Splunk HEC target, the log rows after its cursor go to Splunk in
 * batches, and the cursor moves only once HEC answered success for the batch. At-least-once: a crash
 * (or a lost answer) between the send and the cursor update sends that one batch again, so every
 * event carries `seq` and `id` for Splunk-side deduplication. A failed batch stops that tenant's
 * push until the next run (or until Splunk's Retry-After has passed), keeping the order.
 */
import type { StandingLog } from '../store/standing-log.ts';
import { siemEvents, type SiemEvent } from './siem-events.ts';
import { decideHecRetry, sendHecBatch, type HecRetryDecision, type HecSendOptions } from './splunk-hec.ts';
import type { SplunkTargets } from './splunk-targets.ts';

export interface SiemPushOptions {
  /** Events per HEC request. @defaultValue 100 */
  batchSize?: number;
  /** Most batches per tenant per run (the next run goes on). @defaultValue 50 */
  maxBatches?: number;
  /** @defaultValue () => new Date() */
  now?: () => Date;
  /** How batches are sent (timeout, fetch). */
  send?: HecSendOptions;
}

export const DEFAULT_SIEM_PUSH = { batchSize: 100, maxBatches: 50 } as const;

export type SiemPushOutcome<Reason extends string = HecRetryDecision['reason']> =
  | { tenant: string; status: 'sent'; events: number; batches: number; last_seq: number }
  | { tenant: string; status: 'up_to_date'; last_seq: number }
  /** Another pusher moved the cursor meanwhile: this run stops for the tenant. */
  | { tenant: string; status: 'raced'; events: number; last_seq: number }
  | {
      tenant: string;
      status: 'failed';
      events: number;
      last_seq: number;
      reason: Reason;
      retry: boolean;
      wait_ms: number | null;
      error: string;
    };

/** A SIEM target as the push loop needs it: whose, from where, with or without personal data. */
export interface PushTarget {
  tenant: string;
  last_seq: number;
  include_personal_data: boolean;
}

/** Where the push loop keeps each target's cursor (splunk-targets.ts, loggly-targets.ts). */
export interface PushTargetStore<T extends PushTarget> {
  due(now: Date): Promise<T[]>;
  advance(tenant: string, from: number, to: number): Promise<boolean>;
  recordFailure(tenant: string, error: string, waitMs: number | null): Promise<void>;
}

/** Sends one batch to one target; `reason: 'ok'` when it was accepted. Never throws. */
export type BatchSender<T, Reason extends string> = (
  target: T,
  batch: readonly SiemEvent[],
  now: number,
) => Promise<{ decision: { retry: boolean; reason: Reason | 'ok'; wait: number | null }; error: string }>;

/** Pushes every due Splunk target once; one tenant's failure does not stop the others. */
export function pushSiemTargets(
  log: StandingLog,
  targets: SplunkTargets,
  options: SiemPushOptions = {},
): Promise<SiemPushOutcome[]> {
  return pushTargets(
    log,
    targets,
    async (t, batch, now) => {
      const answer = await sendHecBatch(t, t.token, batch, options.send);
      const decision = decideHecRetry(answer, now);
      const httpPart = answer.status === null ? '' : `HTTP ${answer.status}, `;
      const codePart = answer.code === null ? '' : `code ${answer.code}, `;
      return { decision, error: `${decision.reason}: ${httpPart}${codePart}${answer.text}` };
    },
    options,
  );
}

/** The push loop every SIEM target shares: batches after the cursor, the cursor moved only after success. */
export async function pushTargets<T extends PushTarget, Reason extends string>(
  log: StandingLog,
  targets: PushTargetStore<T>,
  send: BatchSender<T, Reason>,
  options: Omit<SiemPushOptions, 'send'> = {},
): Promise<SiemPushOutcome<Reason>[]> {
  const o = { ...DEFAULT_SIEM_PUSH, ...options };
  const now = o.now ?? (() => new Date());
  const out: SiemPushOutcome<Reason>[] = [];
  for (const t of await targets.due(now())) {
    let cursor = t.last_seq;
    let sent = 0;
    let batches = 0;
    let outcome: SiemPushOutcome<Reason> | null = null;
    while (batches < o.maxBatches && outcome === null) {
      const batch: SiemEvent[] = [];
      for await (const e of siemEvents(log, t.tenant, {
        afterSeq: cursor,
        limit: o.batchSize,
        personalData: t.include_personal_data,
        pageSize: o.batchSize,
      }))
        batch.push(e);
      if (batch.length === 0) break;
      const { decision, error } = await send(t, batch, now().getTime());
      if (decision.reason !== 'ok') {
        await targets.recordFailure(t.tenant, error, decision.wait);
        outcome = {
          tenant: t.tenant,
          status: 'failed',
          events: sent,
          last_seq: cursor,
          reason: decision.reason as Reason,
          retry: decision.retry,
          wait_ms: decision.wait,
          error,
        };
        break;
      }
      const to = batch.at(-1)!.seq;
      if (!(await targets.advance(t.tenant, cursor, to))) {
        outcome = { tenant: t.tenant, status: 'raced', events: sent + batch.length, last_seq: cursor };
        break;
      }
      cursor = to;
      sent += batch.length;
      batches++;
      if (batch.length < o.batchSize) break;
    }
    out.push(
      outcome ??
        (sent === 0
          ? { tenant: t.tenant, status: 'up_to_date', last_seq: cursor }
          : { tenant: t.tenant, status: 'sent', events: sent, batches, last_seq: cursor }),
    );
  }
  return out;
}
