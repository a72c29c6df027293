/**
 * What an alert says. Pseudonymous, like the SIEM events: the warning's code, numbers and English
 * message, the subject's pseudonymous id and the event ids; never a customer's identities, names,
 * reason text or ticket ids. `text` repeats it in one line, so the body also works as a Slack or
 * Microsoft Teams incoming-webhook message (both show a top-level `text` and ignore the rest).
 */
import { createHash } from 'node:crypto';
import type { StandingWarning } from '../contracts/index.ts';

export const ALERT_CHANNEL_KINDS = ['webhook', 'zendesk_note'] as const;
export type AlertChannelKind = (typeof ALERT_CHANNEL_KINDS)[number];

export interface AlertPayload {
  type: 'standing.alert';
  /** The alert key: one per warning (its code and events), the same on every channel and attempt. */
  id: string;
  tenant: string;
  code: StandingWarning['code'];
  about: StandingWarning['about'];
  subject_id: string;
  /** Newest first, as in the history's warnings. */
  event_ids: string[];
  /** The log seq of the newest of them. */
  seq: number;
  details: StandingWarning['details'];
  message: string;
  /** When the newest event happened. */
  occurred_at: string;
  /** A test sent from the admin page: no warning behind it. */
  test: boolean;
  text: string;
}

/** Stable across scans and processes: the warning's code and its event ids (sorted). */
export function alertKey(code: string, eventIds: readonly string[]): string {
  const digest = createHash('sha256')
    .update(`${code}\u0000${[...eventIds].sort().join(',')}`)
    .digest('hex');
  return `al_${digest.slice(0, 40)}`;
}

export function alertPayload(
  tenant: string,
  w: StandingWarning,
  about: { subject_id: string; seq: number; occurred_at: string },
): AlertPayload {
  return {
    type: 'standing.alert',
    id: alertKey(w.code, w.event_ids),
    tenant,
    code: w.code,
    about: w.about,
    subject_id: about.subject_id,
    event_ids: [...w.event_ids],
    seq: about.seq,
    details: w.details,
    message: w.message,
    occurred_at: about.occurred_at,
    test: false,
    text: `Standing alert (${tenant}): ${w.message} [${w.code}, ${w.about} ${about.subject_id}]`,
  };
}

/** The admin's test-send: marked as a test everywhere a reader looks. */
export function testAlertPayload(tenant: string, id: string, now: Date): AlertPayload {
  return {
    type: 'standing.alert',
    id,
    tenant,
    code: 'reinstatement_without_approval',
    about: 'person',
    subject_id: '00000000-0000-0000-0000-000000000000',
    event_ids: [],
    seq: 0,
    details: {},
    message: 'Test alert from the Standing admin page: no warning fired.',
    occurred_at: now.toISOString(),
    test: true,
    text: `Standing test alert (${tenant}): the channel works. No warning fired.`,
  };
}

/** The private note's body: the alert in words, with a link-free pointer to the history. */
export function noteBody(p: AlertPayload): string {
  const head = p.test ? 'Standing test alert: the channel works, no warning fired.' : `Standing alert: ${p.message}`;
  return `${head}\n\nWarning: ${p.code}\nAlert id: ${p.id}\n(Open the Standing sidebar for the customer's history.)`;
}
