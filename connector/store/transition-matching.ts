/**
 * The race rule between reconciliation and the live intakes (webhooks, change events, Outbound
 * Messages): a status change must end as ONE log entry whichever of them records it first. The
 * live intakes' event ids (Zendesk's UUIDs, `cdc:<transactionKey>:...`) cannot be derived from an
 * export or a history row, so the source event id alone cannot make them meet. The rule, applied by
 * StandingLog.append under the tenant's chain-head lock (so it is atomic with the write):
 *
 * 1. A reconciliation finding about subject X reaching status S comes with a window [from, to]: the
 *    span in which the change happened (for a Zendesk state, after the log's latest entry and at the
 *    latest by the record's `updated_at`; for a Salesforce history row, its `CreatedDate` give or take
 *    a tolerance). If the log already holds an entry of X with status S inside that window, the
 *    finding is a duplicate of it and is not written.
 * 2. Otherwise it is written, and a claim (X, S, window) is recorded next to it.
 * 3. A live event of X with status S whose `occurred_at` falls inside an open claim's window is the
 *    same transition: it is reported as a duplicate of the reconciliation entry (`same_transition`),
 *    not written, and the claim is closed, so a second, later change to S is an entry of its own.
 */
import type { SqlClient } from './database.ts';
import { loadSql } from './sql.ts';

const SQL = {
  findClaims: loadSql('transition-claims-find'),
  findExisting: loadSql('transition-existing'),
  record: loadSql('transition-claims-record'),
};

/** How far a reconciliation finding's time may be from the live event's, when no window is given. @defaultValue 5 s */
export const DEFAULT_TRANSITION_TOLERANCE_MS = 5_000;

/** The span (ISO-8601 instants, inclusive) in which a reconciled change happened. */
export interface TransitionWindow {
  from: string;
  to: string;
}

/** One event of a batch as the rule sees it (only events that carry a status take part). */
export interface TransitionCandidate {
  /** Index in the batch. */
  i: number;
  tenant: string;
  subject_id: string;
  status_after: string;
  /** ISO-8601 UTC. */
  occurred_at: string;
  /** Found by reconciliation (rule 1 and 2) or live (rule 3). */
  reconciled: boolean;
  /** For a reconciled event: its window; `occurred_at` ± the tolerance when absent. */
  window?: TransitionWindow;
}

export interface TransitionMatch {
  seq: number;
  id: string;
  source_event_id: string;
  /** `live_first`: a finding that a live event had already recorded; `reconciled_first`: the reverse. */
  order: 'live_first' | 'reconciled_first';
}

export interface TransitionPlan {
  /** Events not to write, by batch index. */
  matches: Map<number, TransitionMatch>;
  /** Windows of the reconciled events that will be written, by batch index. */
  windows: Map<number, TransitionWindow>;
}

export function windowOf(c: TransitionCandidate, toleranceMs: number): TransitionWindow {
  if (c.window) return c.window;
  const t = Date.parse(c.occurred_at);
  return { from: new Date(t - toleranceMs).toISOString(), to: new Date(t + toleranceMs).toISOString() };
}

/** Rules 1 and 3: which events of a batch are transitions already in the log. Two queries at most. */
export async function planTransitions(
  tx: SqlClient,
  candidates: readonly TransitionCandidate[],
  toleranceMs = DEFAULT_TRANSITION_TOLERANCE_MS,
): Promise<TransitionPlan> {
  const matches = new Map<number, TransitionMatch>();
  const windows = new Map<number, TransitionWindow>();
  const live = candidates.filter((c) => !c.reconciled);
  const found = candidates.filter((c) => c.reconciled);
  for (const c of found) windows.set(c.i, windowOf(c, toleranceMs));
  type Hit = { i: number; seq: number; id: string; source_event_id: string };
  if (found.length > 0) {
    const rows = await tx.query<Hit>(SQL.findExisting, [
      JSON.stringify(
        found.map((c) => ({
          i: c.i,
          tenant: c.tenant,
          subject_id: c.subject_id,
          status_after: c.status_after,
          window_from: windows.get(c.i)!.from,
          window_to: windows.get(c.i)!.to,
        })),
      ),
    ]);
    for (const r of rows) {
      matches.set(r.i, { seq: Number(r.seq), id: r.id, source_event_id: r.source_event_id, order: 'live_first' });
      windows.delete(r.i);
    }
  }
  if (live.length > 0) {
    const rows = await tx.query<Hit>(SQL.findClaims, [
      JSON.stringify(
        live.map((c) => ({
          i: c.i,
          tenant: c.tenant,
          subject_id: c.subject_id,
          status_after: c.status_after,
          occurred_at: c.occurred_at,
        })),
      ),
    ]);
    // Each claim stands for one change: it matches one live event, the batch's first.
    const taken = new Set<string>();
    for (const r of rows) {
      const c = candidates.find((x) => x.i === r.i)!;
      const claim = `${c.tenant}\u0000${r.seq}`;
      if (matches.has(r.i) || taken.has(claim)) continue;
      taken.add(claim);
      matches.set(r.i, { seq: Number(r.seq), id: r.id, source_event_id: r.source_event_id, order: 'reconciled_first' });
    }
  }
  return { matches, windows };
}

/** Rule 2 and the closing of matched claims, after the batch's rows are inserted. */
export async function recordTransitions(
  tx: SqlClient,
  added: readonly { tenant: string; seq: number; subject_id: string; status_after: string; window: TransitionWindow }[],
  matched: readonly { tenant: string; seq: number; source_event_id: string }[],
): Promise<void> {
  if (added.length === 0 && matched.length === 0) return;
  await tx.query(SQL.record, [
    JSON.stringify(
      added.map((a) => ({
        tenant: a.tenant,
        seq: a.seq,
        subject_id: a.subject_id,
        status_after: a.status_after,
        window_from: a.window.from,
        window_to: a.window.to,
      })),
    ),
    JSON.stringify(matched),
  ]);
}
