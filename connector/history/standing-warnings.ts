/**
 * Warnings no helpdesk shows today, computed from a customer's history. Pure: the same events and
 * settings always give the same warnings, so every client of the history API shows the same ones.
 *
 * - `reinstatement_without_approval`: a reinstatement with no approval recorded for it (on the
 *   event itself, or a `reinstatement_approved` step of the same subject since the deactivation it
 *   undoes, or on one of its tickets before it).
 * - `reactivation_after_fraud`: a reinstatement soon after a deactivation whose reason code is a
 *   fraud code.
 * - `repeated_cycles`: at least `min_cycles` deactivation-then-reinstatement cycles within any
 *   `window_days`.
 * - `suspension_without_reason`: a deactivation with no reason code recorded (nobody can later tell
 *   whether its reinstatement needed an approval, or whether it was about fraud).
 * Thresholds are the tenant's (`WarningSettings`, defaults below).
 */
import { WarningSettings, type StandingEvent, type StandingWarning } from '../contracts/index.ts';

// The thresholds are part of the HTTP contract (the admin page edits them): re-exported for the
// modules that read them with the warnings.
export { WarningSettings, type StandingWarning };
export const DEFAULT_WARNING_SETTINGS: WarningSettings = WarningSettings.parse({});

type Ev = Pick<
  StandingEvent,
  | 'id'
  | 'seq'
  | 'kind'
  | 'status'
  | 'reason'
  | 'approvals'
  | 'related_ticket_ids'
  | 'occurred_at'
  | 'about'
  | 'account'
  | 'customer'
>;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const time = (e: Ev) => Date.parse(e.occurred_at);
const chronological = (a: Ev, b: Ev) => time(a) - time(b) || a.seq - b.seq;
const isReinstatement = (e: Ev) =>
  e.kind === 'reinstatement' ||
  (e.kind === 'status_observed' &&
    e.status.after === 'active' &&
    e.status.before !== null &&
    e.status.before !== 'active');
const isDeactivation = (e: Ev) => e.kind === 'deactivation';
const approvedInline = (e: Ev) => (e.approvals ?? []).some((a) => a.decision === 'approved');

/** The subject an event is about: the person, or one account by its first known identity. */
function subjectKey(e: Ev): string {
  if (e.about === 'person') return 'person';
  const org = e.account?.zendesk_organization_id ?? e.customer?.zendesk_organization_id;
  const sf = e.account?.salesforce_account_id ?? e.customer?.salesforce_account_id;
  return `account:${org ?? sf ?? ''}`;
}

export function standingWarnings(
  events: readonly Ev[],
  settings: WarningSettings = DEFAULT_WARNING_SETTINGS,
): StandingWarning[] {
  const bySubject = new Map<string, Ev[]>();
  for (const e of events) {
    const k = subjectKey(e);
    const list = bySubject.get(k);
    if (list) list.push(e);
    else bySubject.set(k, [e]);
  }
  const warnings: StandingWarning[] = [];
  for (const list of bySubject.values()) warnings.push(...subjectWarnings([...list].sort(chronological), settings));
  return warnings.sort(
    (a, b) => (a.event_ids[0] ?? '').localeCompare(b.event_ids[0] ?? '') || a.code.localeCompare(b.code),
  );
}

function subjectWarnings(events: Ev[], s: WarningSettings): StandingWarning[] {
  const out: StandingWarning[] = [];
  const cycles: Ev[] = [];
  let lastDeactivation: Ev | null = null;
  let approvalSinceDeactivation = false;
  const approvedTickets = new Set<string>();
  for (const e of events) {
    if (e.kind === 'reinstatement_approved' || (e.kind !== 'reinstatement' && approvedInline(e))) {
      approvalSinceDeactivation = true;
      for (const t of e.related_ticket_ids) approvedTickets.add(t);
    }
    if (isDeactivation(e)) {
      if (s.missing_reason.enabled && !e.reason?.code) out.push(missingReason(e));
      lastDeactivation = e;
      approvalSinceDeactivation = false;
      continue;
    }
    if (!isReinstatement(e)) continue;
    const undoes = lastDeactivation;
    if (undoes) cycles.push(e);
    const code = undoes?.reason?.code;
    const approved =
      approvedInline(e) || approvalSinceDeactivation || e.related_ticket_ids.some((t) => approvedTickets.has(t));
    const exempt = code !== undefined && s.unapproved_reinstatement.exempt_reason_codes.includes(code);
    if (s.unapproved_reinstatement.enabled && !approved && !exempt) {
      out.push({
        code: 'reinstatement_without_approval',
        about: e.about,
        event_ids: [e.id],
        details: {},
        message: 'Reinstated with no recorded approval.',
      });
    }
    if (
      s.fraud_reactivation.enabled &&
      undoes &&
      code !== undefined &&
      s.fraud_reactivation.reason_codes.includes(code)
    ) {
      const hours = (time(e) - time(undoes)) / HOUR;
      if (hours >= 0 && hours <= s.fraud_reactivation.window_hours) {
        const rounded = Math.max(1, Math.round(hours));
        out.push({
          code: 'reactivation_after_fraud',
          about: e.about,
          event_ids: [e.id, undoes.id],
          details: { hours: rounded, window_hours: s.fraud_reactivation.window_hours, reason_code: code },
          message:
            `Reactivated ${rounded} h after a suspension for ${code} (window ` +
            `${s.fraud_reactivation.window_hours} h).`,
        });
      }
    }
    lastDeactivation = null;
    approvalSinceDeactivation = false;
  }
  const burst = s.repeated_cycles.enabled ? densestWindow(cycles, s.repeated_cycles.window_days * DAY) : [];
  if (burst.length >= s.repeated_cycles.min_cycles) {
    const first = burst[0]!;
    out.push({
      code: 'repeated_cycles',
      about: first.about,
      event_ids: burst.map((e) => e.id).reverse(),
      details: { cycles: burst.length, window_days: s.repeated_cycles.window_days },
      message: `${burst.length} suspend/reinstate cycles within ${s.repeated_cycles.window_days} days.`,
    });
  }
  return out;
}

function missingReason(e: Ev): StandingWarning {
  return {
    code: 'suspension_without_reason',
    about: e.about,
    event_ids: [e.id],
    details: {},
    message: 'Suspended with no reason recorded.',
  };
}

/** The largest run of chronologically sorted events that fits in `spanMs` (the earliest such run). */
function densestWindow(sorted: readonly Ev[], spanMs: number): Ev[] {
  let best: [number, number] = [0, 0];
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (time(sorted[end]!) - time(sorted[start]!) > spanMs) start++;
    if (end + 1 - start > best[1] - best[0]) best = [start, end + 1];
  }
  return sorted.slice(best[0], best[1]);
}
