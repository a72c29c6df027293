/**
 * The durable side of alerting (migration 020): the scan cursor per tenant, the outbox (one row per
 * alert and channel, so at most one alert per warning and channel), and the delivery log.
 */
import type { SqlClient } from '../store/database.ts';
import { loadSql } from '../store/sql.ts';
import type { AlertChannelKind, AlertPayload } from './alert-payload.ts';

const SQL = {
  cursorInit: loadSql('alert-cursor-init'),
  cursorAdvance: loadSql('alert-cursor-advance'),
  enqueue: loadSql('alert-outbox-enqueue'),
  claim: loadSql('alert-outbox-claim'),
  settle: loadSql('alert-outbox-settle'),
  deliveries: loadSql('alert-deliveries-page'),
  prune: loadSql('alert-prune'),
};

export interface OutboxAlert {
  tenant: string;
  alert_key: string;
  channel: AlertChannelKind;
  code: string;
  payload: AlertPayload;
  ticket_id: string | null;
  test: boolean;
  /** Attempts made before this one. */
  attempts: number;
}

export type AttemptOutcome = 'sent' | 'retrying' | 'failed';

export interface AttemptRecord {
  outcome: AttemptOutcome;
  /** When to try again (`retrying` only). */
  nextAt?: Date;
  status: number | null;
  /** Short, for the admin: the status and the receiver's reason; never a secret or the body sent. */
  answer: string;
}

/** One row of the delivery log (the admin page's list). */
export interface AlertDelivery {
  id: number;
  alert_key: string;
  channel: AlertChannelKind;
  code: string;
  attempt: number;
  outcome: AttemptOutcome;
  status: number | null;
  answer: string;
  test: boolean;
  at: string;
}

export class AlertOutbox {
  constructor(private readonly db: SqlClient) {}

  /** The tenant's scan cursor, made at the head of its log on first use. */
  async cursor(tenant: string): Promise<number> {
    const [row] = await this.db.query<{ last_seq: string | number }>(SQL.cursorInit, [tenant]);
    return Number(row!.last_seq);
  }

  /** Compare-and-set; false when another scan moved it first. */
  async advance(tenant: string, from: number, to: number): Promise<boolean> {
    return (await this.db.query(SQL.cursorAdvance, [tenant, from, to])).length === 1;
  }

  /** Adds the alert for one channel; false when it was there already (the same warning scanned again). */
  async enqueue(a: Omit<OutboxAlert, 'attempts' | 'code'>, now: Date, due: Date = now): Promise<boolean> {
    const added = await this.db.query(SQL.enqueue, [
      a.tenant,
      a.alert_key,
      a.channel,
      a.payload.code,
      JSON.stringify(a.payload),
      a.ticket_id,
      a.test,
      now.toISOString(),
      due.toISOString(),
    ]);
    return added.length === 1;
  }

  /** Due alerts, each leased for `leaseMs` (tried again after it if this deliverer dies). */
  async claim(now: Date, limit: number, leaseMs: number, tenant: string | null = null): Promise<OutboxAlert[]> {
    const rows = await this.db.query<OutboxAlert>(SQL.claim, [now.toISOString(), limit, leaseMs, tenant]);
    return rows.map((r) => ({ ...r, attempts: Number(r.attempts) }));
  }

  /** Records an attempt; false when the alert was no longer pending. */
  async settle(a: OutboxAlert, r: AttemptRecord, now: Date): Promise<boolean> {
    const state = r.outcome === 'retrying' ? 'pending' : r.outcome;
    const done = await this.db.query(SQL.settle, [
      a.tenant,
      a.alert_key,
      a.channel,
      state,
      r.nextAt?.toISOString() ?? null,
      r.status,
      r.answer.slice(0, 300),
      now.toISOString(),
      r.outcome,
    ]);
    return done.length === 1;
  }

  /** Forgets delivery log rows and settled alerts from before `cut`. */
  async prune(cut: Date): Promise<{ deliveries: number; alerts: number }> {
    const [row] = await this.db.query<{ deliveries: number; alerts: number }>(SQL.prune, [cut.toISOString()]);
    return row ?? { deliveries: 0, alerts: 0 };
  }

  async deliveries(tenant: string, limit: number, beforeId: number | null = null): Promise<AlertDelivery[]> {
    const rows = await this.db.query<Omit<AlertDelivery, 'at' | 'id'> & { id: string | number; at: Date }>(
      SQL.deliveries,
      [tenant, beforeId, limit],
    );
    return rows.map((r) => ({ ...r, id: Number(r.id), at: new Date(r.at).toISOString() }));
  }
}
