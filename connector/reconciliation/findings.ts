/**
 * Comparing what a provider says now with what the log says (pure). A record whose status differs
 * from the log's latest status from the same source becomes a `status_observed` finding, with the
 * source's own timestamp, a deterministic source event id and the window in which the change
 * happened (the race rule: transition-matching.ts).
 */
import {
  parseStandingEvent,
  type FieldProblem,
  type NewStandingEvent,
  type NewStandingEventInput,
} from '../model/standing-event.ts';
import type { TransitionWindow } from '../store/transition-matching.ts';
import type { LoggedStatus } from './reconciliation-store.ts';

export interface FindingOptions {
  /**
   * How far back a found change may have happened before the record's timestamp: bounds its window,
   * so only a live event that could still arrive late (Zendesk retries, CDC's 72 h retention) is
   * taken for the same change.
   * @defaultValue 72 h
   */
  lookbackMs?: number;
  /** Clock skew allowed between a record's timestamp and a live event's time. @defaultValue 5 s */
  toleranceMs?: number;
}

export const DEFAULT_FINDING_OPTIONS = { lookbackMs: 72 * 3600_000, toleranceMs: 5_000 } as const;

/** Who and where a record is: built only for records that disagree with the log (most do not). */
export interface ObservedSubject {
  customer: NewStandingEventInput['customer'];
  account?: NewStandingEventInput['account'];
  source: Omit<NewStandingEventInput['source'], 'event_id'>;
  evidence?: Record<string, unknown>;
}

/** A provider record's current status, as the mapping reads it. */
export interface ObservedState {
  /** Caller's key (the provider id), the one `latestStatuses` answered by. */
  key: string;
  status: NonNullable<NewStandingEventInput['status']['after']>;
  reasonCode?: string;
  temporary: boolean;
  /** The record's own last-modified time (ISO-8601). */
  observedAt: string;
  describe(): ObservedSubject;
}

/**
 * Findings for a page, given the store's disagreements (key -> the log's latest or null; absent keys
 * agree with the log and cost nothing more).
 */
export function findingsOf(
  tenant: string,
  states: readonly ObservedState[],
  disagreements: ReadonlyMap<string, LoggedStatus | null>,
  options: FindingOptions = {},
) {
  const differing = states.filter((s) => disagreements.has(s.key));
  const logged = new Map<string, LoggedStatus>();
  for (const [k, v] of disagreements) if (v) logged.set(k, v);
  return compareStates(tenant, differing, logged, options);
}

export interface Finding {
  event: NewStandingEvent;
  window: TransitionWindow;
}

/**
 * `reconciliation:<object>:<id>:<status>:<record timestamp>`: the same record state found again
 * (a page read twice after a crash, a backfill over a scheduled run) is the same source event.
 */
export const observationEventId = (object: string, id: string, status: string, observedAt: string) =>
  `reconciliation:${object}:${id}:${status}:${new Date(observedAt).toISOString()}`;

/**
 * Findings for states that disagree with the log. A record never seen in the log that is `active`
 * is the normal case and yields nothing; a state older than the log's latest entry yields nothing
 * either (the log already knows something newer).
 */
export function compareStates(
  tenant: string,
  states: readonly ObservedState[],
  logged: ReadonlyMap<string, LoggedStatus>,
  options: FindingOptions = {},
): { findings: Finding[]; problems: { key: string; problems: FieldProblem[] }[] } {
  const o = { ...DEFAULT_FINDING_OPTIONS, ...options };
  const findings: Finding[] = [];
  const problems: { key: string; problems: FieldProblem[] }[] = [];
  for (const s of states) {
    const latest = logged.get(s.key);
    if (latest ? latest.status === s.status : s.status === 'active') continue;
    const at = Date.parse(s.observedAt);
    if (Number.isNaN(at)) {
      problems.push({ key: s.key, problems: [{ path: 'updated_at', message: 'not a date' }] });
      continue;
    }
    if (latest && at <= Date.parse(latest.occurred_at)) continue;
    const from = Math.max(at - o.lookbackMs, latest ? Date.parse(latest.occurred_at) + 1 : -Infinity);
    const d = s.describe();
    const input: NewStandingEventInput = {
      tenant,
      kind: 'status_observed',
      // The source says what the status is, not what it was: the log's own latest is in the evidence.
      status: { before: null, after: s.status },
      initiation: { type: 'unknown', temporary: s.temporary },
      ...(s.reasonCode ? { reason: { code: s.reasonCode } } : {}),
      actor: { type: 'unknown' },
      source: {
        ...d.source,
        event_id: observationEventId(d.source.object, String(d.source.id), s.status, s.observedAt),
      },
      detected_via: 'reconciliation',
      customer: d.customer,
      ...(d.account ? { account: d.account } : {}),
      occurred_at: new Date(at).toISOString(),
      evidence: { ...d.evidence, found_by: 'reconciliation', log_status_before: latest?.status ?? null },
    };
    const parsed = parseStandingEvent(input);
    if (!parsed.ok) {
      problems.push({ key: s.key, problems: parsed.problems });
      continue;
    }
    findings.push({
      event: parsed.value,
      window: { from: new Date(from).toISOString(), to: new Date(at + o.toleranceMs).toISOString() },
    });
  }
  return { findings, problems };
}
