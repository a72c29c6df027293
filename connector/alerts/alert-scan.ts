/**
 * Turns new log rows into alerts: for each tenant with an enabled channel, the rows after its scan
 * cursor name the subjects they touched; each subject's recent history gives its warnings
 * (history/standing-warnings.ts, with the tenant's settings), and every warning that names one of
 * the new rows goes into the outbox once per channel that wants its code. The cursor moves after
 * the outbox rows are in, so a crash scans the rows again and the outbox's key drops the repeats:
 * at least once into the outbox, exactly one alert per (warning, channel).
 *
 * Reading the log rather than hooking the intake worker means every way into the log (webhooks,
 * reconciliation, backfills) alerts alike, and the intake stays as it is.
 */
import type { WarningSettings } from '../contracts/index.ts';
import { standingWarnings } from '../history/standing-warnings.ts';
import { toRecord, type ChainRow } from '../store/chain-row.ts';
import { decodeEvent, type StoredStandingEvent } from '../store/event-codec.ts';
import { loadSql } from '../store/sql.ts';
import type { StandingLog } from '../store/standing-log.ts';
import { wantsCode, type AlertChannels } from './alert-channels.ts';
import type { AlertOutbox } from './alert-outbox.ts';
import { alertPayload } from './alert-payload.ts';

const SQL = { page: loadSql('alert-scan-page'), subject: loadSql('alert-subject-events') };

export interface AlertScanOptions {
  /** Log rows read per tenant per run (the next run goes on). @defaultValue 1000 */
  maxRows?: number;
  /** A subject's newest events its warnings are computed from. @defaultValue 1000 */
  historyLimit?: number;
  /** @defaultValue () => new Date() */
  now?: () => Date;
}

export const DEFAULT_ALERT_SCAN = { maxRows: 1000, historyLimit: 1000 } as const;

export interface AlertScanDeps {
  log: StandingLog;
  channels: AlertChannels;
  outbox: AlertOutbox;
  /** The tenant's warning thresholds (history/app-settings.ts). */
  settings: (tenant: string) => Promise<WarningSettings>;
}

export interface AlertScanOutcome {
  tenant: string;
  scanned: number;
  /** Alerts added to the outbox, by channel and code. */
  queued: { channel: string; code: string }[];
  last_seq: number;
  raced: boolean;
}

interface SubjectRow extends ChainRow {
  subject_kind: 'person' | 'account';
  wrapped_key: Buffer | null;
}

export async function scanForAlerts(deps: AlertScanDeps, options: AlertScanOptions = {}): Promise<AlertScanOutcome[]> {
  const o = { ...DEFAULT_ALERT_SCAN, ...options };
  const now = o.now ?? (() => new Date());
  const out: AlertScanOutcome[] = [];
  for (const tenant of await deps.channels.tenantsWithChannels()) {
    const from = await deps.outbox.cursor(tenant);
    const rows = await deps.log.db.query<{ seq: string | number; id: string; subject_id: string }>(SQL.page, [
      tenant,
      from,
      o.maxRows,
    ]);
    const outcome: AlertScanOutcome = { tenant, scanned: rows.length, queued: [], last_seq: from, raced: false };
    out.push(outcome);
    if (rows.length === 0) continue;
    const fresh = new Set(rows.map((r) => r.id));
    const channels = (await deps.channels.deliverable(tenant)).filter((c) => c.enabled);
    const settings = await deps.settings(tenant);
    for (const subjectId of new Set(rows.map((r) => r.subject_id))) {
      const events = await subjectEvents(deps.log, tenant, subjectId, o.historyLimit);
      const byId = new Map(events.map((e) => [e.id, e]));
      for (const w of standingWarnings(events, settings)) {
        if (!w.event_ids.some((id) => fresh.has(id))) continue;
        const newest = byId.get(w.event_ids[0]!)!;
        const payload = alertPayload(tenant, w, {
          subject_id: subjectId,
          seq: Math.max(...w.event_ids.map((id) => byId.get(id)?.seq ?? 0)),
          occurred_at: newest.occurred_at,
        });
        for (const c of channels.filter((ch) => wantsCode(ch, w.code))) {
          const ticket = c.kind === 'zendesk_note' ? relatedTicket(w.event_ids, byId) : null;
          const added = await deps.outbox.enqueue(
            { tenant, alert_key: payload.id, channel: c.kind, payload, ticket_id: ticket, test: false },
            now(),
          );
          if (added) outcome.queued.push({ channel: c.kind, code: w.code });
        }
      }
    }
    const to = Number(rows.at(-1)!.seq);
    outcome.raced = !(await deps.outbox.advance(tenant, from, to));
    outcome.last_seq = outcome.raced ? from : to;
  }
  return out;
}

/** The first ticket the warning's events name, newest event first (a note needs one; none: it fails, logged). */
function relatedTicket(eventIds: readonly string[], byId: Map<string, StoredStandingEvent>): string | null {
  for (const id of eventIds) {
    const t = byId.get(id)?.related_ticket_ids[0];
    if (t) return t;
  }
  return null;
}

async function subjectEvents(
  log: StandingLog,
  tenant: string,
  subjectId: string,
  limit: number,
): Promise<StoredStandingEvent[]> {
  const rows = await log.db.query<SubjectRow>(SQL.subject, [tenant, subjectId, limit]);
  return rows.map((r) =>
    decodeEvent(toRecord(tenant, r), log.subjects.keyOf(tenant, r.subject_id, r.wrapped_key), r.subject_kind),
  );
}
