import { describe, expect, it } from 'vitest';
import type { StandingEvent } from '../../connector/contracts/index.ts';
import {
  DEFAULT_WARNING_SETTINGS,
  standingWarnings,
  WarningSettings,
} from '../../connector/history/standing-warnings.ts';

let seq = 0;
type Partial_ = Partial<StandingEvent> & Pick<StandingEvent, 'kind' | 'occurred_at'>;
function ev(p: Partial_): StandingEvent {
  seq++;
  return {
    id: `e${seq}`,
    seq,
    tenant: 'acme',
    status: { before: null, after: null },
    actor: { type: 'agent' },
    source: { system: 'zendesk', object: 'user', id: '1', event_id: `z${seq}` },
    detected_via: 'webhook',
    related_ticket_ids: [],
    recorded_at: p.occurred_at,
    erased: false,
    about: 'person',
    approvals: [],
    ...p,
  };
}
const suspend = (at: string, code = 'non_payment', more: Partial<StandingEvent> = {}) =>
  ev({
    kind: 'deactivation',
    occurred_at: at,
    status: { before: 'active', after: 'suspended' },
    reason: { code },
    initiation: { type: 'manual', temporary: true },
    ...more,
  });
const reinstate = (at: string, more: Partial<StandingEvent> = {}) =>
  ev({ kind: 'reinstatement', occurred_at: at, status: { before: 'suspended', after: 'active' }, ...more });
const approve = (at: string, tickets: string[] = []) =>
  ev({
    kind: 'reinstatement_approved',
    occurred_at: at,
    related_ticket_ids: tickets,
    approvals: [{ by: { type: 'agent', id: '9' }, role: 'team_lead', decision: 'approved', at }],
  });
const codes = (ws: { code: string }[]) => ws.map((w) => w.code).sort();

describe('standingWarnings', () => {
  it('flags a reinstatement with no recorded approval', () => {
    const r = reinstate('2026-03-02T00:00:00Z');
    const ws = standingWarnings([suspend('2026-03-01T00:00:00Z'), r]);
    expect(ws).toEqual([
      expect.objectContaining({ code: 'reinstatement_without_approval', about: 'person', event_ids: [r.id] }),
    ]);
  });

  it('accepts an approval step since the deactivation, one on the same ticket, or one on the event itself', () => {
    expect(
      standingWarnings([
        suspend('2026-03-01T00:00:00Z'),
        approve('2026-03-01T12:00:00Z'),
        reinstate('2026-03-02T00:00:00Z'),
      ]),
    ).toEqual([]);
    expect(
      standingWarnings([
        approve('2026-02-28T00:00:00Z', ['77']),
        suspend('2026-03-01T00:00:00Z'),
        reinstate('2026-03-02T00:00:00Z', { related_ticket_ids: ['77'] }),
      ]),
    ).toEqual([]);
    const inline = reinstate('2026-03-02T00:00:00Z', {
      approvals: [{ by: { type: 'agent' }, role: 'lead', decision: 'approved', at: '2026-03-02T00:00:00Z' }],
    });
    expect(standingWarnings([suspend('2026-03-01T00:00:00Z'), inline])).toEqual([]);
  });

  it('does not carry an approval of an earlier cycle over to a later one', () => {
    const events = [
      suspend('2026-03-01T00:00:00Z'),
      approve('2026-03-01T06:00:00Z'),
      reinstate('2026-03-02T00:00:00Z'),
      suspend('2026-03-10T00:00:00Z'),
      reinstate('2026-03-11T00:00:00Z'),
    ];
    expect(codes(standingWarnings(events))).toEqual(['reinstatement_without_approval']);
  });

  it('flags a reactivation within the window after a fraud suspension, not after it', () => {
    const s = suspend('2026-03-01T00:00:00Z', 'fraud_suspected');
    const r = reinstate('2026-03-01T05:00:00Z');
    const ws = standingWarnings(
      [approve('2026-03-01T04:00:00Z'), s, r].sort((a, b) => a.occurred_at.localeCompare(b.occurred_at)),
    );
    expect(ws).toEqual([
      expect.objectContaining({
        code: 'reactivation_after_fraud',
        event_ids: [r.id, s.id],
        details: { hours: 5, window_hours: 72, reason_code: 'fraud_suspected' },
      }),
    ]);
    const late = standingWarnings([
      suspend('2026-03-01T00:00:00Z', 'fraud_suspected'),
      approve('2026-03-05T00:00:00Z'),
      reinstate('2026-03-10T00:00:00Z'),
    ]);
    expect(late).toEqual([]);
  });

  it('flags repeated suspend/reinstate cycles within the window, with thresholds from settings', () => {
    const events = [1, 10, 20].flatMap((d) => [
      suspend(`2026-03-${String(d).padStart(2, '0')}T00:00:00Z`),
      approve(`2026-03-${String(d).padStart(2, '0')}T06:00:00Z`),
      reinstate(`2026-03-${String(d).padStart(2, '0')}T12:00:00Z`),
    ]);
    const ws = standingWarnings(events);
    expect(ws).toEqual([expect.objectContaining({ code: 'repeated_cycles', details: { cycles: 3, window_days: 90 } })]);
    expect(ws[0]!.event_ids).toHaveLength(3);
    const strict = WarningSettings.parse({ repeated_cycles: { min_cycles: 4 } });
    expect(standingWarnings(events, strict)).toEqual([]);
    const narrow = WarningSettings.parse({ repeated_cycles: { window_days: 5 } });
    expect(standingWarnings(events, narrow)).toEqual([]);
  });

  it('keeps people and accounts apart', () => {
    const personSuspend = suspend('2026-03-01T00:00:00Z');
    const accountApproval = {
      ...approve('2026-03-01T06:00:00Z'),
      about: 'account' as const,
      account: { zendesk_organization_id: '5' },
    };
    const ws = standingWarnings([personSuspend, accountApproval, reinstate('2026-03-02T00:00:00Z')]);
    expect(codes(ws)).toEqual(['reinstatement_without_approval']);
  });

  it('exempts reinstatements of configured reason codes and can be switched off', () => {
    const events = [suspend('2026-03-01T00:00:00Z', 'non_payment'), reinstate('2026-03-02T00:00:00Z')];
    expect(
      standingWarnings(
        events,
        WarningSettings.parse({ unapproved_reinstatement: { exempt_reason_codes: ['non_payment'] } }),
      ),
    ).toEqual([]);
    expect(standingWarnings(events, WarningSettings.parse({ unapproved_reinstatement: { enabled: false } }))).toEqual(
      [],
    );
    expect(DEFAULT_WARNING_SETTINGS.fraud_reactivation.window_hours).toBe(72);
  });

  it('flags a suspension with no reason code, unless switched off', () => {
    const bare = ev({ kind: 'deactivation', occurred_at: '2026-03-01T00:00:00Z' });
    const withText = ev({ kind: 'deactivation', occurred_at: '2026-03-02T00:00:00Z', reason: { code: 'non_payment' } });
    const ws = standingWarnings([bare, withText]);
    expect(ws).toEqual([
      expect.objectContaining({ code: 'suspension_without_reason', event_ids: [bare.id], about: 'person' }),
    ]);
    expect(standingWarnings([bare], WarningSettings.parse({ missing_reason: { enabled: false } }))).toEqual([]);
  });

  it('refuses settings with a bad threshold, naming the field', () => {
    const r = WarningSettings.safeParse({ fraud_reactivation: { window_hours: 0 } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['fraud_reactivation', 'window_hours']);
  });
});
