/**
 * More history for the demo's insights tab: twenty other customers of the demo tenant over the last
 * twelve weeks, so the charts have something to show. Billing suspensions lifted after a few hours to
 * a few days (some twice or three times), and every fourth customer through a ticket's reinstatement
 * workflow (request, approval, reinstatement) after a fraud or chargeback suspension. Bodies are shaped
 * as in demo-data.ts; times are relative to `now`.
 */
import { randomUUID } from 'node:crypto';

const H = 3_600_000;
const D = 24 * H;
const FIELD = { id: '360001122', title: 'Account status', type: 'dropdown' };
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface Customer {
  id: string;
  email: string;
}

function userStatus(p: Customer, at: number, current: string, previous: string) {
  const time = iso(at);
  return {
    at,
    body: {
      type: 'zen:event-type:user.custom_field_changed',
      account_id: 12514403,
      id: randomUUID(),
      time,
      zendesk_event_version: '2022-06-20',
      subject: `zen:user:${p.id}`,
      detail: {
        id: p.id,
        email: p.email,
        external_id: '',
        organization_id: null,
        role: 'end-user',
        created_at: '2025-01-08T10:12:42Z',
        updated_at: time,
        default_group_id: '0',
      },
      event: { field: FIELD, current, previous },
    },
  };
}

function trigger(p: Customer, ticket: string, at: number, actor: string, standing: Record<string, string>) {
  const time = iso(at);
  return {
    at,
    body: {
      standing: { version: 1, event_id: `demo-${ticket}-${standing.kind}-${time}`, occurred_at: time, ...standing },
      ticket: { id: ticket, updated_at: time },
      requester: { id: p.id, email: p.email, external_id: '' },
      organization: { id: '', external_id: '' },
      current_user: { id: actor },
    },
  };
}

function workflow(p: Customer, i: number, start: number) {
  const ticket = String(2000 + i);
  const decided = start + (6 + i) * H;
  return [
    trigger(p, ticket, start, '9001', {
      kind: 'deactivation',
      status_before: 'active',
      status_after: 'suspended',
      reason_code: i % 8 === 0 ? 'fraud_suspected' : 'chargeback',
    }),
    trigger(p, ticket, start + 5 * H, p.id, { kind: 'reinstatement_requested' }),
    trigger(p, ticket, decided, '9002', { kind: 'reinstatement_approved', approver_role: 'team_lead' }),
    trigger(p, ticket, decided + H, '9001', {
      kind: 'reinstatement',
      status_before: 'suspended',
      status_after: 'active',
      reason_code: 'identity_verified',
    }),
  ];
}

/** In the order Zendesk would have sent them. */
export function demoInsightsWebhooks(now = Date.now()): unknown[] {
  const out: { at: number; body: unknown }[] = [];
  for (let i = 0; i < 20; i++) {
    const p = { id: String(7200 + i), email: `customer${i}@example.com` };
    if (i % 4 === 0) {
      out.push(...workflow(p, i, now - (80 - i * 3) * D));
      continue;
    }
    for (let c = 0; c <= i % 3; c++) {
      const start = now - (84 - ((i * 5 + c * 23) % 78)) * D;
      out.push(userStatus(p, start, 'suspended_billing', 'active'));
      out.push(userStatus(p, start + (2 + ((i * 7 + c * 11) % 70)) * H, 'active', 'suspended_billing'));
    }
  }
  return out.sort((a, b) => a.at - b.at).map((x) => x.body);
}
