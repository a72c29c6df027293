/** Pure helpers of the sidebar: grouping workflow steps under their reinstatement, relative times. */
import type { Translate } from './i18n';
import type { StandingEvent } from '@standing/contracts';

export const STEP_KINDS = new Set([
  'reinstatement_requested',
  'verification_recorded',
  'reinstatement_approved',
  'reinstatement_denied',
]);

export interface TimelineEntry {
  event: StandingEvent;
  /** Workflow steps of a reinstatement, oldest first. */
  steps: StandingEvent[];
}

/**
 * Newest first. A reinstatement takes the workflow steps before it that share one of its tickets
 * (or, when it names none, the steps of the same subject since the previous deactivation).
 */
export function groupTimeline(events: readonly StandingEvent[]): TimelineEntry[] {
  const oldestFirst = [...events].sort((a, b) => a.occurred_at.localeCompare(b.occurred_at) || a.seq - b.seq);
  const taken = new Set<string>();
  const steps = new Map<string, StandingEvent[]>();
  const pending: StandingEvent[] = [];
  for (const e of oldestFirst) {
    if (e.kind === 'deactivation') {
      for (let i = pending.length - 1; i >= 0; i--)
        if (pending[i]!.about === e.about && pending[i]!.related_ticket_ids.length === 0) pending.splice(i, 1);
      continue;
    }
    if (STEP_KINDS.has(e.kind)) {
      pending.push(e);
      continue;
    }
    if (e.kind !== 'reinstatement') continue;
    const tickets = new Set(e.related_ticket_ids);
    const mine = pending.filter((s) =>
      tickets.size > 0
        ? s.related_ticket_ids.some((t) => tickets.has(t))
        : s.about === e.about && s.related_ticket_ids.length === 0,
    );
    for (const s of mine) {
      taken.add(s.id);
      pending.splice(pending.indexOf(s), 1);
    }
    steps.set(e.id, mine);
  }
  return [...oldestFirst]
    .reverse()
    .filter((e) => !taken.has(e.id))
    .map((event) => ({ event, steps: steps.get(event.id) ?? [] }));
}

export function relativeTime(t: Translate, iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return t('time.just_now');
  if (s < 3600) return t('time.minutes', { n: Math.floor(s / 60) });
  if (s < 86_400) return t('time.hours', { n: Math.floor(s / 3600) });
  if (s < 30 * 86_400) return t('time.days', { n: Math.floor(s / 86_400) });
  if (s < 365 * 86_400) return t('time.months', { n: Math.floor(s / (30 * 86_400)) });
  return t('time.years', { n: Math.floor(s / (365 * 86_400)) });
}

export function exactTime(iso: string, locale: string): string {
  try {
    return new Intl.DateTimeFormat(locale, {
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZone: 'UTC',
      timeZoneName: 'short',
    }).format(new Date(iso));
  } catch {
    return iso;
  }
}
