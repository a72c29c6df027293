/**
 * A small history for the insights tests, whose figures are worked out by hand in
 * insights-api.integration.test.ts. All in March 2026 (ISO weeks start 02-23, 03-02, 03-09, 03-16,
 * 03-23, 03-30), plus one deactivation in February that no March query may count.
 */
import type { NewStandingEvent, NewStandingEventInput } from '../../connector/model/standing-event.ts';
import { event } from '../support/fixtures.ts';

export const A = { zendesk_user_id: '101', email: 'ada@example.test' };
export const B = { zendesk_user_id: '102' };
export const C = { salesforce_contact_id: '003000000000001AAA' };
export const D = { zendesk_organization_id: '900' };
export const E = { zendesk_user_id: '105' };
export const F = { zendesk_user_id: '106' };
export const G = { zendesk_user_id: '107' };

const t = (day: number, hour = 0, month = 3) => new Date(Date.UTC(2026, month - 1, day, hour)).toISOString();
let n = 0;

function ev(tenant: string, customer: NewStandingEventInput['customer'], o: Partial<NewStandingEventInput>) {
  n++;
  const salesforce = 'salesforce_contact_id' in customer;
  return event({
    tenant,
    customer,
    source: salesforce
      ? { system: 'salesforce', object: 'Contact', id: '003000000000001AAA', event_id: `insights-${tenant}-${n}` }
      : { system: 'zendesk', object: 'user', id: '101', event_id: `insights-${tenant}-${n}` },
    ...o,
  });
}
const deactivate = (reason: string, initiation: 'manual' | 'automatic', occurred_at: string) => ({
  kind: 'deactivation' as const,
  status: { before: 'active' as const, after: 'suspended' as const },
  initiation: { type: initiation, temporary: true },
  reason: { code: reason },
  occurred_at,
});
const reinstate = (occurred_at: string) => ({
  kind: 'reinstatement' as const,
  status: { before: 'suspended' as const, after: 'active' as const },
  initiation: undefined,
  reason: undefined,
  occurred_at,
});
const step = (kind: 'reinstatement_requested' | 'reinstatement_approved' | 'reinstatement_denied', at: string) => ({
  kind,
  status: { before: null, after: null },
  initiation: undefined,
  reason: undefined,
  approvals:
    kind === 'reinstatement_requested'
      ? []
      : [
          {
            by: { type: 'agent' as const, id: '1' },
            role: 'team_lead',
            decision: kind === 'reinstatement_approved' ? ('approved' as const) : ('denied' as const),
            at,
          },
        ],
  occurred_at: at,
});

/** The history appended first. */
export function insightsHistory(tenant: string): NewStandingEvent[] {
  return [
    ev(tenant, A, deactivate('non_payment', 'manual', t(2, 10))),
    ev(tenant, A, reinstate(t(3, 10))),
    ev(tenant, B, deactivate('fraud_suspected', 'automatic', t(2, 12))),
    ev(tenant, B, step('reinstatement_requested', t(2, 13))),
    ev(tenant, B, step('reinstatement_approved', t(2, 15))),
    ev(tenant, B, reinstate(t(2, 18))),
    ev(tenant, C, deactivate('inactivity', 'automatic', t(4, 0))),
    ev(tenant, C, reinstate(t(4, 6))),
    ev(tenant, C, deactivate('inactivity', 'automatic', t(10, 0))),
    ev(tenant, C, reinstate(t(11, 0))),
    ev(tenant, C, deactivate('inactivity', 'automatic', t(16, 0))),
    ev(tenant, C, reinstate(t(18, 0))),
    ev(tenant, D, deactivate('non_payment', 'manual', t(20, 0))),
    ev(tenant, D, step('reinstatement_requested', t(21, 0))),
    ev(tenant, D, step('reinstatement_denied', t(21, 6))),
    ev(tenant, E, deactivate('non_payment', 'manual', t(5, 0))),
    ev(tenant, E, reinstate(t(6, 0))),
    // A reinstatement seen only as a status change, with no deactivation before it in the log.
    ev(tenant, F, {
      kind: 'status_observed',
      status: { before: 'suspended', after: 'active' },
      initiation: undefined,
      reason: undefined,
      occurred_at: t(25, 0),
    }),
    // Observed active with nothing known before: not a reinstatement.
    ev(tenant, F, {
      kind: 'status_observed',
      status: { before: null, after: 'active' },
      initiation: undefined,
      reason: undefined,
      occurred_at: t(26, 0),
    }),
    ev(tenant, G, deactivate('non_payment', 'manual', t(20, 0, 2))),
  ];
}

/** Arrives later but happened before E's reinstatement: E's reinstatement becomes approved. */
export function lateApproval(tenant: string): NewStandingEvent[] {
  return [ev(tenant, E, step('reinstatement_approved', t(5, 12)))];
}
