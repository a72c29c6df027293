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

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400],
  ['month', 30 * 86_400],
  ['day', 86_400],
  ['hour', 3600],
  ['minute', 60],
];

/**
 * Intl formatters, made once per locale and options: constructing one costs far more than formatting
 * with it (it loads the locale's data), and the sidebar's first page formats two or three dates per
 * entry. Throws as the constructor does for a locale Intl does not take.
 */
const formatters = new Map<string, Intl.DateTimeFormat | Intl.RelativeTimeFormat>();
function cached<F extends Intl.DateTimeFormat | Intl.RelativeTimeFormat>(key: string, make: () => F): F {
  let f = formatters.get(key) as F | undefined;
  if (!f) {
    f = make();
    formatters.set(key, f);
  }
  return f;
}
const relativeFormat = (locale: string) =>
  cached(`rtf|${locale}`, () => new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }));
const dateFormat = (locale: string, options: Intl.DateTimeFormatOptions) =>
  cached(`dtf|${locale}|${JSON.stringify(options)}`, () => new Intl.DateTimeFormat(locale, options));

/** A number and its unit never break across lines (`4 days`, `vor 4 Tagen`). */
const keepTogether = (s: string) => s.replace(/(\d) (?=\p{L})/gu, '$1\u00a0');

/** "4 days ago", "vor 4 Tagen": the agent's locale's own words (Intl.RelativeTimeFormat), never abbreviations. */
export function relativeTime(locale: string, iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  let rtf: Intl.RelativeTimeFormat;
  try {
    rtf = relativeFormat(locale);
  } catch {
    rtf = relativeFormat('en');
  }
  for (const [unit, size] of UNITS) if (s >= size) return keepTogether(rtf.format(-Math.floor(s / size), unit));
  return rtf.format(0, 'second');
}

/** A day in the agent's locale: "Dec 3" / "3. Dez." (with the year when it is not this year). */
export function shortDate(iso: string, locale: string, now = Date.now()): string {
  const d = new Date(iso);
  const sameYear = d.getFullYear() === new Date(now).getFullYear();
  try {
    // A date is one unit: none of its spaces may break ("6. März", "Mar 6").
    const options: Intl.DateTimeFormatOptions = {
      day: 'numeric',
      month: 'short',
      ...(sameYear ? {} : { year: 'numeric' }),
    };
    return dateFormat(locale, options).format(d).replace(/ /g, '\u00a0');
  } catch {
    return iso.slice(0, 10);
  }
}

const EXACT: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
};

/** Date and time in the agent's locale and time zone. */
export function exactTime(iso: string, locale: string): string {
  try {
    return dateFormat(locale, EXACT).format(new Date(iso));
  } catch {
    return iso;
  }
}

/** A code in words: its translation (`reason.fraud_suspected`, ...) or, unknown, the code with spaces. */
export function codeText(t: Translate, group: string, code: string): string {
  const key = `${group}.${code}`;
  const text = t(key);
  return text === key ? code.replace(/_/g, ' ') : text;
}

/** The actor's name, else their kind and id in words ("Agent 9001"), else "someone". */
export function who(t: Translate, a: { type: string; id?: string; name?: string } | undefined): string {
  if (!a) return t('entry.someone');
  if (a.name) return a.name;
  const kind = codeText(t, 'actor', a.type);
  return a.id ? `${kind} ${a.id}` : kind;
}
