/**
 * Where each tenant's streaming subscriptions resume: the replay id of the last message per
 * channel whose event is durable, and the gaps (replay ids Salesforce no longer retains) to
 * reconcile. Tables from migration 006.
 */
import type { Database } from '../connector/store/database.ts';

export interface ReplayGap {
  tenant: string;
  channel: string;
  /** The stored replay id Salesforce refused. */
  fromReplayId: number;
  detectedAt: string;
  /** Salesforce's error text. */
  reason: string;
}

export interface ReplayStore {
  /** The stored replay id per channel of the tenant (channels never stored are absent). */
  load(tenant: string, channels: readonly string[]): Promise<Map<string, number>>;
  save(tenant: string, channel: string, replayId: number): Promise<void>;
  /** Records a gap and sets the channel's position to `resumeFrom` (-2) in one transaction. */
  recordGap(gap: Omit<ReplayGap, 'detectedAt'>, resumeFrom: number): Promise<void>;
  /** Gaps not yet reconciled, oldest first. */
  openGaps(tenant: string): Promise<ReplayGap[]>;
}

const SQL = {
  load: 'SELECT channel, replay_id FROM salesforce_replay WHERE tenant = $1 AND channel = ANY($2::text[])',
  save: `INSERT INTO salesforce_replay (tenant, channel, replay_id) VALUES ($1, $2, $3)
         ON CONFLICT (tenant, channel) DO UPDATE SET replay_id = EXCLUDED.replay_id, updated_at = now()`,
  gap: 'INSERT INTO salesforce_gaps (tenant, channel, from_replay_id, reason) VALUES ($1, $2, $3, $4)',
  openGaps: `SELECT tenant, channel, from_replay_id, detected_at, reason FROM salesforce_gaps
             WHERE tenant = $1 AND reconciled_at IS NULL ORDER BY detected_at, id`,
};

export class PgReplayStore implements ReplayStore {
  constructor(private readonly db: Database) {}

  async load(tenant: string, channels: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.db.query<{ channel: string; replay_id: string | number }>(SQL.load, [tenant, channels]);
    return new Map(rows.map((r) => [r.channel, Number(r.replay_id)]));
  }

  async save(tenant: string, channel: string, replayId: number): Promise<void> {
    await this.db.query(SQL.save, [tenant, channel, replayId]);
  }

  async recordGap(gap: Omit<ReplayGap, 'detectedAt'>, resumeFrom: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(SQL.gap, [gap.tenant, gap.channel, gap.fromReplayId, gap.reason.slice(0, 1000)]);
      await tx.query(SQL.save, [gap.tenant, gap.channel, resumeFrom]);
    });
  }

  async openGaps(tenant: string): Promise<ReplayGap[]> {
    const rows = await this.db.query<{
      tenant: string;
      channel: string;
      from_replay_id: string | number;
      detected_at: Date | string;
      reason: string;
    }>(SQL.openGaps, [tenant]);
    return rows.map((r) => ({
      tenant: r.tenant,
      channel: r.channel,
      fromReplayId: Number(r.from_replay_id),
      detectedAt: (r.detected_at instanceof Date ? r.detected_at : new Date(r.detected_at)).toISOString(),
      reason: r.reason,
    }));
  }
}
