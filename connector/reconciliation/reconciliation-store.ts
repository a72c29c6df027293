/**
 * Checkpoints and run records of reconciliation (migration 008): where each tenant's stream of each
 * source stands, and what every run did. A checkpoint only moves after the page it covers is durable
 * in the log, so a run that stops anywhere resumes from its last durable page.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../store/database.ts';
import type { SourceName } from '../model/standing-event.ts';
import { loadSql } from '../store/sql.ts';

const SQL = {
  getCheckpoint: loadSql('reconciliation-checkpoint-get'),
  setCheckpoint: loadSql('reconciliation-checkpoint-set'),
  startRun: loadSql('reconciliation-run-start'),
  updateRun: loadSql('reconciliation-run-update'),
  listRuns: loadSql('reconciliation-runs-list'),
  latestStatus: loadSql('reconcile-latest-status'),
};

export type RunTrigger = 'schedule' | 'backfill';
/** `partial`: stopped on purpose before the end (quota share reached, page cap); the next run resumes. */
export type RunState = 'running' | 'completed' | 'partial' | 'failed';

export interface RunCounters {
  pages: number;
  records_read: number;
  events_appended: number;
  /**
   * Findings the log lacked or contradicted, each appended. What the log already holds (a history
   * row read again in the lookback, a repeated backfill, a change a live event recorded) is not drift.
   */
  drift_found: number;
  /** What went wrong or made the run stop: `{stream, message}`. No personal data. */
  errors: { stream: string; message: string }[];
}

export interface RunRecord extends RunCounters {
  id: string;
  tenant: string;
  source: SourceName;
  trigger: RunTrigger;
  state: RunState;
  started_at: string;
  ended_at: string | null;
}

export const emptyCounters = (): RunCounters => ({
  pages: 0,
  records_read: 0,
  events_appended: 0,
  drift_found: 0,
  errors: [],
});

/** A subject's latest status in the log, as reconciliation compares with it. */
export interface LoggedStatus {
  subject_id: string;
  status: string;
  occurred_at: string;
}

export class ReconciliationStore {
  constructor(readonly db: Database) {}

  async checkpoint<P>(tenant: string, source: SourceName, stream: string): Promise<P | null> {
    const [row] = await this.db.query<{ position: P }>(SQL.getCheckpoint, [tenant, source, stream]);
    return row ? row.position : null;
  }

  async setCheckpoint(tenant: string, source: SourceName, stream: string, position: unknown): Promise<void> {
    await this.db.query(SQL.setCheckpoint, [tenant, source, stream, JSON.stringify(position)]);
  }

  async startRun(tenant: string, source: SourceName, trigger: RunTrigger): Promise<string> {
    const id = randomUUID();
    await this.db.query(SQL.startRun, [id, tenant, source, trigger]);
    return id;
  }

  async updateRun(id: string, state: RunState, c: RunCounters): Promise<void> {
    await this.db.query(SQL.updateRun, [
      id,
      state,
      c.pages,
      c.records_read,
      c.events_appended,
      c.drift_found,
      JSON.stringify(c.errors),
    ]);
  }

  async listRuns(tenant: string, options: { limit?: number; source?: SourceName } = {}): Promise<RunRecord[]> {
    const rows = await this.db.query<RunRecord>(SQL.listRuns, [tenant, options.limit ?? 50, options.source ?? null]);
    return rows.map((r) => ({
      ...r,
      pages: Number(r.pages),
      records_read: Number(r.records_read),
      events_appended: Number(r.events_appended),
      drift_found: Number(r.drift_found),
    }));
  }

  /**
   * The records whose observed status disagrees with the log's latest status from `system` (one
   * query): key -> the log's latest, or null when the log has no status for it. Keys absent agree.
   */
  async disagreements(
    tenant: string,
    system: SourceName,
    items: readonly { k: string; digest: string; status: string }[],
  ): Promise<Map<string, LoggedStatus | null>> {
    if (items.length === 0) return new Map();
    const rows = await this.db.query<{
      k: string;
      subject_id: string | null;
      status_after: string | null;
      occurred_at: string | null;
    }>(SQL.latestStatus, [tenant, JSON.stringify(items), system]);
    return new Map(
      rows.map((r) => [
        r.k,
        r.subject_id && r.status_after && r.occurred_at
          ? { subject_id: r.subject_id, status: r.status_after, occurred_at: r.occurred_at }
          : null,
      ]),
    );
  }
}
