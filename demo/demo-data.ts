/**
 * The demo's Zendesk world: a few customers, an organization, a fraud suspension with a full
 * reinstatement workflow, billing suspensions, repeated cycles, and one event the default mapping
 * cannot map (it lands in quarantine). Bodies are shaped as Zendesk sends them (event-subscription
 * envelopes and the connector's trigger-body template); times are relative to `now`.
 */
import { randomUUID } from 'node:crypto';

export const DEMO_TENANT = 'demo';
export const DEMO_SUBDOMAIN = 'demo';
export const PEOPLE = {
  dana: { id: '7101', email: 'dana.reyes@example.com', name: 'Dana Reyes', org: '8101' },
  sam: { id: '7102', email: 'sam.okafor@example.com', name: 'Sam Okafor', org: null },
  lee: { id: '7103', email: 'lee.chen@example.com', name: 'Lee Chen', org: null },
  kim: { id: '7104', email: 'kim.novak@example.com', name: 'Kim Novak', org: null },
} as const;
export const ORG = { id: '8101', name: 'Reyes Logistics', external_id: '0015g00000XyZabAAB' };
/** Zendesk's group of the demo's team leads: its members may approve a reinstatement (four eyes still apply). */
export const APPROVER_GROUP = '360000000001';
export const AGENTS = {
  alex: { id: '9001', name: 'Alex Agent', role: 'agent', group_ids: [APPROVER_GROUP] },
  tara: { id: '9002', name: 'Tara Lead', role: 'agent', group_ids: [APPROVER_GROUP] },
  ada: { id: '9100', name: 'Ada Admin', role: 'admin', group_ids: [] },
} as const;

/** What the demo's stand-in for the Zendesk API answers (staticLookups): tickets, roles, names and groups. */
export function demoLookupData() {
  const agents = Object.values(AGENTS);
  return {
    tickets: { [DEMO_TENANT]: TICKETS },
    roles: { [DEMO_TENANT]: Object.fromEntries(agents.map((a) => [a.id, a.role])) },
    agents: {
      [DEMO_TENANT]: Object.fromEntries(agents.map((a) => [a.id, { name: a.name, group_ids: [...a.group_ids] }])),
    },
  };
}
/** Tickets: 1001 Dana (with her organization), 1002 Sam, 1003 Lee (no history), 1005 Kim; 1004 is unknown. */
export const TICKETS: Record<string, { requester_id: string; organization_id: string | null }> = {
  '1001': { requester_id: PEOPLE.dana.id, organization_id: ORG.id },
  '1002': { requester_id: PEOPLE.sam.id, organization_id: null },
  '1003': { requester_id: PEOPLE.lee.id, organization_id: null },
  '1005': { requester_id: PEOPLE.kim.id, organization_id: null },
};
export const UNKNOWN_TICKET = '1004';

export const H = 3_600_000;
export const D = 24 * H;
export const iso = (now: number, ago: number) => new Date(now - ago).toISOString().replace(/\.\d{3}Z$/, 'Z');
const FIELD = { id: '360001122', title: 'Account status', type: 'dropdown' };

function envelope(
  type: string,
  subject: string,
  time: string,
  detail: Record<string, unknown>,
  event: Record<string, unknown>,
) {
  return {
    type: `zen:event-type:${type}`,
    account_id: 12514403,
    id: randomUUID(),
    time,
    zendesk_event_version: '2022-06-20',
    subject,
    detail,
    event,
  };
}

/** Zendesk's webhook for a change of a person's status field (`user.custom_field_changed`). */
export function userStatus(
  p: { id: string; email: string; org: string | null },
  time: string,
  current: string,
  previous: string,
) {
  return envelope(
    'user.custom_field_changed',
    `zen:user:${p.id}`,
    time,
    {
      id: p.id,
      email: p.email,
      external_id: '',
      organization_id: p.org,
      role: 'end-user',
      created_at: '2025-01-08T10:12:42Z',
      updated_at: time,
      default_group_id: '0',
    },
    { field: FIELD, current, previous },
  );
}

function orgStatus(time: string, current: string, previous: string) {
  return envelope(
    'organization.custom_field_changed',
    `zen:organization:${ORG.id}`,
    time,
    {
      id: ORG.id,
      name: ORG.name,
      external_id: ORG.external_id,
      group_id: null,
      shared_comments: false,
      shared_tickets: false,
      created_at: '2025-01-08T10:12:42Z',
      updated_at: time,
    },
    { field: FIELD, current, previous },
  );
}

function trigger(ticket: string, time: string, actor: string, standing: Record<string, string>) {
  const p = PEOPLE.dana;
  return {
    standing: { version: 1, event_id: `demo-${ticket}-${standing.kind}-${time}`, occurred_at: time, ...standing },
    ticket: { id: ticket, updated_at: time },
    requester: { id: p.id, email: p.email, external_id: '' },
    organization: { id: '', external_id: '' },
    current_user: { id: actor },
  };
}

/** In the order Zendesk would have sent them. */
export function demoWebhooks(now = Date.now()): unknown[] {
  const dana = PEOPLE.dana;
  const sam = PEOPLE.sam;
  return [
    // The organization: a billing suspension, lifted a day later with no approval on record.
    orgStatus(iso(now, 20 * D), 'suspended_billing', 'active'),
    orgStatus(iso(now, 19 * D), 'active', 'suspended_billing'),
    // Dana: suspended for suspected fraud, then a full reinstatement workflow on ticket 1001.
    trigger('1001', iso(now, 6 * D), AGENTS.alex.id, {
      kind: 'deactivation',
      status_before: 'active',
      status_after: 'suspended',
      reason_code: 'fraud_suspected',
      reason_text: 'Card used from three countries within an hour.',
    }),
    trigger('1001', iso(now, 5 * D), dana.id, {
      kind: 'reinstatement_requested',
      reason_text: 'Customer says the charges were hers while travelling.',
    }),
    trigger('1001', iso(now, 5 * D - 2 * H), AGENTS.alex.id, {
      kind: 'verification_recorded',
      verification_method: 'id_document',
      verification_result: 'passed',
    }),
    trigger('1001', iso(now, 5 * D - 3 * H), AGENTS.tara.id, {
      kind: 'reinstatement_approved',
      approver_role: 'team_lead',
    }),
    trigger('1001', iso(now, 5 * D - 4 * H), AGENTS.alex.id, {
      kind: 'reinstatement',
      status_before: 'suspended',
      status_after: 'active',
      reason_code: 'identity_verified',
    }),
    // Sam: three suspend/reinstate cycles within two months, suspended again now.
    userStatus(sam, iso(now, 60 * D), 'suspended_billing', 'active'),
    userStatus(sam, iso(now, 58 * D), 'active', 'suspended_billing'),
    userStatus(sam, iso(now, 40 * D), 'suspended_billing', 'active'),
    userStatus(sam, iso(now, 39 * D), 'active', 'suspended_billing'),
    userStatus(sam, iso(now, 20 * D), 'suspended_billing', 'active'),
    userStatus(sam, iso(now, 18 * D), 'active', 'suspended_billing'),
    userStatus(sam, iso(now, 2 * D), 'suspended_billing', 'active'),
    // Kim: a value the default mapping does not know: quarantined until an admin maps "frozen".
    userStatus(PEOPLE.kim, iso(now, 1 * D), 'frozen', 'active'),
  ];
}
