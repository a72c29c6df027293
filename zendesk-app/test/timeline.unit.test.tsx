import { describe, expect, it } from 'vitest';
import { translator } from '../src/app/lib/i18n';
import { codeText, exactTime, groupTimeline, relativeTime, shortDate } from '../src/app/lib/timeline';
import { event } from './zaf-stub';

describe('groupTimeline', () => {
  it('puts the steps of the same ticket under the reinstatement that follows them, newest first', () => {
    const req = event({ kind: 'reinstatement_requested', related_ticket_ids: ['1'] }, 10);
    const otherTicket = event({ kind: 'verification_recorded', related_ticket_ids: ['2'] }, 9);
    const approve = event({ kind: 'reinstatement_approved', related_ticket_ids: ['1'] }, 8);
    const back = event({ kind: 'reinstatement', related_ticket_ids: ['1'] }, 7);
    const later = event({ kind: 'reinstatement_requested', related_ticket_ids: ['1'] }, 1);
    const entries = groupTimeline([later, back, approve, otherTicket, req]);
    expect(entries.map((e) => e.event.id)).toEqual([later.id, back.id, otherTicket.id]);
    expect(entries[1]!.steps.map((s) => s.id)).toEqual([req.id, approve.id]);
  });

  it('without tickets, takes the same subject’s steps since the last deactivation', () => {
    const old = event({ kind: 'reinstatement_approved', related_ticket_ids: [] }, 20);
    const down = event({ kind: 'deactivation', related_ticket_ids: [] }, 10);
    const ok = event({ kind: 'reinstatement_approved', related_ticket_ids: [] }, 9);
    const account = event({ kind: 'reinstatement_approved', related_ticket_ids: [], about: 'account' }, 8);
    const back = event({ kind: 'reinstatement', related_ticket_ids: [] }, 7);
    const entries = groupTimeline([back, account, ok, down, old]);
    expect(entries.find((e) => e.event.id === back.id)!.steps.map((s) => s.id)).toEqual([ok.id]);
    expect(entries.map((e) => e.event.id)).toEqual([back.id, account.id, down.id, old.id]);
  });
});

describe('times', () => {
  const t = translator('en');
  it('says how long ago in the agent’s language, grammatical, a number never parted from its unit', () => {
    const now = Date.parse('2026-03-10T12:00:00Z');
    expect(relativeTime('en', '2026-03-10T11:59:30Z', now)).toBe('now');
    expect(relativeTime('en', '2026-03-10T11:15:00Z', now)).toBe('45\u00a0minutes ago');
    expect(relativeTime('en', '2026-03-09T12:00:00Z', now)).toBe('yesterday');
    expect(relativeTime('de', '2026-03-06T12:00:00Z', now)).toBe('vor 4\u00a0Tagen');
    expect(relativeTime('de', '2026-01-01T12:00:00Z', now)).toBe('vor 2\u00a0Monaten');
    expect(shortDate('2026-03-06T12:00:00Z', 'de', now)).toBe('6.\u00a0März');
    expect(t('sidebar.since', { when: shortDate('2026-03-06T12:00:00Z', 'en', now) })).toBe('since Mar\u00a06');
    expect(exactTime('2026-03-10T11:15:00Z', 'en')).toMatch(/^Mar 10, 2026, \d\d:\d\d\s[AP]M \S+$/);
  });

  it('says codes in words: a translated reason, else the code with spaces', () => {
    expect(codeText(translator('de'), 'reason', 'fraud_suspected')).toBe('Betrugsverdacht');
    expect(codeText(translator('de'), 'reason', 'some_new_code')).toBe('some new code');
  });
});
